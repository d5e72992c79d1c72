"""The nightly accrual equals the engine, whatever the history, and can run any number of times."""

import json
from datetime import date, timedelta
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from arrears.accrual import accrue_all, accrue_chunk
from arrears.engine import compute_late_fee
from arrears.ledger import approved_suspensions, intervals_covering
from arrears.models import Allocation, LateFeePolicy, LedgerItem, Suspension
from arrears.policy import fee_rules
from arrears.services import enterprise_rebuild, payment_post
from tests.factories import EnterpriseFactory, LedgerItemFactory, UserFactory

AS_OF = date(2026, 11, 22)


def _engine_fee(item: LedgerItem, as_of: date) -> D:
    payments = list(
        Allocation.objects.filter(
            item=item, principal_amount__gt=0, payment__reversed_at__isnull=True
        ).values_list("payment__paid_on", "principal_amount")
    )
    return compute_late_fee(
        principal=item.principal,
        due_date=item.due_date,
        as_of=as_of,
        payments=payments,
        # The scope read in Python (Suspension.covers), against the accrual's SQL.
        suspensions=intervals_covering(
            approved_suspensions(item.enterprise_id),
            insurance_type=item.insurance_type,
            period=item.period,
            due_date=item.due_date,
        ),
        rules=fee_rules(),
    ).fee


class AccrualEqualsTheEngine(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        months=st.lists(st.integers(0, 220), min_size=1, max_size=5, unique=True),
        amount=st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2),
        paid=st.lists(
            st.tuples(
                st.integers(0, 6000), st.decimals(min_value=D("1"), max_value=D("5000"), places=2)
            ),
            max_size=3,
        ),
        suspend=st.none() | st.tuples(st.integers(0, 6000), st.none() | st.integers(0, 400)),
        count_day=st.booleans(),
        pre2011=st.sampled_from(["split", "none", "new-rate"]),
    )
    def test_random_histories(self, months, amount, paid, suspend, count_day, pre2011):
        LateFeePolicy.objects.filter(pk=1).update(count_payment_day=count_day, pre2011=pre2011)
        enterprise = EnterpriseFactory()
        for month in months:  # periods from 2008 on: across the 2011-07-01 boundary
            LedgerItemFactory(
                enterprise=enterprise,
                period=date(2008 + month // 12, month % 12 + 1, 1),
                unit_amount=amount,
                individual_amount=D("0"),
            )
        if suspend:  # approved before the payments, so every posting replays with it
            start = date(2008, 3, 1) + timedelta(days=suspend[0])
            end = None if suspend[1] is None else start + timedelta(days=suspend[1])
            Suspension.objects.create(
                enterprise=enterprise,
                kind="deferral",
                start=start,
                end=end,
                # The arrears of its first day: items falling due later are not covered, so
                # one enterprise has covered and uncovered items (set-based and engine paths).
                due_before=start,
                reason="r",
                document="d",
                requested_by=UserFactory(),
                status="approved",
                decided_by=UserFactory(),
            )
        for n, (offset, value) in enumerate(paid):
            payment_post(
                actor=None,
                enterprise=enterprise,
                amount=value,
                paid_on=date(2008, 3, 1) + timedelta(days=offset),
                method="self",
                external_ref=f"P{n}",
            )
        accrue_all(as_of=AS_OF)
        for item in LedgerItem.objects.filter(enterprise=enterprise):
            assert item.fee_accrued == _engine_fee(item, AS_OF), (item.period, item.principal_paid)
            assert item.accrued_through == AS_OF


@pytest.fixture
def ledger(db):
    enterprises = [EnterpriseFactory() for _ in range(4)]
    for enterprise in enterprises:
        for month in (1, 2, 3):
            LedgerItemFactory(enterprise=enterprise, period=date(2025, month, 1))
    payment_post(
        actor=None,
        enterprise=enterprises[0],
        amount=D("1500.00"),
        paid_on=date(2025, 6, 1),
        method="self",
        external_ref="X",
    )
    return enterprises


def _snapshot():
    return list(
        LedgerItem.objects.order_by("id").values_list("id", "fee_accrued", "accrued_through")
    )


def test_the_common_case_is_one_set_based_update_on_postgres(ledger):
    result = accrue_all(as_of=AS_OF)
    assert result.set_based == 10  # every item without principal payments
    # Enterprise 0's partly paid February; its paid-off January has a final fee and is skipped.
    assert result.engine == 1


def test_twice_in_a_day_gives_identical_results(ledger):
    accrue_all(as_of=AS_OF)
    first = _snapshot()
    accrue_all(as_of=AS_OF)
    assert _snapshot() == first


def test_missed_nights_are_caught_up_by_construction(ledger):
    accrue_all(as_of=AS_OF)
    direct = _snapshot()
    for day in (AS_OF - timedelta(days=9), AS_OF - timedelta(days=3), AS_OF):
        accrue_all(as_of=day)
    assert _snapshot() == direct


def test_independent_chunks_give_the_same_as_one(ledger):
    accrue_all(as_of=AS_OF)
    whole = _snapshot()
    LedgerItem.objects.update(fee_accrued=0, accrued_through=None)
    ids = [e.pk for e in ledger]
    for lo, hi in ((ids[2], ids[3]), (ids[0], ids[1])):  # out of order, like two workers
        accrue_chunk(lo=lo, hi=hi, as_of=AS_OF)
    assert _snapshot() == whole


def test_command_runs_as_of_a_day(ledger):
    out = StringIO()
    call_command("accrue_late_fees", "--as-of", "2026-11-22", stdout=out)
    assert "accrued 11 items as of 2026-11-22 (10 set-based, 1 by the engine)" in out.getvalue()


def test_verify_finds_a_tampered_cache_and_rebuild_repairs_it(ledger):
    for enterprise in ledger:
        enterprise_rebuild(enterprise_id=enterprise.pk)
    assert _verify() == (0, "checked 4 enterprises: 0 differences")
    LedgerItem.objects.filter(pk=LedgerItem.objects.first().pk).update(fee_accrued=D("1.23"))
    code, text = _verify()
    assert code == 1 and "fee_accrued stored 1.23" in text
    call_command("rebuild_ledger", stdout=StringIO())
    assert _verify()[0] == 0


def _verify():
    out = StringIO()
    try:
        call_command("verify_ledger", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip().splitlines()[-1] if code == 0 else out.getvalue()


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            [
                "--principal",
                "10000.00",
                "--due",
                "2024-01-31",
                "--as-of",
                "2024-03-01",
                "--count-payment-day",
            ],
            {"fee": "150.00", "days": 30},
        ),
        (
            [
                "--principal",
                "1141.87",
                "--due",
                "2016-05-31",
                "--as-of",
                "2016-07-10",
                "--no-count-payment-day",
            ],
            {"fee": "22.27", "days": 39},
        ),
        (
            [
                "--principal",
                "1000",
                "--due",
                "2011-06-20",
                "--as-of",
                "2011-07-11",
                "--pre2011",
                "none",
            ],
            {"fee": "5.50", "days": 11},  # 07-01…07-11, the payment day counted
        ),
        (
            [
                "--principal",
                "1000",
                "--due",
                "2025-02-28",
                "--as-of",
                "2025-03-21",
                "--paid",
                "2025-03-11:400",
                "--suspend",
                "2025-03-01:2025-03-05",
            ],
            {"fee": "6.00", "days": 16},
        ),  # payment day counted: 03-06…03-11 on 1000 (3.00), 03-12…03-21 on 600 (3.00)
    ],
)
def test_latefee_quote_prints_one_json_object(db, args, expected):
    out = StringIO()
    call_command("latefee_quote", *args, stdout=out)
    result = json.loads(out.getvalue())
    assert {k: result[k] for k in ("fee", "days")} == expected
    assert set(result) == {"fee", "days", "exceeds_principal", "segments"}
    assert set(result["segments"][0]) == {"from", "to", "principal", "rate", "days", "fee"}
