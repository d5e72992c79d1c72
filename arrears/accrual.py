"""The nightly late-fee accrual (DESIGN §3.3, §5).

Each run computes every open item's fee as of a day from scratch, so running twice, being
killed and rerun, or catching up after missed nights all give the same result. Work splits
into independent chunks by enterprise id range, which several workers can run at once.

The common case — an item no principal has been paid on, no approved suspension covers, no
approved reduction lowers, due after the 征缴条例 took effect — is one UPDATE on PostgreSQL: fee = round(Σ over rate periods of principal ×
rate × days, 2), with the same 6-place intermediate rounding as the engine. Everything else
(partly paid items, covered or reduced or pre-1999 items, and all items on SQLite, whose arithmetic is
binary floating point) goes through the engine, which is the reference.

A chunk first locks its enterprises (core.locks, the house order), so a payment committed
while the chunk reads cannot be overwritten by a fee computed before it: the payment either
finished before the chunk read, or waits and replays after it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL

from arrears.balances import balances_refresh
from arrears.engine import COLLECTION_ACT_START, NEW_LAW_START, FeeRules, fee_window
from arrears.ledger import covering_suspensions, ledger_items_in
from arrears.models import (
    Allocation,
    ApprovalStatus,
    LedgerAdjustment,
    LedgerItem,
    Suspension,
)
from arrears.policy import fee_rules
from arrears.replay import item_fee
from core.locks import lock_rows
from enterprises.models import Enterprise

FAR_PAST = date(1900, 1, 1)


@dataclass
class ChunkResult:
    set_based: int = 0
    engine: int = 0


def _rate_periods(rules: FeeRules, last_day: date) -> list[tuple[date, date, object]]:
    """(first, last, daily rate) covering FAR_PAST … last_day, one per constant rate."""
    starts = sorted({FAR_PAST, NEW_LAW_START, *(start for start, _ in rules.rate_schedule)})
    periods = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else last_day
        if start <= last_day:
            periods.append((start, min(end, last_day), rules.rate_on(start)))
    return periods


def _set_based_items(lo: int, hi: int, only):
    items = LedgerItem.objects.filter(enterprise_id__gte=lo, enterprise_id__lte=hi)
    if only:
        items = items.filter(enterprise_id__in=only)
    return items


def _covered() -> Exists:
    return Exists(Suspension.objects.filter(covering_suspensions()))


def _reduced() -> Exists:
    return Exists(
        LedgerAdjustment.objects.filter(
            item_id=OuterRef("pk"), status=ApprovalStatus.APPROVED, fee_reduction__gt=0
        )
    )


def _formula_items(items):
    """Items the one-statement formula covers. Each condition is a term of its own: under one
    NOT (… OR EXISTS …) PostgreSQL cannot turn the subqueries into anti-joins, runs them once per
    row and JIT-compiles the statement (bench/accrual.py on 1,000,000 items: 39.1 s before, 31.2 s
    after)."""
    return (
        items.filter(principal_paid=0, due_date__gte=COLLECTION_ACT_START)
        .exclude(_covered())
        .exclude(_reduced())
    )


def _needs_engine() -> Q:
    """The other items: the complement of _formula_items."""
    return (
        Q(principal_paid__gt=0)
        | Q(due_date__lt=COLLECTION_ACT_START)
        | Q(_covered())
        | Q(_reduced())
    )


def _set_based_update(lo: int, hi: int, as_of: date, rules: FeeRules, only) -> int:
    _, last = fee_window(date(2000, 1, 1), as_of, rules)  # the last fee day does not depend on D
    table = LedgerItem._meta.db_table
    terms, params = [], []
    for start, end, rate in _rate_periods(rules, last):
        if rate == 0:
            continue
        terms.append(
            f'ROUND("{table}"."principal" * %s * GREATEST(0, %s::date'
            f' - GREATEST("{table}"."due_date" + 1, %s::date) + 1), 6)'
        )
        params += [rate, end, start]
    fee = f"ROUND({' + '.join(terms) or '0'}, 2)"
    if rules.cap_at_principal:
        fee = f'LEAST({fee}, "{table}"."principal")'
    return _formula_items(_set_based_items(lo, hi, only)).update(
        fee_accrued=RawSQL(fee, params), accrued_through=as_of
    )


def _engine_items(lo: int, hi: int, set_based_done: bool, only):
    items = _set_based_items(lo, hi, only)
    if set_based_done:
        items = items.filter(_needs_engine())
    # A fully paid item's fee is final; it only needs computing if it never was.
    return items.exclude(principal_paid=F("principal"), accrued_through__isnull=False)


def _engine_update(
    lo: int, hi: int, as_of: date, rules: FeeRules, set_based_done: bool, only
) -> int:
    items = list(
        _engine_items(lo, hi, set_based_done, only).only(
            "id", "enterprise_id", "period", "insurance_type", "principal", "due_date"
        )
    )
    if not items:
        return 0
    principal_payments: dict[int, list] = {}
    for item_id, paid_on, amount in Allocation.objects.filter(
        item__in=items, principal_amount__gt=0, payment__reversed_at__isnull=True
    ).values_list("item_id", "payment__paid_on", "principal_amount"):
        principal_payments.setdefault(item_id, []).append((paid_on, amount))
    by_enterprise: dict[int, list] = {}
    for item in items:
        by_enterprise.setdefault(item.enterprise_id, []).append(item)
    for enterprise_id, own in by_enterprise.items():
        for item, item_in in zip(own, ledger_items_in(enterprise_id, own), strict=True):
            item.fee_accrued = item_fee(item_in, principal_payments.get(item.id, []), as_of, rules)
            item.accrued_through = as_of
    LedgerItem.objects.bulk_update(items, ["fee_accrued", "accrued_through"], batch_size=2000)
    return len(items)


@transaction.atomic
def accrue_chunk(
    *, lo: int, hi: int, as_of: date, rules: FeeRules | None = None, only=None
) -> ChunkResult:
    """Bring the fee of every item of enterprises lo…hi (or of the ids `only`, all within
    lo…hi) up to `as_of`."""
    rules = rules or fee_rules()
    result = ChunkResult()
    ids = only or Enterprise.objects.filter(pk__gte=lo, pk__lte=hi).values_list("pk", flat=True)
    lock_rows(Enterprise, ids)
    set_based = connection.vendor == "postgresql"
    if set_based:
        result.set_based = _set_based_update(lo, hi, as_of, rules, only)
    result.engine = _engine_update(lo, hi, as_of, rules, set_based_done=set_based, only=only)
    if only:
        balances_refresh(as_of=as_of, enterprise_ids=only)
    else:
        balances_refresh(as_of=as_of, lo=lo, hi=hi)
    return result


def chunk_ranges(chunk_size: int = 2000) -> list[tuple[int, int]]:
    """Enterprise id ranges holding about `chunk_size` enterprises with ledger items each."""
    ids = list(
        LedgerItem.objects.values_list("enterprise_id", flat=True)
        .distinct()
        .order_by("enterprise_id")
    )
    return [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]


def accrue_all(*, as_of: date, chunk_size: int = 2000) -> ChunkResult:
    total, rules = ChunkResult(), fee_rules()
    for lo, hi in chunk_ranges(chunk_size):
        part = accrue_chunk(lo=lo, hi=hi, as_of=as_of, rules=rules)
        total.set_based += part.set_based
        total.engine += part.engine
    return total
