"""The audit stage (社会保险稽核办法): the written record of an on-site audit by at least two
auditors, and the result document it leads to."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.calendar import CALENDAR, WORKING, deadline
from core.dates import chinese_date, today
from core.fields import MONEY_MAX
from core.money import FEN, amount_in_capitals, format_yuan
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


def chinese_month(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _findings_errors(
    *,
    audited_on: date,
    period_from: date | None,
    period_to: date | None,
    headcount_found: int | None,
    headcount_declared: int | None,
    base_found: Decimal | None,
    base_declared: Decimal | None,
    shortfall: Decimal | None,
    violation: bool,
) -> dict:
    """What is wrong with the audit's figures, by field. The database refuses the same invalid
    rows (AuditRecord's constraints); here each is said in the caseworker's words."""
    errors = {}
    if period_from is None:
        errors["period_from"] = "请填写稽核起始月份（如 2026-01）。"
    if period_to is None:
        errors["period_to"] = "请填写稽核截止月份（如 2026-06）。"
    if period_from and period_to:
        if period_from > period_to:
            errors["period_from"] = "起始月份不能晚于截止月份。"
        # Months not yet reached have nothing declared or paid to audit.
        elif period_to > audited_on.replace(day=1):
            errors["period_to"] = f"截止月份不能晚于稽核日期所在的{chinese_month(audited_on)}。"
    for name, label, count in (
        ("headcount_found", "核实参保人数", headcount_found),
        ("headcount_declared", "申报参保人数", headcount_declared),
    ):
        if count is None:
            errors[name] = f"请填写{label}。"
        elif count < 0:
            errors[name] = f"{label}不能为负数。"
    for name, label, amount in (
        ("base_found", "核实缴费基数", base_found),
        ("base_declared", "申报缴费基数", base_declared),
        ("shortfall", "少缴金额", shortfall),
    ):
        if amount is None:
            errors[name] = f"请填写{label}（元）；没有的填 0。"
        elif not isinstance(amount, Decimal):
            # Money never passes through float (DESIGN §3); a caller's bug, not the user's.
            raise TypeError(f"{name} must be a Decimal, got {type(amount).__name__}")
        elif not amount.is_finite() or amount > MONEY_MAX:
            errors[name] = f"{label}超出范围（不能超过 {format_yuan(MONEY_MAX)} 元）。"
        elif amount < 0:
            errors[name] = f"{label}不能为负数。"
        elif amount != amount.quantize(FEN):
            errors[name] = f"{label}最多保留两位小数（分）。"
    # A 稽核情况告知书 says nothing was wrong: it cannot state figures that show under-declaring
    # (少报人数、少报基数、少缴; 社会保险稽核办法 第十一条 wants a 稽核意见书 then).
    if not violation and not errors:
        to_opinion = "应勾选“存在违法行为”，出具稽核意见书。"
        if headcount_found > headcount_declared:
            errors["headcount_found"] = f"核实参保人数多于申报人数，属少报人数，{to_opinion}"
        if base_found > base_declared:
            errors["base_found"] = f"核实缴费基数高于申报基数，属少报缴费基数，{to_opinion}"
        if shortfall > 0:
            errors["shortfall"] = f"有少缴金额即存在少缴社会保险费的行为，{to_opinion}"
    return errors


def findings_extra(record: AuditRecord) -> dict:
    """The figures as the result document states and freezes them (DESIGN §3.8)."""
    if record.period_from == record.period_to:
        period = chinese_month(record.period_from)
    else:
        period = f"{chinese_month(record.period_from)}至{chinese_month(record.period_to)}"
    return {
        "period": period,
        "headcount_found": record.headcount_found,
        "headcount_declared": record.headcount_declared,
        "base_found": format_yuan(record.base_found),
        "base_declared": format_yuan(record.base_declared),
        "shortfall": format_yuan(record.shortfall),
        "shortfall_capitals": amount_in_capitals(record.shortfall),
        "has_shortfall": record.shortfall > 0,
    }


@transaction.atomic
def audit_record(
    *,
    actor,
    case: Case,
    audited_on: date,
    auditor_1,
    auditor_2,
    credentials: str,
    period_from: date | None,
    period_to: date | None,
    headcount_found: int | None,
    headcount_declared: int | None,
    base_found: Decimal | None,
    base_declared: Decimal | None,
    shortfall: Decimal | None,
    findings: str,
    violation: bool,
    signature: str,
    request=None,
) -> AuditRecord:
    """Record the audit and issue its result. `period_from` / `period_to` are the audited
    months (any day of the month names it); `findings` is the auditors' remark beside the
    figures."""
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
    period_from = period_from.replace(day=1) if period_from else None
    period_to = period_to.replace(day=1) if period_to else None
    errors |= _findings_errors(
        audited_on=audited_on,
        period_from=period_from,
        period_to=period_to,
        headcount_found=headcount_found,
        headcount_declared=headcount_declared,
        base_found=base_found,
        base_declared=base_declared,
        shortfall=shortfall,
        violation=violation,
    )
    if errors:
        raise ValidationError(errors)
    record = AuditRecord(
        case=case,
        audited_on=audited_on,
        auditor_1=auditor_1,
        auditor_2=auditor_2,
        credentials=credentials.strip()[:200],
        period_from=period_from,
        period_to=period_to,
        headcount_found=headcount_found,
        headcount_declared=headcount_declared,
        base_found=base_found,
        base_declared=base_declared,
        shortfall=shortfall,
        findings=findings.strip(),
        violation=violation,
        signature=signature,
        recorded_by=actor,
    )
    stated = findings_extra(record)
    doc_type = DocumentType.AUDIT_OPINION if violation else DocumentType.AUDIT_RESULT
    record.result_document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=doc_type,
        enterprise=case.enterprise,
        extra={
            "audited_on": chinese_date(audited_on),
            "findings": findings.strip(),
            "audit_findings": stated,
        },
        request=request,
    )
    record.save()
    document = record.result_document
    case.current_document = document
    case.save(update_fields=["current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"稽核记录：{chinese_date(audited_on)}，稽核人员 {auditor_1}、{auditor_2}；"
        f"稽核期间{stated['period']}，核实参保人数 {headcount_found} 人"
        f"（申报 {headcount_declared} 人），少缴 {format_yuan(shortfall)} 元；"
        f"{'发现违法行为' if violation else '未发现违法行为'}，出具{document.get_doc_type_display()} "
        f"{document.number_text}",
        document=document,
    )
    log_action(
        actor=actor,
        action=AuditAction.CREATE,
        obj=record,
        request=request,
        detail={
            "violation": violation,
            "document": document.number_text,
            "shortfall": str(shortfall),
        },
    )
    return record
