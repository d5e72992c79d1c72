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
    enterprise=None,
):
    """A case at `stage` whose current document was served and is overdue; of the county's
    enterprise unless another (of the caseworker's townships, owing) is given."""
    enterprise = enterprise or county.enterprise
    case = case_open(actor=county.caseworker, enterprise=enterprise)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="reminder",
        enterprise=enterprise,
        render=False,
    )
    Document.objects.filter(pk=document.pk).update(
        served_on=rectified if stage != Stage.OPENED else None
    )
    current = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=enterprise,
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
        enterprise=enterprise,
        render=False,
    )
    Document.objects.filter(pk=order.pk).update(served_on=date(2026, 5, 11))
    Case.objects.filter(pk=case.pk).update(stage=stage, current_document=current, order=order)
    case.refresh_from_db()
    return case


def case_ready_for_fine(county, multiple="3", *, served=date(2026, 11, 2)):
    """A case at 移送处罚 whose procedure is done: referred, filed, the 事先告知书 proposing
    `multiple` served on `served` and its 5 working days passed, reviewed when required."""
    from decimal import Decimal

    from enforcement.penalty_procedure import (
        legal_review_record,
        penalty_file,
        penalty_notice_issue,
        referral_extra,
    )

    case = case_at(county, Stage.PENALTY)
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 5, 11))
    case.refresh_from_db()
    document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="referral",
        enterprise=county.enterprise,
        extra=referral_extra(case),
        render=False,
    )
    penalty_file(actor=county.caseworker, case=case, filed_on=date(2026, 11, 22))
    notice = penalty_notice_issue(actor=county.caseworker, case=case, multiple=Decimal(multiple))
    Document.objects.filter(pk=notice.pk).update(served_on=served, deadline=date(2026, 11, 9))
    if notice.content["extra"]["hearing_right"]:
        legal_review_record(actor=county.group_leader, case=case, opinion="事实清楚，程序合法")
    case.refresh_from_db()
    return case
