"""The case timeline and the amounts a case is about: used by every casework module."""

from decimal import Decimal

from arrears.selectors import amounts_outstanding
from enforcement.models import CaseEvent
from enterprises.models import Enterprise


def amounts_owed(enterprise: Enterprise) -> tuple[Decimal, Decimal]:
    return amounts_outstanding(enterprise.pk)


def timeline_event(
    case, actor, kind, text, *, from_stage="", to_stage="", document=None, on_date=None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        text=text[:300],
        from_stage=from_stage,
        to_stage=to_stage,
        document=document,
        on_date=on_date,
    )
