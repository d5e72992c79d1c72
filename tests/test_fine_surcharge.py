"""行政处罚法 第七十二条: a fine unpaid after its deadline grows by 3 % of the fine a day, and the
surcharge never exceeds the fine."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from enforcement.fines import fine_decide, fine_payment_record, fine_status, fine_surcharge
from enforcement.models import Case
from enforcement.services import case_open
from enforcement.stages import Stage
from notices.models import Document

DEADLINE = date(2026, 10, 1)
fines = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
days = st.integers(min_value=-30, max_value=400)


def test_ten_days_late_is_thirty_percent():
    result = fine_surcharge(
        fine=D("3400.00"), deadline=DEADLINE, paid_off_on=None, as_of=date(2026, 10, 11)
    )
    assert (result.days, result.amount, result.capped) == (10, D("1020.00"), False)


def test_capped_at_the_fine_from_the_thirty_fourth_day():
    late = fine_surcharge(
        fine=D("3400.00"), deadline=DEADLINE, paid_off_on=None, as_of=date(2026, 11, 22)
    )
    assert late.days == 52 and late.amount == D("3400.00") and late.capped


def test_paying_off_stops_the_clock():
    result = fine_surcharge(
        fine=D("1000.00"),
        deadline=DEADLINE,
        paid_off_on=date(2026, 10, 3),
        as_of=date(2026, 11, 22),
    )
    assert (result.days, result.amount) == (2, D("60.00"))


@given(fine=fines, late=days)
def test_never_more_than_the_fine_and_nothing_before_the_deadline(fine, late):
    result = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_off_on=None, as_of=DEADLINE + timedelta(days=late)
    )
    assert D("0") <= result.amount <= fine
    if late <= 0:
        assert result.amount == 0


@given(fine=fines, late=st.integers(min_value=0, max_value=400))
def test_grows_with_every_day_late_until_the_cap(fine, late):
    today = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_off_on=None, as_of=DEADLINE + timedelta(days=late)
    )
    tomorrow = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_off_on=None, as_of=DEADLINE + timedelta(days=late + 1)
    )
    assert tomorrow.amount >= today.amount
    # Strictly more each day while a day's 3 % is at least a fen (smaller fines round to steps).
    if fine * D("0.03") >= D("0.01"):
        assert tomorrow.amount > today.amount or tomorrow.amount == fine


def test_a_late_fine_is_owed_with_its_surcharge(county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    Case.objects.filter(pk=case.pk).update(stage=Stage.PENALTY)
    case.refresh_from_db()
    fine = fine_decide(actor=county.caseworker, case=case, multiple=D("1"))  # 1,700.00
    # Served 2026-11-01, due 15 days later: 2026-11-16; 2026-11-22 is 6 days late → 18 %.
    Document.objects.filter(pk=fine.decision_id).update(
        served_on=date(2026, 11, 1), deadline=date(2026, 11, 16)
    )
    fine.refresh_from_db()
    status = fine_status(fine, as_of=date(2026, 11, 22))
    assert (status.surcharge.days, status.surcharge.amount) == (6, D("306.00"))
    assert status.outstanding == D("2006.00")
    with pytest.raises(ValidationError, match=r"尚欠 2,006\.00 元"):
        fine_payment_record(
            actor=county.caseworker,
            fine=fine,
            amount=D("2006.01"),
            paid_on=date(2026, 11, 22),
            external_ref="FK-1",
        )
    fine_payment_record(
        actor=county.caseworker,
        fine=fine,
        amount=D("2006.00"),
        paid_on=date(2026, 11, 22),
        external_ref="FK-1",
    )
    assert fine_status(fine, as_of=date(2026, 12, 31)).outstanding == 0  # the clock stopped
    assert case.events.filter(text__contains="罚款及加处罚款已缴清").exists()
