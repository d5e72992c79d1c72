from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.links import id_url
from core.money import format_yuan
from enforcement.closing import write_off_lines
from enforcement.deferrals import describe_guarantee
from enforcement.stages import Stage
from enterprises.models import AbilityClass

register = template.Library()


@register.filter
def payload_text(approval) -> str:
    """The terms an approval carries, as the approver reads them."""
    payload = approval.payload or {}
    if "guarantee_kind" in payload:
        return f"分 {payload['months']} 期；担保：{describe_guarantee(payload)}"
    return "；".join(f"{label}：{value}" for label, value in write_off_lines(payload))


_CASE_ROW = (
    '<tr>{}<td><a href="{}">{}</a><div class="small text-muted">{}</div></td><td>{}</td>\n'
    '      <td>{}</td><td><span class="badge text-bg-primary">{}</span></td>\n'
    '      <td class="small">{}</td>\n'
    '      <td>{}</td><td>{}</td><td class="text-end">{}</td><td>{}</td></tr>'
)
# As get_FOO_display(), without building the choices' dict again on each row.
_ABILITY_LABEL = dict(AbilityClass.choices)
_STAGE_LABEL = dict(Stage.choices)
_CASE_CHECKBOX = (
    '<td><input type="checkbox" class="form-check-input" name="case" value="{}"'
    ' aria-label="选择 {}"></td>'
)


@register.simple_tag
def case_rows(cases, selectable):
    """The case list's rows, written in Python: fifty a page, on a page caseworkers open all
    day, where the template engine spent about a third of a millisecond on each
    (tests/test_list_rows.py compares them with the template they replace). `selectable`:
    each row has a checkbox for the batch moves."""
    detail_url = id_url("enforcement:detail")

    def row(c):
        document = c.current_document
        return (
            format_html(_CASE_CHECKBOX, c.pk, c.enterprise.name) if selectable else "",
            detail_url(c.pk),
            c.enterprise.name,
            c.number_text,
            c.enterprise.region.name,
            _ABILITY_LABEL.get(c.enterprise.ability, c.enterprise.ability) or "—",
            _STAGE_LABEL.get(c.stage, c.stage),
            (document.number_text if document else "") or "—",
            f"{document.deadline:%Y-%m-%d}" if document and document.deadline else "—",
            c.assigned_to,
            format_yuan(c.principal_at_opening),
            f"{timezone.localtime(c.opened_at):%Y-%m-%d}",
        )

    return format_html_join("\n    ", _CASE_ROW, (row(c) for c in cases))
