"""The task force's targets: what each township or group is to recover in a year."""

from decimal import Decimal

from django.db import transaction

from core.audit import AuditAction, log_action
from reports.models import Target


@transaction.atomic
def targets_set(*, actor, year: int, regions: dict, groups: dict, request=None) -> int:
    """Write the year's targets; an amount of None removes that target. Returns how many
    targets the year has afterwards."""
    changes = {}
    for kind, amounts in (("region", regions), ("task_group", groups)):
        for owner_id, amount in amounts.items():
            key = {"year": year, f"{kind}_id": owner_id}
            existing = Target.objects.select_for_update().filter(**key).first()
            before = existing.amount if existing else None
            if amount is None:
                if existing:
                    existing.delete()
            elif existing:
                existing.amount, existing.updated_by = amount, actor
                existing.save(update_fields=["amount", "updated_by", "updated_at"])
            else:
                Target.objects.create(**key, amount=amount, updated_by=actor)
            if before != amount:
                changes[f"{kind}:{owner_id}"] = [_text(before), _text(amount)]
    if changes:
        log_action(
            actor=actor,
            action=AuditAction.SETTINGS,
            obj=None,
            request=request,
            detail={"targets": year, "changes": changes},
        )
    return Target.objects.filter(year=year).count()


def _text(amount: Decimal | None) -> str:
    return "" if amount is None else str(amount)
