"""Ability-to-pay classes need both the evidence (enterprises) and the arrears period (arrears):
this is the level that sees both."""

from django.db.models import F

from arrears.models import LedgerItem
from enterprises.evidence_import import evidence_import
from enterprises.models import Enterprise
from enterprises.services import enterprise_reclassify


def arrears_months(enterprise_id: int) -> list:
    """Months whose principal is not fully paid: the arrears period to look for evidence in."""
    return list(
        LedgerItem.objects.filter(
            enterprise_id=enterprise_id, principal_paid__lt=F("principal")
        ).values_list("period", flat=True)
    )


def classification_refresh(*, enterprise_ids) -> int:
    count = 0
    for enterprise in Enterprise.objects.filter(pk__in=list(enterprise_ids)):
        enterprise_reclassify(enterprise=enterprise, arrears_months=arrears_months(enterprise.pk))
        count += 1
    return count


def reclassify_after_change(*, enterprise_id: int, **_) -> None:
    """Registered with arrears.hooks: a payment, reversal or correction changes the arrears
    period, and with it which evidence counts."""
    classification_refresh(enterprise_ids=[enterprise_id])


def classification_refresh_all() -> int:
    """Every enterprise with unpaid principal, nightly: ledger imports change arrears periods
    for thousands of enterprises at once, and are caught up here rather than row by row."""
    ids = (
        LedgerItem.objects.filter(principal_paid__lt=F("principal"))
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    return classification_refresh(enterprise_ids=list(ids))


def evidence_import_and_reclassify(*, actor, parsed, filename: str, request=None) -> dict:
    """Write checked evidence and reclassify the enterprises it concerns (web and command)."""
    summary = evidence_import(actor=actor, parsed=parsed, filename=filename)
    summary["reclassified"] = classification_refresh(enterprise_ids=summary["enterprises"])
    return summary
