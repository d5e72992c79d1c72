from django import template

from enforcement.closing import write_off_lines
from enforcement.deferrals import describe_guarantee

register = template.Library()


@register.filter
def payload_text(approval) -> str:
    """The terms an approval carries, as the approver reads them."""
    payload = approval.payload or {}
    if "guarantee_kind" in payload:
        return f"分 {payload['months']} 期；担保：{describe_guarantee(payload)}"
    return "；".join(f"{label}：{value}" for label, value in write_off_lines(payload))
