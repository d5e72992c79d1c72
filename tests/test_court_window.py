"""行政强制法 第五十三条、第五十四条: the window for applying to the court.

The calendar of the examples (State Council arrangements; 2027 has none in the table, so only
its weekends and statutory holidays rest):
2025 国庆/中秋 1–8 October off, Sunday 28 September and Saturday 11 October worked;
2026 春节 15–23 February off; 2026 中秋 Friday 25 September off; 2026 国庆 1–7 October off,
Saturday 10 October worked; 2027 春节 under 国务院令第795号: 除夕 5 February to 初三 8 February.
"""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from core.models import CalendarYear, Holiday
from enforcement.court import CourtWindow, court_window, court_window_refusal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2027_arrangement():
    CalendarYear.objects.filter(year=2027).delete()
    Holiday.objects.filter(date__year=2027).delete()


def _window(capsys, *args):
    call_command("court_window", *args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object
    return json.loads(out)


def test_six_months_ending_on_national_day_move_to_the_next_working_day():
    # Served Wednesday 2026-04-01: six months end on Thursday 2026-10-01 (国庆), off through
    # 10-07, so the time to sue ends Thursday 10-08 and the court may be asked from Friday 10-09.
    # Three months after 10-08: Friday 2027-01-08, a working day.
    assert court_window(decision_served=date(2026, 4, 1)) == CourtWindow(
        earliest=date(2026, 10, 9),
        latest=date(2027, 1, 8),
        time_to_challenge_ends=date(2026, 10, 8),
        reminder_period_ends=None,
    )


def test_six_months_ending_in_the_spring_festival_and_three_months_ending_on_a_sunday():
    # Served Monday 2025-08-18: six months end Wednesday 2026-02-18, inside 春节 (15–23 Feb),
    # so on Tuesday 02-24; earliest Wednesday 02-25. Three months after 02-24 is Sunday
    # 2026-05-24, moved to Monday 05-25.
    window = court_window(decision_served=date(2025, 8, 18))
    assert (window.time_to_challenge_ends, window.earliest, window.latest) == (
        date(2026, 2, 24),
        date(2026, 2, 25),
        date(2026, 5, 25),
    )


def test_a_late_reminder_decides_the_earliest_day_across_national_day_2025():
    # Decision served 2025-03-20: six months end Saturday 2025-09-20, moved to Monday 09-22.
    # 催告书 served Thursday 2025-09-25; its ten working days: 09-26 (1), Sunday 09-28 worked
    # (2), 09-29 (3), 09-30 (4), 10-01…10-08 off, 10-09 (5), 10-10 (6), Saturday 10-11 worked
    # (7), 10-13 (8), 10-14 (9), Wednesday 10-15 (10). Earliest 10-16, not 09-23.
    # Three months after 09-22: Monday 2025-12-22.
    assert court_window(
        decision_served=date(2025, 3, 20), reminder_served=date(2025, 9, 25)
    ) == CourtWindow(
        earliest=date(2025, 10, 16),
        latest=date(2025, 12, 22),
        time_to_challenge_ends=date(2025, 9, 22),
        reminder_period_ends=date(2025, 10, 15),
    )


def test_an_early_reminder_leaves_the_challenge_time_deciding():
    # Decision served 2026-03-10: six months end Thursday 2026-09-10. The 催告书 of 2026-06-01
    # ran its ten working days in June.
    window = court_window(decision_served=date(2026, 3, 10), reminder_served=date(2026, 6, 1))
    assert window.earliest == date(2026, 9, 11)
    assert window.reminder_period_ends == date(2026, 6, 15)  # 2–5, 8–12, 15 June


def test_without_stated_remedies_a_year_and_earliest_does_not_move_off_a_holiday():
    # Served Tuesday 2025-09-30 without remedies: twelve months end Wednesday 2026-09-30, so the
    # first permitted day is 2026-10-01, 国庆 — a start, not the end of a period: it stays.
    # Three months after 09-30: Wednesday 2026-12-30.
    window = court_window(decision_served=date(2025, 9, 30), remedies_stated=False)
    assert (window.time_to_challenge_ends, window.earliest, window.latest) == (
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2026, 12, 30),
    )
    # With remedies stated the same service gives six months: Monday 2026-03-30.
    assert court_window(decision_served=date(2025, 9, 30)).earliest == date(2026, 3, 31)


def test_latest_moves_out_of_the_2027_spring_festival_without_its_arrangement():
    # Served Wednesday 2026-05-06: six months end Friday 2026-11-06. Three months later is
    # Saturday 2027-02-06 (正月初一); 7 February is Sunday and 8 February 初三, all rest days
    # by the statutory holidays alone, so the last day is Tuesday 2027-02-09.
    assert court_window(decision_served=date(2026, 5, 6)).latest == date(2027, 2, 9)


def test_refusals_name_the_dates_and_the_article():
    window = court_window(decision_served=date(2026, 4, 1))  # 2026-10-09 … 2027-01-08
    assert court_window_refusal(window, date(2026, 10, 8)) == (
        "复议和诉讼期限至2026年10月8日届满，自2026年10月9日起方可申请法院强制执行"
        "（行政强制法第五十三条）。"
    )
    assert court_window_refusal(window, date(2026, 10, 9)) is None
    assert court_window_refusal(window, date(2027, 1, 8)) is None
    assert court_window_refusal(window, date(2027, 1, 9)) == (
        "申请期限已于2027年1月8日届满（行政强制法第五十三条）。"
    )


def test_refusal_while_the_reminder_days_run():
    window = court_window(decision_served=date(2025, 3, 20), reminder_served=date(2025, 9, 25))
    # 2025-09-30 is after the challenge time (09-22) but inside the 催告书's ten working days.
    assert court_window_refusal(window, date(2025, 9, 30)) == (
        "催告书送达后十个工作日至2025年10月15日届满，自2025年10月16日起方可申请法院强制执行"
        "（行政强制法第五十四条）。"
    )
    assert court_window_refusal(window, date(2025, 10, 16)) is None


def test_a_reminder_served_too_late_leaves_no_day():
    # Challenge time ends 2026-09-10, application time 2026-12-10. 催告书 served Tuesday
    # 2026-12-01: 12-02, 03, 04, 07, 08, 09, 10, 11, 14, 15 → ends 12-15, earliest 12-16.
    window = court_window(decision_served=date(2026, 3, 10), reminder_served=date(2026, 12, 1))
    assert (window.earliest, window.latest) == (date(2026, 12, 16), date(2026, 12, 10))
    assert court_window_refusal(window, date(2026, 12, 9)) == (
        "催告书送达后十个工作日至2026年12月15日届满，晚于申请期限届满日2026年12月10日，"
        "已不能申请法院强制执行（行政强制法第五十三条、第五十四条）。"
    )
    assert "申请期限已于2026年12月10日届满" in court_window_refusal(window, date(2026, 12, 16))


def test_command_prints_the_window(capsys):
    assert _window(capsys, "--decision-served", "2026-04-01") == {
        "earliest": "2026-10-09",
        "latest": "2027-01-08",
    }


def test_command_with_a_reminder_across_the_2026_mid_autumn_and_national_day(capsys):
    # Challenge time ends 2026-09-10. 催告书 served Tuesday 2026-09-22: 09-23 (1), 09-24 (2),
    # Friday 09-25 中秋 off, 09-28 (3), 09-29 (4), 09-30 (5), 10-01…10-07 off, 10-08 (6),
    # 10-09 (7), Saturday 10-10 worked (8), 10-12 (9), Tuesday 10-13 (10) → earliest 10-14.
    # Latest: three months after 09-10, Thursday 2026-12-10.
    args = ("--decision-served", "2026-03-10", "--reminder-served", "2026-09-22")
    assert _window(capsys, *args) == {"earliest": "2026-10-14", "latest": "2026-12-10"}


def test_command_without_remedies(capsys):
    assert _window(capsys, "--decision-served", "2025-09-30", "--no-remedies") == {
        "earliest": "2026-10-01",
        "latest": "2026-12-30",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--decision-served", "2026-13-01"), "--decision-served 不是日期"),
        (("--decision-served", "昨天"), "--decision-served 不是日期"),
        (
            ("--decision-served", "2026-03-10", "--reminder-served", "2026/09/22"),
            "--reminder-served 不是日期",
        ),
        (("--decision-served", "9999-12-01"), "超出可计算的日期范围"),
    ],
)
def test_command_refuses_bad_dates(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("court_window", *args)


def test_command_needs_the_decision_date():
    with pytest.raises(CommandError, match="decision-served"):
        call_command("court_window", "--no-remedies")
