"""Template filters of the enterprise register."""

from django import template
from django.utils.html import format_html

from enterprises.models import EnterpriseStatus

register = template.Library()

# Bankruptcy in red, an enterprise gone (deregistered, missing) in black, anything else short of
# normal operation in amber.
_BADGE_CLASS = {
    EnterpriseStatus.NORMAL: "text-bg-success",
    EnterpriseStatus.BANKRUPTCY_ACCEPTED: "text-bg-danger",
    EnterpriseStatus.BANKRUPT: "text-bg-danger",
    EnterpriseStatus.DEREGISTERED: "text-bg-dark",
    EnterpriseStatus.MISSING: "text-bg-dark",
}


@register.filter
def status_badge(enterprise):
    """The enterprise's operating status as a coloured badge. A filter rather than an include:
    the register and the arrears overview show one on each of their fifty rows, and an include
    costs a template context of its own each time."""
    return format_html(
        '<span class="badge {}">{}</span>',
        _BADGE_CLASS.get(enterprise.status, "text-bg-warning"),
        enterprise.get_status_display(),
    )
