"""Template filters of the enterprise register."""

from django import template
from django.utils.html import format_html, format_html_join

from core.links import id_url
from enterprises.models import EnterpriseStatus, Industry

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


# The labels, looked up as get_FOO_display() would (an unknown value shows as itself) without
# building the choices' dict again on each of a list's rows.
_STATUS_LABEL = dict(EnterpriseStatus.choices)
_INDUSTRY_LABEL = dict(Industry.choices)


@register.filter
def status_badge(enterprise):
    """The enterprise's operating status as a coloured badge. A filter rather than an include:
    the register and the arrears overview show one on each of their fifty rows, and an include
    costs a template context of its own each time."""
    return format_html(
        '<span class="badge {}">{}</span>',
        _BADGE_CLASS.get(enterprise.status, "text-bg-warning"),
        _STATUS_LABEL.get(enterprise.status, enterprise.status),
    )


_REGISTER_ROW = (
    '<tr>\n      <td class="code small">{}</td>\n      <td><a href="{}">{}</a></td>\n'
    '      <td>{}</td>\n      <td>{}</td>\n      <td class="small">{}</td>\n      <td>{}</td>\n'
    '      <td>{}</td>\n      <td class="num">{}</td>\n    </tr>'
)


@register.simple_tag
def register_rows(enterprises):
    """The register's rows, written in Python: fifty a page on one of the pages caseworkers
    open most, where the template engine spent about a third of a millisecond on each
    (tests/test_list_rows.py compares them with the template they replace)."""
    detail_url = id_url("enterprises:detail")
    return format_html_join(
        "\n",
        _REGISTER_ROW,
        (
            (
                e.credit_code,
                detail_url(e.pk),
                e.name,
                e.region.name,
                e.region.task_group.name if e.region.task_group else "—",
                _INDUSTRY_LABEL.get(e.industry, e.industry) or "—",
                status_badge(e),
                e.legal_representative or "—",
                "—" if e.headcount is None else e.headcount,
            )
            for e in enterprises
        ),
    )
