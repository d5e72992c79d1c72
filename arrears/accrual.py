"""The nightly late-fee accrual (DESIGN §3.3, §5).

Each run computes every open item's fee as of a day from scratch, so running twice, being
killed and rerun, or catching up after missed nights all give the same result. Work splits
into independent chunks by enterprise id range, which several workers can run at once.

The common case — an item no principal has been paid on, of an enterprise without an approved
suspension — is one UPDATE on PostgreSQL: fee = round(Σ over rate periods of principal ×
rate × days, 2), with the same 6-place intermediate rounding as the engine. Everything else
(partly paid items, suspended enterprises, and all items on SQLite, whose arithmetic is
binary floating point) goes through the engine, which is the reference.

A chunk first locks its enterprises (core.locks, the house order), so a payment committed
while the chunk reads cannot be overwritten by a fee computed before it: the payment either
finished before the chunk read, or waits and replays after it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q

from arrears.engine import NEW_LAW_START, FeeRules, compute_late_fee, fee_window
from arrears.ledger import approved_suspensions
from arrears.models import Allocation, LedgerItem, Suspension, SuspensionStatus
from arrears.policy import fee_rules
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


def _set_based_update(lo: int, hi: int, as_of: date, rules: FeeRules, only) -> int:
    _, last = fee_window(date(2000, 1, 1), as_of, rules)  # the last fee day does not depend on D
    terms, params = [], {"as_of": as_of, "lo": lo, "hi": hi, "only": list(only or [])}
    for index, (start, end, rate) in enumerate(_rate_periods(rules, last)):
        if rate == 0:
            continue
        params.update({f"s{index}": start, f"e{index}": end, f"r{index}": rate})
        terms.append(
            f"ROUND(i.principal * %(r{index})s * GREATEST(0, %(e{index})s::date"
            f" - GREATEST(i.due_date + 1, %(s{index})s::date) + 1), 6)"
        )
    fee = f"ROUND({' + '.join(terms) or '0'}, 2)"
    if rules.cap_at_principal:
        fee = f"LEAST({fee}, i.principal)"
    sql = f"""
        UPDATE arrears_ledgeritem AS i
        SET fee_accrued = {fee}, accrued_through = %(as_of)s
        WHERE i.enterprise_id BETWEEN %(lo)s AND %(hi)s
          AND ({"i.enterprise_id = ANY(%(only)s)" if only else "TRUE"})
          AND i.principal_paid = 0
          AND NOT EXISTS (
              SELECT 1 FROM arrears_suspension s
              WHERE s.enterprise_id = i.enterprise_id AND s.status = 'approved')
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _engine_items(lo: int, hi: int, set_based_done: bool, only):
    items = LedgerItem.objects.filter(enterprise_id__gte=lo, enterprise_id__lte=hi)
    if only:
        items = items.filter(enterprise_id__in=only)
    if set_based_done:
        suspended = Suspension.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), status=SuspensionStatus.APPROVED
        )
        items = items.filter(Q(principal_paid__gt=0) | Exists(suspended))
    # A fully paid item's fee is final; it only needs computing if it never was.
    return items.exclude(principal_paid=F("principal"), accrued_through__isnull=False)


def _engine_update(
    lo: int, hi: int, as_of: date, rules: FeeRules, set_based_done: bool, only
) -> int:
    items = list(
        _engine_items(lo, hi, set_based_done, only).only(
            "id", "enterprise_id", "principal", "due_date"
        )
    )
    if not items:
        return 0
    principal_payments: dict[int, list] = {}
    for item_id, paid_on, amount in Allocation.objects.filter(
        item__in=items, principal_amount__gt=0, payment__reversed_at__isnull=True
    ).values_list("item_id", "payment__paid_on", "principal_amount"):
        principal_payments.setdefault(item_id, []).append((paid_on, amount))
    suspensions = {e: approved_suspensions(e) for e in {i.enterprise_id for i in items}}
    for item in items:
        item.fee_accrued = compute_late_fee(
            principal=item.principal,
            due_date=item.due_date,
            as_of=as_of,
            payments=principal_payments.get(item.id, []),
            suspensions=suspensions[item.enterprise_id],
            rules=rules,
        ).fee
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
