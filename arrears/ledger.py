"""Reading an enterprise's history into the replay and writing its result back."""

from datetime import date

from django.utils import timezone

from arrears.models import (
    Allocation,
    LedgerAccount,
    LedgerItem,
    Payment,
    Suspension,
    SuspensionStatus,
)
from arrears.policy import current_policy, fee_rules
from arrears.replay import ItemIn, PaymentIn, Replay, replay


def approved_suspensions(enterprise_id: int) -> list[tuple[date, date | None]]:
    return list(
        Suspension.objects.filter(
            enterprise_id=enterprise_id, status=SuspensionStatus.APPROVED
        ).values_list("start", "end")
    )


def replay_enterprise(enterprise_id: int, *, as_of: date, extra_payments=(), policy=None) -> Replay:
    """The derived state of one enterprise, optionally with payments that are not posted yet."""
    policy = policy or current_policy()
    items = [
        ItemIn(i.id, i.period, i.insurance_type, i.principal, i.due_date)
        for i in LedgerItem.objects.filter(enterprise_id=enterprise_id).only(
            "id", "period", "insurance_type", "principal", "due_date"
        )
    ]
    payments = [
        PaymentIn(p.id, p.paid_on, p.amount)
        for p in Payment.objects.filter(enterprise_id=enterprise_id, reversed_at__isnull=True)
    ]
    return replay(
        items=items,
        payments=[*payments, *extra_payments],
        suspensions=approved_suspensions(enterprise_id),
        rules=fee_rules(policy),
        order=policy.allocation_order,
        as_of=as_of,
    )


def write_replay(enterprise_id: int, result: Replay, *, as_of: date) -> None:
    """Replace the enterprise's allocations and caches with a replay's result.

    The caller holds the enterprise's row lock, so no other writer interleaves.
    """
    Allocation.objects.filter(payment__enterprise_id=enterprise_id).delete()
    Allocation.objects.bulk_create(
        Allocation(payment_id=p, item_id=i, principal_amount=principal, fee_amount=fee)
        for p, i, principal, fee in result.allocations
    )
    items = list(LedgerItem.objects.filter(enterprise_id=enterprise_id))
    for item in items:
        state = result.items[item.id]
        item.principal_paid = state.principal_paid
        item.fee_paid = state.fee_paid
        item.fee_accrued = state.fee_accrued
        item.accrued_through = as_of
    LedgerItem.objects.bulk_update(
        items, ["principal_paid", "fee_paid", "fee_accrued", "accrued_through"]
    )
    LedgerAccount.objects.update_or_create(
        enterprise_id=enterprise_id,
        defaults={"credit_balance": result.credit, "replayed_at": timezone.now()},
    )
