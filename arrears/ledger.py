"""Reading an enterprise's history into the replay and writing its result back."""

from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, Sum
from django.utils import timezone

from arrears.balances import balances_refresh
from arrears.models import (
    EFFECTIVE_KINDS,
    Allocation,
    ApprovalStatus,
    LedgerAccount,
    LedgerAdjustment,
    LedgerItem,
    Payment,
    PaymentPeriod,
    Suspension,
    SuspensionStatus,
)
from arrears.policy import current_period, current_policy, fee_rules
from arrears.replay import ItemIn, PaymentIn, Replay, replay

ZERO = Decimal("0.00")


def approved_suspensions(enterprise_id: int) -> list[Suspension]:
    """The enterprise's suspensions that stop a fee (a waiver never does)."""
    return list(
        Suspension.objects.filter(
            enterprise_id=enterprise_id,
            status=SuspensionStatus.APPROVED,
            kind__in=EFFECTIVE_KINDS,
        )
    )


def intervals_covering(suspensions, *, insurance_type, period, due_date) -> tuple:
    """The date intervals of `suspensions` whose scope takes in this item."""
    return tuple(
        s.interval
        for s in suspensions
        if s.covers(insurance_type=insurance_type, period=period, due_date=due_date)
    )


def covering_suspensions() -> Q:
    """Suspension.covers in SQL, for a subquery on the items of an outer query."""
    ref = OuterRef
    return (
        Q(enterprise_id=ref("enterprise_id"))
        & Q(status=SuspensionStatus.APPROVED, kind__in=EFFECTIVE_KINDS)
        & (Q(insurance_type="") | Q(insurance_type=ref("insurance_type")))
        & (Q(period_from__isnull=True) | Q(period_from__lte=ref("period")))
        & (Q(period_to__isnull=True) | Q(period_to__gte=ref("period")))
        & (Q(due_before__isnull=True) | Q(due_before__gt=ref("due_date")))
    )


def fee_reductions(item_ids) -> dict[int, Decimal]:
    """Approved fee reductions per item."""
    return dict(
        LedgerAdjustment.objects.filter(
            item_id__in=item_ids, status=ApprovalStatus.APPROVED, fee_reduction__gt=0
        )
        .values("item_id")
        .annotate(total=Sum("fee_reduction"))
        .values_list("item_id", "total")
    )


def ledger_items_in(enterprise_id: int, items=None) -> list[ItemIn]:
    """The replay's view of the enterprise's items, each with the suspension intervals that
    cover it and its approved fee reductions."""
    if items is None:
        items = LedgerItem.objects.filter(enterprise_id=enterprise_id).only(
            "id", "period", "insurance_type", "principal", "due_date"
        )
    items = list(items)
    suspensions = approved_suspensions(enterprise_id)
    reductions = fee_reductions([i.id for i in items]) if items else {}
    return [
        ItemIn(
            i.id,
            i.period,
            i.insurance_type,
            i.principal,
            i.due_date,
            intervals_covering(
                suspensions, insurance_type=i.insurance_type, period=i.period, due_date=i.due_date
            ),
            reductions.get(i.id, ZERO),
        )
        for i in items
    ]


def payment_in(*, id, paid_on, amount, insurance_type, named, policy) -> PaymentIn:
    """A payment as the replay takes it: the periods it settles first are those it names, then
    the current period."""
    current = current_period(paid_on, policy)
    first = tuple(sorted(named)) + (() if current in named else (current,))
    return PaymentIn(id, paid_on, amount, insurance_type, first)


def replay_enterprise(enterprise_id: int, *, as_of: date, extra_payments=(), policy=None) -> Replay:
    """The derived state of one enterprise, optionally with payments that are not posted yet."""
    policy = policy or current_policy()
    payments = list(Payment.objects.filter(enterprise_id=enterprise_id, reversed_at__isnull=True))
    named: dict[int, list[date]] = {}
    for payment_id, period in PaymentPeriod.objects.filter(
        payment__in=[p.id for p in payments]
    ).values_list("payment_id", "period"):
        named.setdefault(payment_id, []).append(period)
    return replay(
        items=ledger_items_in(enterprise_id),
        payments=[
            *(
                payment_in(
                    id=p.id,
                    paid_on=p.paid_on,
                    amount=p.amount,
                    insurance_type=p.insurance_type,
                    named=named.get(p.id, []),
                    policy=policy,
                )
                for p in payments
            ),
            *extra_payments,
        ],
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
    balances_refresh(as_of=as_of, enterprise_ids=[enterprise_id])
