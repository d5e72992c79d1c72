from datetime import date

import pytest

from core.calendar import (
    CalendarAnswer,
    add_calendar_days,
    add_working_days,
    deadline,
    is_workday,
    next_working_day,
    one_reading,
)
from core.models import CalendarYear, Holiday


def _forget(year):
    """No arrangement for `year`, whatever a later chinesecalendar seeded."""
    CalendarYear.objects.filter(year=year).delete()
    Holiday.objects.filter(date__year=year).delete()


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (date(2025, 9, 20), 15, date(2025, 10, 9)),  # ends 10-05, inside National Day → 10-09
        (date(2026, 1, 31), 15, date(2026, 2, 24)),  # ends 02-15, inside Spring Festival → 02-24
        (date(2025, 3, 1), 10, date(2025, 3, 11)),  # an ordinary Tuesday stays
    ],
)
def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(db, start, days, expected):
    answer = add_calendar_days(start, days)
    assert (answer.day, answer.complete) == (expected, True)


def test_working_days_skip_holidays_and_count_make_up_workdays(db):
    # 2025-09-28 (Sunday) is a make-up workday; 10-01 … 10-08 are holidays.
    assert add_working_days(date(2025, 9, 26), 5).day == date(2025, 10, 10)
    assert is_workday(date(2025, 9, 28)) and not is_workday(date(2025, 10, 8))


def test_a_year_without_data_skips_weekends_and_statutory_holidays_and_says_so(db):
    _forget(2027)
    # Served Friday 2027-01-29: Mon 02-01 … Thu 02-04 are days 1–4; 02-05 is 除夕 and 02-06 …
    # 02-08 are 初一 … 初三 (2024 revision: 春节 4 days), so day 5 is Tuesday 02-09. Weekends
    # alone would have said Friday 02-05.
    answer = add_working_days(date(2027, 1, 29), 5)
    assert answer.day == date(2027, 2, 9)
    assert not answer.complete and answer.missing_years == (2027,)
    assert "2027年的节假日调休安排尚未录入" in answer.warning
    assert "只排除了周六、周日和法定节假日" in answer.warning


def test_calendar_days_ending_on_new_years_day_of_a_year_without_data(db):
    _forget(2027)
    # Served 2026-12-17, counting begins 12-18: day 15 is 2027-01-01 (Friday, 元旦), then the
    # weekend 01-02/01-03, so the last day is Monday 2027-01-04.
    answer = deadline(date(2026, 12, 17), 15, "calendar")
    assert answer.day == date(2027, 1, 4)
    assert (answer.complete, answer.missing_years) == (False, (2027,))


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2027, 6, 9), date(2027, 6, 10)),  # Wednesday, 端午 (5th of the 5th lunar month)
        (date(2027, 9, 15), date(2027, 9, 16)),  # Wednesday, 中秋 (15th of the 8th lunar month)
        (date(2027, 4, 5), date(2027, 4, 6)),  # Monday, the 清明 solar term
        (date(2027, 5, 1), date(2027, 5, 3)),  # Saturday; 05-02 劳动节, Monday an ordinary day
        (date(2027, 3, 10), date(2027, 3, 10)),  # an ordinary Wednesday stays
    ],
)
def test_next_working_day_in_a_year_without_data(db, day, expected):
    _forget(2027)
    answer = next_working_day(day)
    assert (answer.day, answer.complete) == (expected, False)


def test_next_working_day_follows_the_entered_arrangement(db):
    # 2026: 10-01 … 10-07 off; 10-10 is a make-up working Saturday.
    assert next_working_day(date(2026, 10, 1)) == CalendarAnswer(date(2026, 10, 8), True)
    assert next_working_day(date(2026, 10, 10)) == CalendarAnswer(date(2026, 10, 10), True)
    assert next_working_day(date(2026, 10, 9)).day == date(2026, 10, 9)


def test_the_old_names_are_the_one_deadline(db):
    start = date(2026, 9, 29)
    assert add_working_days(start, 5) == deadline(start, 5, "working")
    assert add_calendar_days(start, 5) == deadline(start, 5, "calendar")


def test_deadline_refuses_an_unknown_unit_or_negative_days(db):
    with pytest.raises(ValueError, match="期限单位"):
        deadline(date(2026, 9, 29), 5, "weeks")
    with pytest.raises(ValueError, match="不能为负数"):
        deadline(date(2026, 9, 29), -1, "working")


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 3, 17), 6, date(2026, 9, 17)),  # the corresponding day, a Thursday
        (date(2026, 3, 31), 6, date(2026, 9, 30)),  # September has no 31st: its last day
        (date(2026, 4, 4), 6, date(2026, 10, 8)),  # 10-04 lies in the National Day holiday
        (date(2026, 8, 31), 6, date(2027, 3, 1)),  # 2027-02-28 is a Sunday
    ],
)
def test_periods_in_months_end_on_the_corresponding_day_or_the_next_working_day(
    db, start, months, expected
):
    _forget(2027)
    assert deadline(start, months, "months").day == expected


def test_an_entered_year_does_not_add_the_statutory_holidays_on_top(db):
    # The administrator's arrangement wins over the rule: had they entered 2027 with 除夕 as a
    # working day (as in 2014–2024), it stays one.
    _forget(2027)
    CalendarYear.objects.create(year=2027, source="人工录入")
    assert is_workday(date(2027, 2, 5))


def test_entered_holidays_of_a_new_year_are_used(db):
    _forget(2027)
    CalendarYear.objects.create(year=2027, source="人工录入")
    Holiday.objects.create(date=date(2027, 2, 1), name="春节")
    answer = add_working_days(date(2027, 1, 29), 5)
    assert (answer.day, answer.complete) == (date(2027, 2, 8), True)


def test_seeded_years_cover_2004_to_2026(db):
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2004, 2027))
    assert Holiday.objects.get(date=date(2026, 2, 16)).name == "春节"


def test_administrator_enters_next_years_holidays(client, county):
    client.force_login(county.sysadmin)
    page = client.get("/calendar/", {"year": 2027}).content.decode()
    assert "2027 年的节假日尚未录入" in page
    response = client.post(
        "/calendar/?year=2027",
        {
            "year": "2027",
            "holidays": "2027-02-05~2027-02-11 春节\n2027-01-01 元旦",
            "workdays": "2027-02-13",
        },
    )
    assert response.status_code == 302
    assert add_working_days(date(2027, 2, 4), 1).day == date(2027, 2, 12)
    assert is_workday(date(2027, 2, 13))
    assert "2027 年的节假日已录入" in client.get("/calendar/", {"year": 2027}).content.decode()


def test_calendar_form_explains_mistakes(client, county):
    client.force_login(county.sysadmin)
    page = client.post(
        "/calendar/", {"year": "2027", "holidays": "2026-10-01 国庆", "workdays": "2027-02-10"}
    )
    text = page.content.decode()
    assert "「2026-10-01 国庆」不在 2027 年" in text and "2027-02-10 不是周末" in text
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_one_reading_reads_the_tables_once_and_keeps_each_answer_its_own(
    db, django_assert_num_queries
):
    _forget(2031)
    alone = [
        add_calendar_days(date(2026, 12, 30), 3),  # runs into 2027
        add_working_days(date(2031, 9, 26), 5),  # 2031 has no arrangement: says so
        add_working_days(date(2026, 9, 25), 5),  # all in 2026: complete
    ]
    with one_reading():
        with django_assert_num_queries(4):  # the arranged years, then 2026, 2027, 2031
            shared = [
                add_calendar_days(date(2026, 12, 30), 3),
                add_working_days(date(2031, 9, 26), 5),
                add_working_days(date(2026, 9, 25), 5),
            ]
        with django_assert_num_queries(0):
            again = add_working_days(date(2031, 9, 26), 5)
    assert shared == alone and again == alone[1]
    assert not alone[1].complete and alone[2].complete  # 2031's gap is not 2026's
    with django_assert_num_queries(2):  # outside the block: read afresh
        add_working_days(date(2026, 9, 25), 5)
