"""The nightly case sweep (after the accrual): check the deferral agreements, say on each timeline
when a deadline passed or a review fell due, and close cases that nothing is owed on any more.

Each agreement and each case is swept in a transaction of its own, taking the house locks
(enterprise, then case): one case that fails is logged and reported and the others go on, and
daytime work waits for one case at a time, never for the whole night's run. Idempotent: a
second run adds nothing (the events it writes are unique per case and document or day).
"""

import logging
from datetime import date

from django.db import transaction

from arrears.services import suspension_end
from core.audit import AuditAction, log_action
from core.dates import chinese_date
from core.money import format_yuan
from enforcement.deferrals import first_missed
from enforcement.fines import fine_keeps_case_open
from enforcement.locking import lock_case, lock_deferral
from enforcement.models import Case, CaseEvent, Deferral, Instalment
from enforcement.services import (
    amounts_owed,
    case_close_recorded,
    case_return_from_deferral,
    timeline_event,
)
from enforcement.stages import ClosingReason, Stage

logger = logging.getLogger(__name__)


def sweep_cases(*, as_of: date) -> dict:
    result = deferrals_check(as_of=as_of)
    counts = {"deadlines_passed": 0, "reviews_due": 0, "closed": 0}
    failed = list(result.pop("failed"))
    open_ids = (
        Case.objects.filter(closed_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for case_id in list(open_ids):
        try:
            with transaction.atomic():
                for outcome in _sweep_case(case_id, as_of):
                    counts[outcome] += 1
        except Exception:
            logger.exception("nightly sweep: case %s failed, the others go on", case_id)
            failed.append({"case": case_id})
    return {**result, **counts, "failed": failed}


def _sweep_case(case_id: int, as_of: date) -> list[str]:
    case = lock_case(case_id)
    if case.closed_at is not None:  # closed by a payment since the list was read
        return []
    # A case opened on an audit lead has no arrears until the audit establishes them.
    awaiting_audit = case.stage in (Stage.OPENED, Stage.AUDIT) and not (
        case.principal_at_opening + case.fee_at_opening
    )
    if case.stage != Stage.TRACKING and not awaiting_audit:
        principal, fee = amounts_owed(case.enterprise)
        if principal + fee <= 0 and not fine_keeps_case_open(case, as_of=as_of):
            timeline_event(case, None, CaseEvent.Kind.PAYMENT, "夜间核对：已全额清缴")
            case_close_recorded(actor=None, case=case, reason=ClosingReason.PAID)
            return ["closed"]
    outcomes = []
    document = case.current_document
    if (
        document
        and not document.is_voided
        and document.deadline
        and document.deadline < as_of
        and not case.events.filter(kind=CaseEvent.Kind.DEADLINE_PASSED, document=document).exists()
    ):
        timeline_event(
            case,
            None,
            CaseEvent.Kind.DEADLINE_PASSED,
            f"期限届满：{document.number_text} 于 {chinese_date(document.deadline)} 届满，可转入下一步",
            document=document,
        )
        outcomes.append("deadlines_passed")
    if (
        case.stage == Stage.TRACKING
        and case.review_due
        and case.review_due <= as_of
        and not case.events.filter(kind=CaseEvent.Kind.REVIEW_DUE, on_date=case.review_due).exists()
    ):
        timeline_event(
            case,
            None,
            CaseEvent.Kind.REVIEW_DUE,
            f"复查到期：{chinese_date(case.review_due)}，请复查企业经营和财产状况",
            on_date=case.review_due,
        )
        outcomes.append("reviews_due")
    return outcomes


def deferrals_check(*, as_of: date) -> dict:
    """The nightly check: a missed instalment ends the suspension on its due date and returns the
    case to enforcement; the last instalment honoured completes the agreement. Idempotent: only
    active agreements are looked at, and both outcomes end them."""
    broken = completed = 0
    failed = []
    active = Deferral.objects.filter(status=Deferral.Status.ACTIVE).order_by("pk")
    for deferral_id in list(active.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                outcome = _check_deferral(deferral_id, as_of)
        except Exception:
            logger.exception("nightly sweep: deferral %s failed, the others go on", deferral_id)
            failed.append({"deferral": deferral_id})
            continue
        broken += outcome == Deferral.Status.BROKEN
        completed += outcome == Deferral.Status.COMPLETED
    return {"deferrals_broken": broken, "deferrals_completed": completed, "failed": failed}


def _check_deferral(deferral_id: int, as_of: date) -> str | None:
    case, deferral = lock_deferral(deferral_id)
    if deferral.status != Deferral.Status.ACTIVE:  # ended since the list was read
        return None
    missed = first_missed(deferral, as_of)
    if missed is not None:
        _end(case, deferral, Deferral.Status.BROKEN, as_of, missed=missed)
        return Deferral.Status.BROKEN
    if all(i.due_on < as_of for i in deferral.instalments.all()):
        _end(case, deferral, Deferral.Status.COMPLETED, as_of)
        return Deferral.Status.COMPLETED
    return None


def _end(
    case: Case, deferral: Deferral, status: str, as_of: date, *, missed: Instalment | None = None
):
    deferral.status, deferral.ended_on = status, as_of
    deferral.save(update_fields=["status", "ended_on"])
    if missed is not None:
        suspension_end(
            actor=None,
            suspension=deferral.suspension,
            end=missed.due_on,
            reason=f"延期缴费协议第{missed.number}期未按期足额缴纳",
        )
        text = (
            f"延期缴费协议未履行：第{missed.number}期（{chinese_date(missed.due_on)}前应累计缴纳）"
            f"未足额缴纳，自{chinese_date(missed.due_on)}次日起恢复计收滞纳金"
        )
    else:
        principal, fee = amounts_owed(case.enterprise)
        text = (
            f"延期缴费协议已履行完毕；尚欠本金 {format_yuan(principal)} 元、"
            f"滞纳金 {format_yuan(fee)} 元"
        )
    timeline_event(case, None, CaseEvent.Kind.DEFERRAL_ENDED, text)
    if case.closed_at is None and case.stage == Stage.DEFERRAL:
        case_return_from_deferral(case=case, deferral=deferral)
    log_action(
        actor=None,
        action=AuditAction.TRANSITION,
        obj=deferral,
        detail={"status": status, "missed": missed.number if missed else None},
    )
    return deferral
