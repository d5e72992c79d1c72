"""The audit stage (社会保险稽核办法): the written record of an on-site audit by at least two
auditors, and the result document it leads to."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.calendar import CALENDAR, WORKING, deadline
from core.dates import chinese_date, today
from core.roles import has_capability
from enforcement.locking import lock_case
from enforcement.models import AuditRecord, Case, CaseEvent
from enforcement.stages import Stage
from enforcement.timeline import timeline_event
from notices.services import document_issue
from notices.types import DocumentType

NOTICE_DAYS = 3  # the unit is notified at least 3 days before (第十条)
RESULT_WORKING_DAYS = {False: 5, True: 10}  # 告知书 / 意见书 after the audit (第十一条)
# When no one chose a date (a lead opening the audit): far enough for the notice to be served.
DEFAULT_NOTICE_WORKING_DAYS = 7


def audit_notice_extra(audit_on: date | None, day: date) -> dict:
    """The audit date the 稽核通知书 states: the caseworker's, at least 3 days after the notice can
    be served (today at the earliest); the record's guard holds the audit to it."""
    if audit_on is None:
        audit_on = deadline(day, DEFAULT_NOTICE_WORKING_DAYS, WORKING).day
    earliest = deadline(day, NOTICE_DAYS, CALENDAR).day
    if audit_on < earliest:
        raise ValidationError(
            {
                "audit_on": f"稽核日期须在今天起 {NOTICE_DAYS} 日以后（{chinese_date(earliest)}或之后），"
                "以便通知书送达后满 3 日（社会保险稽核办法第十条）。"
            }
        )
    return {"audit_on": chinese_date(audit_on), "audit_date": audit_on.isoformat()}


@transaction.atomic
def audit_record(
    *,
    actor,
    case: Case,
    audited_on: date,
    auditor_1,
    auditor_2,
    credentials: str,
    findings: str,
    violation: bool,
    signature: str,
    request=None,
) -> AuditRecord:
    case = lock_case(case.pk)
    if case.stage != Stage.AUDIT:
        raise ValidationError("只有在“稽核”阶段才能登记稽核记录。")
    errors = {}
    if auditor_1 is None or auditor_2 is None or auditor_1.pk == auditor_2.pk:
        errors["auditor_2"] = "稽核须由两名以上不同的稽核人员进行。"
    for auditor in (auditor_1, auditor_2):
        if auditor is not None and not has_capability(auditor, "issue_documents"):
            errors["auditor_1"] = f"{auditor} 不是经办或稽核人员。"
    if not credentials.strip():
        errors["credentials"] = "请填写稽核人员出示的证件（稽核证、执法证号）。"
    if not findings.strip():
        errors["findings"] = "请填写稽核发现。"
    if signature not in AuditRecord.Signature.values:
        errors["signature"] = "请选择被稽核单位是否签字确认。"
    if audited_on > today():
        errors["audited_on"] = "稽核日期不能晚于今天。"
    notice = case.current_document
    if notice is None or notice.doc_type != DocumentType.AUDIT_NOTICE or notice.served_on is None:
        errors["audited_on"] = "稽核通知书尚未送达，不能开展稽核。"
    else:
        notified = notice.content.get("extra", {}).get("audit_date")
        earliest = deadline(notice.served_on, NOTICE_DAYS, CALENDAR).day
        if notified and date.fromisoformat(notified) < earliest:
            errors["audited_on"] = (
                f"稽核通知书于 {chinese_date(notice.served_on)} 送达，距所定稽核日期不足 "
                f"{NOTICE_DAYS} 日，请重新出具稽核通知书（社会保险稽核办法第十条）。"
            )
        elif notified and audited_on < date.fromisoformat(notified):
            errors["audited_on"] = (
                f"稽核日期不能早于稽核通知书所定的 {chinese_date(date.fromisoformat(notified))}。"
            )
        elif audited_on < earliest:
            errors["audited_on"] = (
                f"稽核通知书于 {chinese_date(notice.served_on)} 送达，"
                f"稽核日期须在送达 {NOTICE_DAYS} 日以后（社会保险稽核办法第十条）。"
            )
    result_days = RESULT_WORKING_DAYS[bool(violation)]
    if "audited_on" not in errors and today() > deadline(audited_on, result_days, WORKING).day:
        errors["audited_on"] = (
            f"稽核结论应于稽核后 {result_days} 个工作日内出具（社会保险稽核办法第十一条），"
            f"已于{chinese_date(deadline(audited_on, result_days, WORKING).day)}届满；请重新稽核。"
        )
    if errors:
        raise ValidationError(errors)
    doc_type = DocumentType.AUDIT_OPINION if violation else DocumentType.AUDIT_RESULT
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=doc_type,
        enterprise=case.enterprise,
        extra={"audited_on": chinese_date(audited_on), "findings": findings.strip()},
        request=request,
    )
    record = AuditRecord.objects.create(
        case=case,
        audited_on=audited_on,
        auditor_1=auditor_1,
        auditor_2=auditor_2,
        credentials=credentials.strip()[:200],
        findings=findings.strip(),
        violation=violation,
        signature=signature,
        result_document=document,
        recorded_by=actor,
    )
    case.current_document = document
    case.save(update_fields=["current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"稽核记录：{chinese_date(audited_on)}，稽核人员 {auditor_1}、{auditor_2}；"
        f"{'发现违法行为' if violation else '未发现违法行为'}，出具{document.get_doc_type_display()} "
        f"{document.number_text}",
        document=document,
    )
    log_action(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        request=request,
        detail={"violation": violation, "document": document.number_text},
    )
    return record
