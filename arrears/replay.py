"""The ledger's state as a pure function of items, payments, suspensions and policy (DESIGN §3.1).

`replay` allocates every payment in date order within its 险种 (funds are accounted separately,
社会保险法 第六十四条): first to the periods it names, then to the current period (its `first`
periods, in that order), then by the policy's allocation order; then it computes each item's
fee as of a day. Each item carries the suspension intervals that cover it and the fee
reductions approved for it. Posting, reversing, adjusting and rebuilding all write what this
function returns, so incremental updates and a rebuild from history cannot disagree.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from arrears.engine import FeeRules, compute_late_fee
from arrears.models import AllocationOrder

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ItemIn:
    id: int
    period: date
    insurance_type: str
    principal: Decimal
    due_date: date
    suspensions: tuple[tuple[date, date | None], ...] = ()
    fee_reduction: Decimal = ZERO


@dataclass(frozen=True)
class PaymentIn:
    id: int
    paid_on: date
    amount: Decimal
    insurance_type: str = "pension"
    first: tuple[date, ...] = ()  # the named periods, then the current period


@dataclass
class ItemState:
    principal_payments: list[tuple[date, Decimal]] = field(default_factory=list)
    fee_paid: Decimal = ZERO
    fee_accrued: Decimal = ZERO

    @property
    def principal_paid(self) -> Decimal:
        return sum((amount for _, amount in self.principal_payments), ZERO)


@dataclass
class Replay:
    items: dict[int, ItemState]
    allocations: list[tuple[int, int, Decimal, Decimal]]  # payment, item, principal, fee
    credit: Decimal


def item_fee(item: ItemIn, payments, on: date, rules: FeeRules) -> Decimal:
    """The item's fee as of `on`, after the reductions approved for it."""
    quote = compute_late_fee(
        principal=item.principal,
        due_date=item.due_date,
        as_of=on,
        payments=payments,
        suspensions=item.suspensions,
        rules=rules,
    )
    return max(quote.fee - item.fee_reduction, ZERO)


class _PaymentAllocation:
    """One payment being applied to items, principal and fee separately."""

    def __init__(self, payment: PaymentIn, states: dict[int, ItemState], rules: FeeRules):
        self.payment, self.states, self.rules = payment, states, rules
        self.remaining = payment.amount
        self.taken: dict[int, list[Decimal]] = {}

    def _record(self, item: ItemIn, index: int, amount: Decimal) -> None:
        self.taken.setdefault(item.id, [ZERO, ZERO])[index] += amount
        self.remaining -= amount

    def take_principal(self, item: ItemIn) -> None:
        state = self.states[item.id]
        amount = min(self.remaining, item.principal - state.principal_paid)
        if amount > 0:
            state.principal_payments.append((self.payment.paid_on, amount))
            self._record(item, 0, amount)

    def take_fee(self, item: ItemIn) -> None:
        state = self.states[item.id]
        # The fee owed if paid on this day; principal paid the same day does not change it.
        owed = item_fee(item, state.principal_payments, self.payment.paid_on, self.rules)
        owed = max(owed - state.fee_paid, ZERO)
        amount = min(self.remaining, owed)
        if amount > 0:
            state.fee_paid += amount
            self._record(item, 1, amount)


def _payment_order(payment: PaymentIn, items: list[ItemIn]) -> tuple[list[ItemIn], list[ItemIn]]:
    """The payment's own fund split into the items it settles first (named periods, then the
    current period) and the rest."""
    fund = [item for item in items if item.insurance_type == payment.insurance_type]
    rank = {period: index for index, period in enumerate(payment.first)}
    first = sorted((i for i in fund if i.period in rank), key=lambda i: rank[i.period])
    return first, [i for i in fund if i.period not in rank]


def replay(
    *,
    items: list[ItemIn],
    payments: list[PaymentIn],
    rules: FeeRules,
    order: str,
    as_of: date,
) -> Replay:
    items = sorted(items, key=lambda i: (i.period, i.insurance_type, i.id))
    states = {item.id: ItemState() for item in items}
    allocations: list[tuple[int, int, Decimal, Decimal]] = []
    credit = ZERO

    for payment in sorted(payments, key=lambda p: (p.paid_on, p.id)):
        allocation = _PaymentAllocation(payment, states, rules)
        first, rest = _payment_order(payment, items)
        for item in first:
            allocation.take_principal(item)
            allocation.take_fee(item)
        if order == AllocationOrder.PRINCIPAL_FIRST:
            for item in rest:
                allocation.take_principal(item)
            for item in rest:
                allocation.take_fee(item)
        else:
            for item in rest:
                allocation.take_principal(item)
                allocation.take_fee(item)
        allocations += [(payment.id, item_id, p, f) for item_id, (p, f) in allocation.taken.items()]
        credit += allocation.remaining

    for item in items:
        state = states[item.id]
        state.fee_accrued = item_fee(item, state.principal_payments, as_of, rules)
    return Replay(items=states, allocations=allocations, credit=credit)
