"""The nightly accrual over 1,000,000 open items on PostgreSQL (DESIGN §5: ≤ 60 s on 2 cores,
≥ 20× faster than a per-item ORM loop).

    DATABASE_URL=postgres://… REDIS_URL=redis://… python bench/accrual.py [--items 1000000] [--check]

Builds 20,000 enterprises through the ORM with 50 monthly items each in one SQL statement, 1 %
of the enterprises partly paid (the engine path), then times `accrue_all` and, on a sample, the
naive loop: load each item through the ORM, compute its fee with the engine, save it.

`--check` runs on 2,000 items, checks that every open item was accrued, that a second run
changes nothing and that `accrue_all` and the naive loop agree on the sample, and writes no
figures.
"""

import argparse
import time
from datetime import date

from common import create_enterprises, insert_select, record, require, setup_django, stamp

ITEMS_PER_ENTERPRISE = 50
FULL_ITEMS, CHECK_ITEMS = 1_000_000, 2_000
# The naive loop costs milliseconds an item: a sample is timed and the rest extrapolated.
FULL_SAMPLE, CHECK_SAMPLE = 3000, 200
PAY_EVERY_NTH_ENTERPRISE = 100
AS_OF = date(2026, 11, 22)


def build(items: int) -> int:
    """The enterprises and their items; returns the number of items asked for."""
    from arrears.models import LedgerItem
    from enterprises.models import Enterprise

    enterprises = max(1, items // ITEMS_PER_ENTERPRISE)
    create_enterprises(enterprises)
    # A million rows through the ORM would take minutes: one INSERT … SELECT instead, which
    # fills every column the bench does not compute from the model (see insert_select).
    insert_select(
        LedgerItem,
        {
            "enterprise_id": "e.id",
            "insurance_type": "'pension'",
            "period": "make_date(2021 + m / 12, m %% 12 + 1, 1)",
            "unit_amount": "round((500 + (e.id * 37 + m * 11) %% 4000)::numeric, 2)",
            "individual_amount": "round((250 + (e.id * 13 + m) %% 2000)::numeric, 2)",
            "due_date": "(make_date(2021 + (m + 1) / 12, (m + 1) %% 12 + 1, 1)"
            " + interval '1 month - 1 day')::date",
        },
        f'"{Enterprise._meta.db_table}" e CROSS JOIN generate_series(0, %s - 1) AS m',
        [ITEMS_PER_ENTERPRISE],
    )
    return enterprises * ITEMS_PER_ENTERPRISE


def pay_some() -> int:
    from decimal import Decimal

    from arrears.services import payment_post
    from enterprises.models import Enterprise

    paid = 0
    for enterprise in Enterprise.objects.order_by("pk")[::PAY_EVERY_NTH_ENTERPRISE]:
        payment_post(
            actor=None,
            enterprise=enterprise,
            amount=Decimal("20000.00"),
            paid_on=date(2024, 6, 1),
            method="self",
            external_ref="BENCH",
        )
        paid += 1
    return paid


def naive_loop(as_of: date, sample: int) -> tuple[float, dict]:
    """The baseline: one ORM load, one engine call and one UPDATE per item.

    Returns the seconds an item and the fee it computed for each item of the sample."""
    from arrears.engine import compute_late_fee
    from arrears.ledger import approved_suspensions
    from arrears.models import Allocation, LedgerItem
    from arrears.policy import fee_rules

    rules = fee_rules()
    fees = {}
    started = time.perf_counter()
    for item in LedgerItem.objects.order_by("pk")[:sample]:
        payments = list(
            Allocation.objects.filter(
                item=item, principal_amount__gt=0, payment__reversed_at__isnull=True
            ).values_list("payment__paid_on", "principal_amount")
        )
        item.fee_accrued = compute_late_fee(
            principal=item.principal,
            due_date=item.due_date,
            as_of=as_of,
            payments=payments,
            suspensions=approved_suspensions(item.enterprise_id),
            rules=rules,
        ).fee
        item.accrued_through = as_of
        item.save(update_fields=["fee_accrued", "accrued_through"])
        fees[item.pk] = item.fee_accrued
    return (time.perf_counter() - started) / len(fees), fees


def stored_fees() -> dict:
    from arrears.models import LedgerItem

    return dict(LedgerItem.objects.values_list("pk", "fee_accrued"))


def check(*, count, expected, first, after_first, after_rerun, naive_fees) -> None:
    from django.db.models import F

    from arrears.models import LedgerItem

    require(count == expected, f"{count} items built, {expected} asked for")
    not_accrued = (
        LedgerItem.objects.filter(principal_paid__lt=F("principal"))
        .exclude(accrued_through=AS_OF)
        .count()
    )
    require(not not_accrued, f"{not_accrued} open items not accrued through {AS_OF}")
    require(first.set_based > 0, "no item took the set-based path")
    require(first.engine > 0, "no item took the engine path")
    require(after_rerun == after_first, "a second run on the same day changed fees")
    differing = sorted(pk for pk, fee in naive_fees.items() if after_first[pk] != fee)
    require(not differing, f"accrue_all and the per-item loop disagree on items {differing[:10]}")
    require(
        LedgerItem.objects.filter(pk__in=list(naive_fees), principal_paid__gt=0).exists(),
        "the sample holds no paid item, so the engine path went uncompared",
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--items",
        type=int,
        help=f"open items to build (default {FULL_ITEMS:,}, or {CHECK_ITEMS:,} with --check)",
    )
    parser.add_argument(
        "--check", action="store_true", help="small run that checks its results, no figures"
    )
    args = parser.parse_args()
    items = args.items or (CHECK_ITEMS if args.check else FULL_ITEMS)
    setup_django()
    from django.db import connection

    from arrears.accrual import accrue_all
    from arrears.models import LedgerItem

    started = time.perf_counter()
    expected = build(items)
    paid = pay_some()
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{LedgerItem._meta.db_table}"')
    built = time.perf_counter() - started
    count = LedgerItem.objects.count()

    started = time.perf_counter()
    first = accrue_all(as_of=AS_OF)
    nightly = time.perf_counter() - started
    # Reading every fee back is only affordable at the small size.
    after_first = stored_fees() if args.check else None
    started = time.perf_counter()
    accrue_all(as_of=AS_OF)
    rerun = time.perf_counter() - started
    after_rerun = stored_fees() if args.check else None

    per_item, naive_fees = naive_loop(AS_OF, CHECK_SAMPLE if args.check else FULL_SAMPLE)
    naive_total = per_item * count
    if args.check:
        check(
            count=count,
            expected=expected,
            first=first,
            after_first=after_first,
            after_rerun=after_rerun,
            naive_fees=naive_fees,
        )
        print(
            f"accrual --check: {count:,} items built in {built:.1f} s; accrue_all {nightly:.2f} s "
            f"({first.set_based:,} set-based, {first.engine:,} by the engine), again {rerun:.2f} s; "
            f"per-item loop {per_item * 1000:.2f} ms an item, same fees on {len(naive_fees):,} items."
        )
        return
    record(
        "Nightly accrual (bench/accrual.py)",
        [
            stamp(),
            "",
            f"- {count:,} open items of {count // ITEMS_PER_ENTERPRISE:,} enterprises; {paid} enterprises "
            f"partly paid (engine path); data built in {built:.0f} s.",
            f"- `accrue_all`: **{nightly:.1f} s** ({first.set_based:,} items set-based, {first.engine:,} by the engine); "
            f"run again the same day: {rerun:.1f} s. Target ≤ 60 s.",
            f"- Baseline, per-item ORM loop (load, engine, save) on {len(naive_fees):,} items: "
            f"{per_item * 1000:.2f} ms an item, {naive_total:.0f} s extrapolated to {count:,} items.",
            f"- Speed-up: **{naive_total / nightly:.0f}×**. Target ≥ 20×.",
        ],
    )


if __name__ == "__main__":
    main()
