"""The nightly case sweep (after the accrual): say on each timeline when a deadline passed, and
close cases that nothing is owed on any more. Idempotent: a second run adds nothing."""

from datetime import date

from django.db import transaction

from enforcement.models import Case, CaseEvent
from enforcement.services import amounts_owed, case_close_recorded, timeline_event
from enforcement.stages import ClosingReason, Stage

DEADLINE_PASSED = "期限届满"


@transaction.atomic
def sweep_cases(*, as_of: date) -> dict:
    passed = closed = 0
    open_cases = (
        Case.objects.select_for_update(of=("self",))
        .filter(closed_at__isnull=True)
        .select_related("enterprise", "current_document")
    )
    for case in open_cases:
        if case.stage != Stage.TRACKING:
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
                text=f"{DEADLINE_PASSED}：{document.number_text} 于 {document.deadline:%Y年%m月%d日} 届满，可转入下一步",
            )
            passed += 1
    return {"deadlines_passed": passed, "closed": closed}
