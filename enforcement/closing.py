"""The ends of the road that are not payment: tracking reviews of enterprises unable to pay, and
the write-off (核销, 劳社部发〔1999〕36号) with its bankruptcy documents and approval chain."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.dates import chinese_date, today
from enforcement.locking import lock_case
from enforcement.models import Approval, Case, CaseEvent
from enforcement.selectors import casework_settings
from enforcement.services import case_close
from enforcement.stages import ClosingReason, Stage
from enforcement.timeline import timeline_event
from enterprises.models import EnterpriseStatus

# What a write-off file must hold: the court's documents, then the outside approvals in order
# (the office proposes, the labour department reviews, finance re-checks, the government approves).
WRITE_OFF_DOCUMENTS = {
    "bankruptcy_ruling": "破产宣告裁定书",
    "termination_ruling": "终结破产程序裁定书",
    "liquidation_report": "清算报告",
    "distribution_plan": "破产财产分配方案",
    "labour_review": "人力资源社会保障部门审核意见",
    "finance_review": "财政部门复核意见",
    "government_approval": "人民政府批准文件",
}


WRITE_OFF_STATUSES = (EnterpriseStatus.BANKRUPT, EnterpriseStatus.DEREGISTERED)


@transaction.atomic
def review_record(*, actor, case: Case, note: str, request=None) -> Case:
    """A periodic look at a tracked enterprise; sets the next review date."""
    case = lock_case(case.pk)
    if case.stage != Stage.TRACKING:
        raise ValidationError("只有“跟踪关注”的案件需要定期复查。")
    if not note.strip():
        raise ValidationError({"note": "请填写复查情况。"})
    case.review_due = today() + timedelta(days=casework_settings().review_interval_days)
    case.save(update_fields=["review_due"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.REVIEW,
        f"复查：{note.strip()}；下次复查 {chinese_date(case.review_due)}",
    )
    log_action(
        actor=actor, action=AuditAction.UPDATE, obj=case, request=request, detail={"review": note}
    )
    return case


def write_off_request(*, actor, case: Case, documents: dict, note: str, request=None) -> Approval:
    """Propose the write-off for a task-force leader's approval, with every document on file."""
    if case.enterprise.status not in WRITE_OFF_STATUSES:
        raise ValidationError("只有已宣告破产或已注销的企业才能核销欠费。")
    missing = {
        key: f"请填写{label}的文号和日期。"
        for key, label in WRITE_OFF_DOCUMENTS.items()
        if not str(documents.get(key, "")).strip()
    }
    if missing:
        raise ValidationError(missing)
    payload = {key: str(documents[key]).strip()[:200] for key in WRITE_OFF_DOCUMENTS}
    return case_close(
        actor=actor,
        case=case,
        reason=ClosingReason.WRITE_OFF,
        note=note or "破产清算终结，无财产可供清偿，申请核销",
        payload=payload,
        request=request,
    )


def write_off_lines(payload: dict) -> list[tuple[str, str]]:
    return [(label, payload[key]) for key, label in WRITE_OFF_DOCUMENTS.items() if key in payload]
