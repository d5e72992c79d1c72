"""DESIGN §3.3 and the cases issue 3 names, each one failing if the rule it states broke."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.engine import FeeRules, Pre2011, compute_late_fee

COUNT_DAY = FeeRules(count_payment_day=True)
DAY_BEFORE = FeeRules(count_payment_day=False)  # the fee runs through the day before payment


def test_the_payment_day_counts_by_default():
    # The tax bureaus' rule (DESIGN §3.2): 1141.87 due 2016-05-31 paid 2016-07-10 → 40 days,
    # 1141.87 × 0.0005 × 40 = 22.8374 → 22.84.
    quote = compute_late_fee(
        principal=D("1141.87"), due_date=date(2016, 5, 31), as_of=date(2016, 7, 10)
    )
    assert (quote.fee, quote.days) == (D("22.84"), 40)


def test_design_check_one_thirty_days_with_payment_day():
    quote = compute_late_fee(
        principal=D("10000.00"), due_date=date(2024, 1, 31), as_of=date(2024, 3, 1), rules=COUNT_DAY
    )
    assert (quote.fee, quote.days) == (D("150.00"), 30)


def test_design_check_two_thirty_nine_days_without_payment_day():
    quote = compute_late_fee(
        principal=D("1141.87"),
        due_date=date(2016, 5, 31),
        as_of=date(2016, 7, 10),
        rules=DAY_BEFORE,
    )
    assert (quote.fee, quote.days) == (D("22.27"), 39)
    assert quote.segments[0].fee == D("22.266465")  # rounded once, at the end


def test_ten_counted_days_on_a_hundred_thousand():
    quote = compute_late_fee(
        principal=D("100000.00"),
        due_date=date(2025, 1, 31),
        as_of=date(2025, 2, 11),
        rules=DAY_BEFORE,
    )
    assert (quote.fee, quote.days) == (D("500.00"), 10)


def test_nothing_before_the_day_after_due():
    assert (
        compute_late_fee(
            principal=D("100"), due_date=date(2025, 1, 31), as_of=date(2025, 2, 1), rules=DAY_BEFORE
        ).fee
        == 0
    )
    one_day = compute_late_fee(
        principal=D("100"), due_date=date(2025, 1, 31), as_of=date(2025, 2, 1), rules=COUNT_DAY
    )
    assert one_day.days == 1


# Due 2011-06-20: days 06-21 … 06-30 (10 days) before the new law, 07-01 … 07-10 (10) after.
PRE = {"principal": D("1000.00"), "due_date": date(2011, 6, 20), "as_of": date(2011, 7, 11)}


def test_2011_boundary_split_uses_two_per_mille_before():
    quote = compute_late_fee(**PRE, rules=FeeRules(count_payment_day=False, pre2011=Pre2011.SPLIT))
    assert [(s.start, s.end, s.rate, s.days) for s in quote.segments] == [
        (date(2011, 6, 21), date(2011, 6, 30), D("0.002"), 10),
        (date(2011, 7, 1), date(2011, 7, 10), D("0.0005"), 10),
    ]
    assert quote.fee == D("25.00")  # 1000 × 0.002 × 10 + 1000 × 0.0005 × 10


def test_2011_boundary_none_charges_nothing_before():
    quote = compute_late_fee(**PRE, rules=FeeRules(count_payment_day=False, pre2011=Pre2011.NONE))
    assert (quote.fee, quote.days) == (D("5.00"), 10)


def test_2011_boundary_new_rate_throughout():
    quote = compute_late_fee(
        **PRE, rules=FeeRules(count_payment_day=False, pre2011=Pre2011.NEW_RATE)
    )
    assert (quote.fee, quote.days, len(quote.segments)) == (D("10.00"), 20, 1)


@pytest.mark.parametrize(
    "rules, first_segment_end, second_principal",
    [
        # Paid 400 on 03-11, day not counted: the fee on 600 starts on the payment day.
        (DAY_BEFORE, date(2025, 3, 10), D("600.00")),
        # Day counted: the payment day still bears the fee on 1000.
        (COUNT_DAY, date(2025, 3, 11), D("600.00")),
    ],
)
def test_partial_payment_splits_the_segment(rules, first_segment_end, second_principal):
    quote = compute_late_fee(
        principal=D("1000.00"),
        due_date=date(2025, 2, 28),
        as_of=date(2025, 3, 21),
        payments=[(date(2025, 3, 11), D("400.00"))],
        rules=rules,
    )
    first, second = quote.segments
    assert (first.start, first.end, first.principal) == (
        date(2025, 3, 1),
        first_segment_end,
        D("1000.00"),
    )
    assert second.principal == second_principal
    assert first.days + second.days == quote.days


def test_suspended_days_are_not_counted():
    quote = compute_late_fee(
        principal=D("1000.00"),
        due_date=date(2025, 2, 28),
        as_of=date(2025, 4, 1),
        suspensions=[(date(2025, 3, 11), date(2025, 3, 20))],
        rules=DAY_BEFORE,
    )
    assert quote.days == 31 - 10
    assert [(s.start, s.end) for s in quote.segments] == [
        (date(2025, 3, 1), date(2025, 3, 10)),
        (date(2025, 3, 21), date(2025, 3, 31)),
    ]


def test_open_ended_bankruptcy_suspension_stops_the_fee_at_acceptance():
    quote = compute_late_fee(
        principal=D("1000.00"),
        due_date=date(2025, 2, 28),
        as_of=date(2026, 11, 22),
        suspensions=[(date(2025, 3, 11), None)],
    )
    assert quote.days == 10


def test_cap_at_principal_only_when_the_policy_says_so():
    old = {"principal": D("100.00"), "due_date": date(2005, 1, 31), "as_of": date(2026, 1, 1)}
    uncapped = compute_late_fee(**old)
    assert uncapped.fee > D("100.00") and uncapped.exceeds_principal
    capped = compute_late_fee(**old, rules=FeeRules(cap_at_principal=True))
    assert capped.fee == D("100.00") and capped.exceeds_principal


def test_rate_schedule_changes_split_segments():
    rules = FeeRules(
        rate_schedule=((date(2011, 7, 1), D("0.0005")), (date(2025, 3, 11), D("0.0003"))),
        count_payment_day=False,
    )
    quote = compute_late_fee(
        principal=D("1000.00"), due_date=date(2025, 2, 28), as_of=date(2025, 3, 21), rules=rules
    )
    assert [(s.rate, s.days) for s in quote.segments] == [(D("0.0005"), 10), (D("0.0003"), 10)]
    assert quote.fee == D("8.00")


# --- properties ---------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)
days = st.integers(min_value=0, max_value=6000)
base = date(2008, 1, 31)


@settings(max_examples=200)
@given(principal=money, due_offset=days, later=st.integers(0, 400), gap=st.integers(1, 400))
def test_fee_never_decreases_as_the_day_moves_forward(principal, due_offset, later, gap):
    due = base + timedelta(days=due_offset)
    first = compute_late_fee(principal=principal, due_date=due, as_of=due + timedelta(days=later))
    second = compute_late_fee(
        principal=principal, due_date=due, as_of=due + timedelta(days=later + gap)
    )
    assert second.fee >= first.fee


@settings(max_examples=200)
@given(
    principal=money,
    due_offset=days,
    span=st.integers(1, 900),
    start=st.integers(0, 900),
    length=st.integers(0, 300),
)
def test_no_fee_accrues_on_suspended_days(principal, due_offset, span, start, length):
    due = base + timedelta(days=due_offset)
    as_of = due + timedelta(days=span)
    suspension = (due + timedelta(days=start), due + timedelta(days=start + length))
    quote = compute_late_fee(
        principal=principal, due_date=due, as_of=as_of, suspensions=[suspension]
    )
    for segment in quote.segments:
        assert segment.end < suspension[0] or segment.start > suspension[1]


@settings(max_examples=200)
@given(principal=money, due_offset=days, span=st.integers(0, 900), count=st.booleans())
def test_segments_add_up_to_the_days_and_the_fee(principal, due_offset, span, count):
    due = base + timedelta(days=due_offset)
    rules = FeeRules(count_payment_day=count)
    quote = compute_late_fee(
        principal=principal, due_date=due, as_of=due + timedelta(days=span), rules=rules
    )
    assert quote.days == sum(s.days for s in quote.segments) == max(0, span - (0 if count else 1))
    assert quote.fee == sum((s.fee for s in quote.segments), D("0")).quantize(
        D("0.01"), "ROUND_HALF_UP"
    )


def test_an_item_due_before_the_collection_act_is_left_to_local_rules():
    # Due 1998-12-31, before the 征缴条例 took effect on 1999-01-22 (劳社厅发〔2001〕4号): no fee
    # is computed and the quote says why.
    quote = compute_late_fee(
        principal=D("1000.00"), due_date=date(1998, 12, 31), as_of=date(2026, 1, 1)
    )
    assert (quote.fee, quote.days, quote.local_rule) == (D("0.00"), 0, True)


def test_a_local_rate_for_those_items_applies_throughout():
    # A county rule of 0.001 a day: 1999-01-01 … 2000-01-01 = 366 days (the payment day
    # counted) × 1000 × 0.001 = 366.00, the same rate before and after 2011-07-01.
    rules = FeeRules(pre1999_rate=D("0.001"))
    quote = compute_late_fee(
        principal=D("1000.00"), due_date=date(1998, 12, 31), as_of=date(2000, 1, 1), rules=rules
    )
    assert (quote.fee, quote.days, quote.local_rule) == (D("366.00"), 366, False)
    later = compute_late_fee(
        principal=D("1000.00"), due_date=date(1998, 12, 31), as_of=date(2011, 7, 10), rules=rules
    )
    assert {s.rate for s in later.segments} == {D("0.001")}
    # An item due on 1999-01-22 itself is under the 条例: 0.002 a day until 2011-06-30.
    after = compute_late_fee(
        principal=D("1000.00"), due_date=date(1999, 1, 22), as_of=date(1999, 1, 31), rules=rules
    )
    assert (after.fee, after.local_rule) == (D("18.00"), False)  # 9 days × 2.00
