from datetime import date

import pytest

from core.calendar import add_calendar_days, add_working_days, is_workday
from core.models import CalendarYear, Holiday


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


def test_a_year_without_data_counts_weekends_only_and_says_so(db):
    answer = add_working_days(date(2027, 1, 29), 5)  # Friday → next Friday
    assert answer.day == date(2027, 2, 5)
    assert not answer.complete and answer.missing_years == (2027,)
    assert "2027年的节假日尚未录入" in answer.warning


def test_entered_holidays_of_a_new_year_are_used(db):
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
