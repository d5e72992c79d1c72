"""行政处罚法 第六十七条、第七十二条、第七十三条: a fine is paid within 15 days of service; after
that it grows by 3 % of the fine a day, not during review or litigation, never beyond the fine.

The calendar of the examples: 2026 国庆 1–7 October off, Saturday 10 October worked;
劳动节 1–5 May off, Saturday 9 May worked.
"""

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from core.money import round_fen
from enforcement.fines import fine_decide, fine_payment_record, fine_status
from enforcement.surcharge import SurchargeQuote, fine_deadline, fine_surcharge
from notices.models import Document
from tests.cases import case_ready_for_fine

# Served Wednesday 2026-09-16: 15 days end on 2026-10-01 (国庆), off through 10-07 → 10-08.
DEADLINE = date(2026, 10, 8)
fines = st.decimals(min_value=D("0"), max_value=D("9999999.99"), places=2)
offsets = st.integers(min_value=-30, max_value=400)
pauses = st.lists(
    st.tuples(st.integers(min_value=-20, max_value=400), st.integers(min_value=0, max_value=60)),
    max_size=4,
).map(
    lambda spans: [
        (DEADLINE + timedelta(days=start), DEADLINE + timedelta(days=start + length))
        for start, length in spans
    ]
)


def _quote(capsys, *args):
    call_command("fine_surcharge", *args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object
    return json.loads(out)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("served", "due"),
    [
        (date(2026, 9, 16), date(2026, 10, 8)),  # ends on 国庆 10-01, moves past the week off
        (date(2026, 11, 1), date(2026, 11, 16)),  # Monday: stays
        (date(2026, 4, 24), date(2026, 5, 9)),  # a worked Saturday after 劳动节: stays
        (date(2026, 11, 6), date(2026, 11, 23)),  # Saturday 11-21 → Monday 11-23
    ],
)
def test_the_fine_is_due_fifteen_days_after_service(served, due):
    assert fine_deadline(served) == due


def test_ten_days_late_is_thirty_percent():
    # 10-09 … 10-18: ten days at 3 % of 10,000.00.
    assert fine_surcharge(fine=D("10000.00"), deadline=DEADLINE, paid_on=date(2026, 10, 18)) == (
        SurchargeQuote(10, D("3000.00"), False)
    )


@pytest.mark.parametrize("paid_on", [date(2026, 9, 30), date(2026, 10, 8)])
def test_nothing_when_paid_on_or_before_the_deadline(paid_on):
    assert fine_surcharge(fine=D("10000.00"), deadline=DEADLINE, paid_on=paid_on) == (
        SurchargeQuote(0, D("0.00"), False)
    )


def test_the_day_after_the_deadline_is_the_first_day_late():
    quote = fine_surcharge(fine=D("10000.00"), deadline=DEADLINE, paid_on=date(2026, 10, 9))
    assert (quote.days, quote.amount) == (1, D("300.00"))


def test_capped_at_the_fine_from_the_thirty_fourth_day():
    # 33 days (10-09 … 11-10) are 99 % of 3,400.00; the 34th (11-11) would make 102 %.
    day_33 = fine_surcharge(fine=D("3400.00"), deadline=DEADLINE, paid_on=date(2026, 11, 10))
    day_34 = fine_surcharge(fine=D("3400.00"), deadline=DEADLINE, paid_on=date(2026, 11, 11))
    assert day_33 == SurchargeQuote(33, D("3366.00"), False)
    assert day_34 == SurchargeQuote(34, D("3400.00"), True)
    # Paid 2026-11-22: 23 days in October and 22 in November, still the fine and no more.
    assert fine_surcharge(fine=D("3400.00"), deadline=DEADLINE, paid_on=date(2026, 11, 22)) == (
        SurchargeQuote(45, D("3400.00"), True)
    )


def test_a_day_rounds_to_the_fen():
    # 333.33 × 3 % = 9.9999 → 10.00.
    quote = fine_surcharge(fine=D("333.33"), deadline=DEADLINE, paid_on=date(2026, 10, 9))
    assert quote.amount == D("10.00")


def test_review_days_are_excluded():
    # 10-09 … 10-22 are 14 days; review 10-12 … 10-15 (4 days, both ends counted) pauses.
    quote = fine_surcharge(
        fine=D("10000.00"),
        deadline=DEADLINE,
        paid_on=date(2026, 10, 22),
        pauses=[(date(2026, 10, 12), date(2026, 10, 15))],
    )
    assert quote == SurchargeQuote(10, D("3000.00"), False)


def test_overlapping_pauses_count_once_and_are_clipped_to_the_late_days():
    # Review 10-12 … 10-15 and lawsuit 10-14 … 10-17 cover 10-12 … 10-17: 6 days, not 8.
    # A pause from 10-01 only covers the late days 10-09 and 10-10; one after the payment
    # covers none. 14 − 6 − 2 = 6 days.
    quote = fine_surcharge(
        fine=D("10000.00"),
        deadline=DEADLINE,
        paid_on=date(2026, 10, 22),
        pauses=[
            (date(2026, 10, 14), date(2026, 10, 17)),
            (date(2026, 10, 12), date(2026, 10, 15)),
            (date(2026, 10, 1), date(2026, 10, 10)),
            (date(2026, 10, 23), date(2026, 11, 30)),
        ],
    )
    assert (quote.days, quote.amount) == (6, D("1800.00"))


def test_a_pause_still_running_lasts_through_the_payment_day():
    # Late 10-09 … 10-22; a lawsuit from 10-20 with no end yet pauses 10-20 … 10-22.
    quote = fine_surcharge(
        fine=D("10000.00"),
        deadline=DEADLINE,
        paid_on=date(2026, 10, 22),
        pauses=[(date(2026, 10, 20), None)],
    )
    assert quote.days == 11


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="起始日晚于结束日"):
        fine_surcharge(
            fine=D("1"),
            deadline=DEADLINE,
            paid_on=DEADLINE,
            pauses=[(date(2026, 10, 15), date(2026, 10, 12))],
        )
    with pytest.raises(ValueError, match="非负"):
        fine_surcharge(fine=D("-1"), deadline=DEADLINE, paid_on=DEADLINE)


@given(fine=fines, late=offsets, paused=pauses)
def test_never_negative_and_never_more_than_the_fine(fine, late, paused):
    quote = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_on=DEADLINE + timedelta(days=late), pauses=paused
    )
    assert D("0") <= quote.amount <= fine
    assert 0 <= quote.days <= max(late, 0)
    uncapped = round_fen(fine * D("0.03") * quote.days)
    assert quote.amount == (fine if quote.capped else uncapped)
    assert quote.capped == (uncapped > fine)


@given(fine=fines, late=offsets, extra=st.integers(min_value=0, max_value=60), paused=pauses)
def test_paying_later_never_costs_less(fine, late, extra, paused):
    paid_on = DEADLINE + timedelta(days=late)
    sooner = fine_surcharge(fine=fine, deadline=DEADLINE, paid_on=paid_on, pauses=paused)
    later = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_on=paid_on + timedelta(days=extra), pauses=paused
    )
    assert later.days >= sooner.days
    assert later.amount >= sooner.amount


@given(fine=fines, late=offsets, paused=pauses)
def test_pauses_in_any_order_and_repeated_give_the_same_quote(fine, late, paused):
    paid_on = DEADLINE + timedelta(days=late)
    once = fine_surcharge(fine=fine, deadline=DEADLINE, paid_on=paid_on, pauses=paused)
    shuffled = fine_surcharge(
        fine=fine, deadline=DEADLINE, paid_on=paid_on, pauses=paused[::-1] + paused
    )
    assert once == shuffled


@pytest.mark.django_db
def test_command_quotes_deadline_days_and_surcharge(capsys):
    assert _quote(capsys, "--fine", "10000", "--served", "2026-09-16", "--paid", "2026-10-18") == {
        "deadline": "2026-10-08",
        "days": 10,
        "surcharge": "3000.00",
    }


@pytest.mark.django_db
def test_command_with_overlapping_pauses_and_the_cap(capsys):
    # As test_overlapping_pauses…: 14 late days, 10-12 … 10-17 paused → 8 days, 2,400.00.
    args = ["--fine", "10000.00", "--served", "2026-09-16", "--paid", "2026-10-22"]
    pauses = ["--pause", "2026-10-12:2026-10-15", "--pause", "2026-10-14:2026-10-17"]
    assert _quote(capsys, *args, *pauses) == {
        "deadline": "2026-10-08",
        "days": 8,
        "surcharge": "2400.00",
    }
    # Served 2026-11-01, due Monday 11-16; paid 2027-01-31: 76 days, capped at 1,700.00.
    assert _quote(capsys, "--fine", "1700", "--served", "2026-11-01", "--paid", "2027-01-31") == {
        "deadline": "2026-11-16",
        "days": 76,
        "surcharge": "1700.00",
    }


@pytest.mark.django_db
def test_command_paid_in_time(capsys):
    assert _quote(capsys, "--fine", "500", "--served", "2026-11-01", "--paid", "2026-11-16") == {
        "deadline": "2026-11-16",
        "days": 0,
        "surcharge": "0.00",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fine", "-1"], "--fine 须为非负金额"),
        (["--fine", "一千"], "--fine 不是金额"),
        (["--fine", "NaN"], "--fine 须为非负金额"),
        (["--fine", "10.005"], "--fine 最多两位小数"),
        (["--served", "2026-02-30"], "--served 不是日期"),
        (["--paid", "明天"], "--paid 不是日期"),
        (["--pause", "2026-10-15:2026-10-12"], "--pause 的起始日晚于结束日"),
        (["--pause", "2026-10-15"], "--pause 应为 FROM:TO"),
        (["--pause", "2026-10-15:10-20"], "--pause 不是日期"),
        (["--served", "9999-12-30"], "超出可计算的日期范围"),
    ],
)
def test_command_refuses_bad_input(args, message):
    options = {"--fine": "1000", "--served": "2026-11-01", "--paid": "2026-12-01"}
    options.update(zip(args[::2], args[1::2], strict=True))
    with pytest.raises(CommandError, match=message):
        call_command("fine_surcharge", *[part for pair in options.items() for part in pair])


def test_a_late_fine_is_owed_with_its_surcharge(county):
    case = case_ready_for_fine(county, "1")
    fine = fine_decide(actor=county.leader, case=case, multiple=D("1"))  # 1,700.00
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
