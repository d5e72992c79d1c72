"""The nightly case sweep (after the accrual): check the deferral agreements, say on each timeline
when a deadline passed or a review fell due, and close cases that nothing is owed on any more.
Idempotent: a second run adds nothing."""

from datetime import date

from django.db import transaction

from arrears.services import suspension_end
from core.audit import AuditAction, log_action
from core.money import format_yuan
from enforcement.deferrals import first_missed
from enforcement.models import Case, CaseEvent, Deferral, Instalment
from enforcement.services import (
    amounts_owed,
    case_close_recorded,
    case_return_from_deferral,
    timeline_event,
)
from enforcement.stages import ClosingReason, Stage
from notices.content import chinese_date

DEADLINE_PASSED = "期限届满"
REVIEW_DUE = "复查到期"


@transaction.atomic
def sweep_cases(*, as_of: date) -> dict:
    result = deferrals_check(as_of=as_of)
    passed = closed = reviews = 0
    open_cases = (
        Case.objects.select_for_update(of=("self",))
        .filter(closed_at__isnull=True)
        .select_related("enterprise", "current_document")
    )
    for case in open_cases:
        # A case opened on an audit lead has no arrears until the audit establishes them.
        awaiting_audit = case.stage in (Stage.OPENED, Stage.AUDIT) and not (
            case.principal_at_opening + case.fee_at_opening
        )
        if case.stage != Stage.TRACKING and not awaiting_audit:
            principal, fee = amounts_owed(case.enterprise)
            if principal + fee <= 0:
                timeline_event(case, None, CaseEvent.Kind.PAYMENT, "夜间核对：已全额清缴")
                case_close_recorded(actor=None, case=case, reason=ClosingReason.PAID)
                closed += 1
                continue
        document = case.current_document
        if (
            document
            and not document.is_voided
            and document.deadline
            and document.deadline < as_of
            and not case.events.filter(
                kind=CaseEvent.Kind.MOVED, document=document, text__startswith=DEADLINE_PASSED
            ).exists()
        ):
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.MOVED,
                document=document,
                text=f"{DEADLINE_PASSED}：{document.number_text} 于 {chinese_date(document.deadline)} 届满，可转入下一步",
            )
            passed += 1
        if (
            case.stage == Stage.TRACKING
            and case.review_due
            and case.review_due <= as_of
            and not case.events.filter(
                text__startswith=f"{REVIEW_DUE}：{chinese_date(case.review_due)}"
            ).exists()
        ):
            timeline_event(
                case,
                None,
                CaseEvent.Kind.MOVED,
                f"{REVIEW_DUE}：{chinese_date(case.review_due)}，请复查企业经营和财产状况",
            )
            reviews += 1
    return {**result, "deadlines_passed": passed, "reviews_due": reviews, "closed": closed}


def deferrals_check(*, as_of: date) -> dict:
    """The nightly check: a missed instalment ends the suspension on its due date and returns the
    case to enforcement; the last instalment honoured completes the agreement. Idempotent: only
    active agreements are looked at, and both outcomes end them."""
    broken = completed = 0
    active = (
        Deferral.objects.select_for_update(of=("self",))
        .filter(status=Deferral.Status.ACTIVE)
        .select_related("case", "case__enterprise", "suspension")
        .prefetch_related("instalments")
    )
    for deferral in active:
        missed = first_missed(deferral, as_of)
        if missed is not None:
            _end(deferral, Deferral.Status.BROKEN, as_of, missed=missed)
            broken += 1
        elif all(i.due_on < as_of for i in deferral.instalments.all()):
            _end(deferral, Deferral.Status.COMPLETED, as_of)
            completed += 1
    return {"deferrals_broken": broken, "deferrals_completed": completed}


def _end(deferral: Deferral, status: str, as_of: date, *, missed: Instalment | None = None):
    deferral.status, deferral.ended_on = status, as_of
    deferral.save(update_fields=["status", "ended_on"])
    case = Case.objects.select_for_update(of=("self",)).get(pk=deferral.case_id)
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
    timeline_event(case, None, CaseEvent.Kind.MOVED, text)
    if case.closed_at is None and case.stage == Stage.DEFERRAL:
        case_return_from_deferral(case=case, deferral=deferral)
    log_action(
        actor=None,
        action=AuditAction.TRANSITION,
        obj=deferral,
        detail={"status": status, "missed": missed.number if missed else None},
    )
    return deferral
