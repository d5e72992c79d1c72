"""The statutory holidays a year without data still knows, checked against the official
arrangements that chinesecalendar carries (2004 up to its last year)."""

from datetime import date

import chinese_calendar
import pytest

from core.calendar import statutory_holidays

OFFICIAL_YEARS = range(2004, max(day.year for day in chinese_calendar.holidays) + 1)

# chinesecalendar's English names of the holidays (as in migration core.0008).
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


@pytest.mark.parametrize("year", OFFICIAL_YEARS)
def test_every_computed_statutory_holiday_is_an_official_holiday(year):
    computed = statutory_holidays(year)
    assert computed
    assert [day for day in computed if chinese_calendar.is_workday(day)] == []
    # The official data names the festival of each day it lists (a weekend inside a break may
    # be unnamed); the name must be ours, which catches a lunar day off by one that happens to
    # fall inside the same week of holidays.
    misnamed = []
    for day, names in computed.items():
        _, official = chinese_calendar.get_holiday_detail(day)
        if official in NAMES and NAMES[official] not in names.split("、"):
            misnamed.append((day, names, official))
    assert misnamed == []


@pytest.mark.parametrize(
    "year, count",
    [
        (2005, 10),  # 1999 text: 元旦 1, 春节 3, 劳动节 3, 国庆 3
        (2010, 11),  # 2007 text: 除夕–初二, 清明, 劳动节 1, 端午, 中秋 added
        (2020, 10),  # 2013 text: 初一–初三; 中秋 fell on 1 October
        (2025, 13),  # 2024 revision: 除夕–初三, 劳动节 1–2 May
        (2027, 13),
    ],
)
def test_each_year_follows_the_text_then_in_force(year, count):
    assert len(statutory_holidays(year)) == count


def test_2027_by_the_almanac():
    # 正月初一 2027 is 6 February; 清明 5 April; 端午 9 June; 中秋 15 September.
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节",
        date(2027, 2, 6): "春节",
        date(2027, 2, 7): "春节",
        date(2027, 2, 8): "春节",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }


def test_the_1999_revision_took_effect_in_september():
    # 国务院令第270号 of 18 September 1999: 劳动节 1999 was still one day, 国庆 already three.
    days = statutory_holidays(1999)
    assert date(1999, 5, 2) not in days and date(1999, 10, 3) in days
