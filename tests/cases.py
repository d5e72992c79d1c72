"""Cases set up at a stage of the chain, as the guards of the next step expect to find them."""

from datetime import date

from enforcement.models import Case
from enforcement.services import case_open
from enforcement.stages import Stage
from notices.models import Document
from notices.services import document_issue


def case_at(
    county,
    stage,
    *,
    served=date(2026, 10, 1),
    deadline=date(2026, 10, 15),
    rectified=date(2026, 10, 1),
):
    """A case at `stage` whose current document was served and is overdue."""
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="reminder",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=document.pk).update(
        served_on=rectified if stage != Stage.OPENED else None
    )
    current = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=current.pk).update(served_on=served, deadline=deadline)
    # The decision the 催告书 enforced, stating the remedies, served long enough ago that the
    # time to sue (6 months) has run and the 3 months to apply have not: 2026-05-11 →
    # 2026-11-11 → 2027-02-11; today (2026-11-22) is inside.
    order = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=order.pk).update(served_on=date(2026, 5, 11))
    Case.objects.filter(pk=case.pk).update(stage=stage, current_document=current, order=order)
    case.refresh_from_db()
    return case
