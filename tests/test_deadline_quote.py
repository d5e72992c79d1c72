import json

import pytest
from django.core.management import CommandError, call_command

from core.models import CalendarYear, Holiday


def _quote(capsys, start, days, unit):
    call_command("deadline_quote", "--start", start, "--days", str(days), "--unit", unit)
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object
    return json.loads(out)


def test_calendar_days_ending_on_new_years_day_without_2027_data(db, capsys):
    CalendarYear.objects.filter(year=2027).delete()
    Holiday.objects.filter(date__year=2027).delete()
    # 2026-12-17 + 15 days = 2027-01-01 (Friday, 元旦, a statutory holiday even without the
    # year's arrangement); Saturday and Sunday follow, so Monday 2027-01-04.
    assert _quote(capsys, "2026-12-17", 15, "calendar") == {
        "last_day": "2027-01-04",
        "calendar_complete": False,
    }


def test_working_days_across_the_2026_national_day_week(db, capsys):
    # Served Tuesday 2026-09-29. Day 1 Wed 09-30; 10-01 … 10-07 off; day 2 Thu 10-08, day 3
    # Fri 10-09, day 4 Sat 10-10 (make-up workday), Sunday 10-11 off, day 5 Mon 10-12.
    assert _quote(capsys, "2026-09-29", 5, "working") == {
        "last_day": "2026-10-12",
        "calendar_complete": True,
    }


def test_calendar_days_ending_on_a_make_up_saturday_do_not_move(db, capsys):
    # 2026-04-24 + 15 days = Saturday 2026-05-09, a make-up workday after 劳动节: it stays.
    assert _quote(capsys, "2026-04-24", 15, "calendar") == {
        "last_day": "2026-05-09",
        "calendar_complete": True,
    }
    # A week later, 2026-05-16 is an ordinary Saturday and moves to Monday 05-18.
    assert _quote(capsys, "2026-05-01", 15, "calendar")["last_day"] == "2026-05-18"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2026-13-01", "--days", "5", "--unit", "working"], "--start 不是日期"),
        (["--start", "2026-09-29", "--days", "five", "--unit", "working"], "--days 不是整数"),
        (["--start", "2026-09-29", "--days", "0", "--unit", "working"], "--days 须在 1 到"),
        (["--start", "2026-09-29", "--days", "-3", "--unit", "calendar"], "--days 须在 1 到"),
        (["--start", "2026-09-29", "--days", "5", "--unit", "months"], "invalid choice"),
        (["--start", "9999-12-30", "--days", "5", "--unit", "calendar"], "超出可计算的日期范围"),
        (["--days", "5", "--unit", "working"], "--start"),
    ],
)
def test_bad_input_is_a_command_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("deadline_quote", *args)
