"""The house lock order (core.locks) for casework: the enterprise, then its case, then the
case's own rows. Every casework writer starts here."""

from arrears.services import lock_enterprise
from core.locks import lock_row
from enforcement.models import Approval, Case, Deferral, Fine


def lock_case(case_id: int) -> Case:
    # A case never changes enterprise, so reading the id before the lock is safe.
    lock_enterprise(Case.objects.values_list("enterprise_id", flat=True).get(pk=case_id))
    return lock_row(
        Case, case_id, queryset=Case.objects.select_related("enterprise", "current_document")
    )


def lock_approval(approval_id: int) -> tuple[Case, Approval]:
    case = lock_case(Approval.objects.values_list("case_id", flat=True).get(pk=approval_id))
    return case, lock_row(Approval, approval_id, queryset=Approval.objects.select_related("case"))


def lock_deferral(deferral_id: int) -> tuple[Case, Deferral]:
    case = lock_case(Deferral.objects.values_list("case_id", flat=True).get(pk=deferral_id))
    deferral = lock_row(
        Deferral,
        deferral_id,
        queryset=Deferral.objects.select_related("case", "case__enterprise", "suspension"),
    )
    return case, deferral


def lock_fine(fine_id: int) -> tuple[Case, Fine]:
    case = lock_case(Fine.objects.values_list("case_id", flat=True).get(pk=fine_id))
    return case, lock_row(Fine, fine_id)
