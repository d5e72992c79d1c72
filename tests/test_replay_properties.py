"""Hypothesis: the allocation rules hold for any history (DESIGN §3.5): money stays in its
fund, named and current periods come first, nothing is lost."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.engine import FeeRules
from arrears.models import AllocationOrder
from arrears.replay import ItemIn, PaymentIn, replay

START = date(2020, 1, 1)
amounts = st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2)
FUND_NAMES = ["pension", "unemployment"]
FUNDS = st.sampled_from(FUND_NAMES)


@st.composite
def histories(draw):
    periods = draw(st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True))
    items = []
    for n, months in enumerate(periods):
        period = date(START.year + months // 12, months % 12 + 1, 1)
        fund = draw(FUNDS)
        items.append(ItemIn(n + 1, period, fund, draw(amounts), period + timedelta(days=61)))
    periods = sorted({i.period for i in items})
    payments = [
        PaymentIn(
            n + 1,
            START + timedelta(days=draw(st.integers(0, 2000))),
            draw(amounts),
            draw(FUNDS),
            tuple(draw(st.lists(st.sampled_from(periods), max_size=2, unique=True))),
        )
        for n in range(draw(st.integers(0, 6)))
    ]
    order = draw(st.sampled_from([AllocationOrder.ITEM_BY_ITEM, AllocationOrder.PRINCIPAL_FIRST]))
    return items, payments, order


def _run(items, payments, order, as_of=date(2026, 11, 22)):
    return replay(items=items, payments=payments, rules=FeeRules(), order=order, as_of=as_of)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_allocations_sum_exactly_to_each_payment_with_the_rest_as_credit(history):
    items, payments, order = history
    result = _run(items, payments, order)
    allocated = sum((p + f for _, _, p, f in result.allocations), D("0"))
    assert allocated + result.credit == sum((p.amount for p in payments), D("0"))
    fund_of = {item.id: item.insurance_type for item in items}
    for payment in payments:
        mine = sum((p + f for pay, _, p, f in result.allocations if pay == payment.id), D("0"))
        assert mine <= payment.amount
        # 社会保险法 第六十四条: a pension payment never pays an unemployment item.
        assert all(
            fund_of[item] == payment.insurance_type
            for pay, item, _, _ in result.allocations
            if pay == payment.id
        )
    for item in items:
        state = result.items[item.id]
        assert D("0") <= state.principal_paid <= item.principal
        assert state.fee_paid <= state.fee_accrued


@settings(max_examples=150, deadline=None)
@given(histories())
def test_paying_everything_leaves_zero_principal_and_zero_fee(history):
    items, payments, order = history
    day = date(2026, 11, 22)
    owed = _run(items, payments, order, as_of=day)
    total = sum((i.principal - owed.items[i.id].principal_paid for i in items), D("0"))
    total += sum((owed.items[i.id].fee_accrued - owed.items[i.id].fee_paid for i in items), D("0"))
    settle = [PaymentIn(900 + n, day, total + D("0.01"), fund) for n, fund in enumerate(FUND_NAMES)]
    result = _run(items, [*payments, *settle], order, as_of=day)
    for item in items:
        state = result.items[item.id]
        assert state.principal_paid == item.principal
        assert state.fee_paid == state.fee_accrued


@settings(max_examples=150, deadline=None)
@given(histories(), st.randoms())
def test_the_order_of_same_day_postings_does_not_change_totals(history, rng):
    items, payments, order = history
    same_day = [PaymentIn(p.id, date(2024, 6, 1), p.amount, p.insurance_type) for p in payments]
    shuffled = [
        PaymentIn(n + 1, p.paid_on, p.amount, p.insurance_type)
        for n, p in enumerate(rng.sample(same_day, len(same_day)))
    ]
    first, second = _run(items, same_day, order), _run(items, shuffled, order)
    assert first.credit == second.credit
    for item in items:
        assert first.items[item.id].principal_paid == second.items[item.id].principal_paid
        assert first.items[item.id].fee_paid == second.items[item.id].fee_paid


@settings(max_examples=150, deadline=None)
@given(histories())
def test_a_payment_settles_its_first_periods_before_any_other(history):
    items, payments, order = history
    result = _run(items, payments, order)
    by_id = {item.id: item for item in items}
    for payment in payments:
        mine = [(by_id[i], p, f) for pay, i, p, f in result.allocations if pay == payment.id]
        others = [(item, p) for item, p, _ in mine if item.period not in payment.first]
        if not others:
            continue
        # Money reached another period: each first period of its fund was paid off by then.
        for item in items:
            if item.insurance_type == payment.insurance_type and item.period in payment.first:
                paid = result.items[item.id].principal_payments
                assert sum((a for d, a in paid if d <= payment.paid_on), D("0")) == item.principal
