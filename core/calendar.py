"""Working days and deadlines: weekends, statutory holidays and make-up workdays (DESIGN §3.8).

Every deadline goes through `deadline`. The official arrangement of a year (the State Council's
放假安排 with its 调休 make-up days) is in the Holiday table once the year has a CalendarYear row.
A year without one is never an error: its weekends and the statutory holidays of
全国年节及纪念日放假办法 are rest days, and the answer says that the arrangement is missing
(`CalendarAnswer.complete` is False) so that screens can warn.
"""

import calendar as gregorian
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from lunar_python import Lunar

from core.models import CalendarYear, Holiday

ONE_DAY = timedelta(days=1)

WORKING, CALENDAR, MONTHS = "working", "calendar", "months"
Unit = Literal["working", "calendar", "months"]


@dataclass(frozen=True)
class CalendarAnswer:
    day: date
    complete: bool  # False: some year involved has no official arrangement entered
    missing_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        if self.complete:
            return ""
        years = "、".join(str(y) for y in self.missing_years)
        return (
            f"{years}年的节假日调休安排尚未录入，本期限只排除了周六、周日和法定节假日"
            "（元旦、春节、清明、劳动节、端午、中秋、国庆），未计调休，请核对。"
        )


@dataclass(frozen=True)
class _Rules:
    """One text of 全国年节及纪念日放假办法: the holidays every citizen has."""

    in_force: date
    spring: range  # days around 正月初一 (-1 is 除夕)
    labour_days: int  # from 1 May
    national_days: int  # from 1 October
    traditional: bool  # 清明、端午、中秋


# A year without data may lie before 2025 (old arrears), so each day is judged by the text in
# force on it: applying the 2024 revision to 2013 would make 2 May a holiday it never was.
_RULES = (
    _Rules(date(1949, 12, 23), range(0, 3), 1, 2, False),  # 政务院, 1949
    _Rules(date(1999, 9, 18), range(0, 3), 3, 3, False),  # 国务院令第270号
    _Rules(date(2008, 1, 1), range(-1, 2), 1, 3, True),  # 国务院令第513号: 除夕 to 初二
    _Rules(date(2014, 1, 1), range(0, 3), 1, 3, True),  # 国务院令第644号: 初一 to 初三
    _Rules(date(2025, 1, 1), range(-1, 3), 2, 3, True),  # 国务院令第795号 (2024 revision)
)


def _rules_on(day: date) -> _Rules | None:
    in_force = [rules for rules in _RULES if rules.in_force <= day]
    return in_force[-1] if in_force else None


def _lunar_day(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _days_under(rules: _Rules, year: int) -> dict[date, str]:
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar_day(year, 1, 1)
    days.update((new_year + timedelta(days=n), "春节") for n in rules.spring)
    days.update((date(year, 5, n), "劳动节") for n in range(1, rules.labour_days + 1))
    days.update((date(year, 10, n), "国庆节") for n in range(1, rules.national_days + 1))
    if rules.traditional:
        # The lunar year `year` holds the 清明 of the solar year `year` (its table runs from the
        # previous 冬至), and its 端午 and 中秋 always fall in that solar year too.
        qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
        traditional = {
            date(qingming.getYear(), qingming.getMonth(), qingming.getDay()): "清明节",
            _lunar_day(year, 5, 5): "端午节",
            _lunar_day(year, 8, 15): "中秋节",
        }
        for day, name in traditional.items():
            days[day] = f"{days[day]}、{name}" if day in days else name
    return days


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> MappingProxyType[date, str]:
    """The fixed statutory holidays of `year` (before 调休), by the text in force on each day."""
    holidays: dict[date, str] = {}
    for rules in _RULES:
        for day, name in _days_under(rules, year).items():
            if day.year == year and _rules_on(day) is rules:
                holidays[day] = name
    return MappingProxyType(dict(sorted(holidays.items())))  # cached: read-only


class _HolidayRows:
    """The Holiday rows of the years read so far and the years with an official arrangement."""

    def __init__(self):
        self.overrides: dict[date, bool] = {}
        self.years_loaded: set[int] = set()
        self._known_years: set[int] | None = None

    @property
    def known_years(self) -> set[int]:
        if self._known_years is None:
            self._known_years = set(CalendarYear.objects.values_list("year", flat=True))
        return self._known_years

    def load(self, year: int) -> None:
        if year not in self.years_loaded:
            self.years_loaded.add(year)
            self.overrides.update(
                Holiday.objects.filter(date__year=year).values_list("date", "is_workday")
            )


# Within `one_reading()`, the rows every deadline of the block reads: a page listing many clocks
# (今日待办: two or three deadlines a case at 查询划拨 or 移送处罚) read the two tables afresh
# for each one.
_shared_rows: ContextVar[_HolidayRows | None] = ContextVar("holiday_rows", default=None)


@contextmanager
def one_reading():
    """Every deadline computed in the block reads the calendar tables once. For reads only: a
    block that edits the calendar would see the rows as they were when first read."""
    token = _shared_rows.set(_shared_rows.get() or _HolidayRows())  # nested: the outer rows
    try:
        yield
    finally:
        _shared_rows.reset(token)


class _Calendar:
    """One computation over the holiday rows; the years it touched without an arrangement are its
    own, whoever else shares the rows."""

    def __init__(self):
        self.rows = _shared_rows.get() or _HolidayRows()
        self.missing: set[int] = set()

    def is_workday(self, day: date) -> bool:
        self.rows.load(day.year)
        if day.year not in self.rows.known_years:
            self.missing.add(day.year)
        if day in self.rows.overrides:
            return self.rows.overrides[day]
        if day.year in self.missing and day in statutory_holidays(day.year):
            return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def answer(self, day: date) -> CalendarAnswer:
        return CalendarAnswer(day, not self.missing, tuple(sorted(self.missing)))


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day when it has none
    (民法典 第二百零二条)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, gregorian.monthrange(year, month)[1]))


def deadline(start: date, days: int, unit: Unit) -> CalendarAnswer:
    """The last day of a period of `days` working days, calendar days or (unit "months")
    months, served on `start`.

    The day of service is not counted (民法典 第二百零一条). Working days skip rest days and count
    make-up workdays (行政强制法 第六十九条). A calendar or month period whose last day is a rest
    day ends on the next working day (民法典 第二百零三条); a make-up working Saturday does not
    move.
    """
    if days < 0:
        raise ValueError(f"期限长度不能为负数：{days}")
    calendar = _Calendar()
    if unit == WORKING:
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if calendar.is_workday(day):
                counted += 1
    elif unit == CALENDAR:
        day = calendar.next_working_day(start + timedelta(days=days))
    elif unit == MONTHS:
        day = calendar.next_working_day(add_months(start, days))
    else:
        raise ValueError(f"期限单位须为 {WORKING}、{CALENDAR} 或 {MONTHS}：{unit!r}")
    return calendar.answer(day)


def next_working_day(day: date) -> CalendarAnswer:
    """`day` itself when it is a working day, else the first working day after it."""
    calendar = _Calendar()
    return calendar.answer(calendar.next_working_day(day))


def is_workday(day: date) -> bool:
    return _Calendar().is_workday(day)


def add_working_days(start: date, days: int) -> CalendarAnswer:
    return deadline(start, days, WORKING)


def add_calendar_days(start: date, days: int) -> CalendarAnswer:
    return deadline(start, days, CALENDAR)


def arrangement_missing_for_next_year(on: date) -> int | None:
    """The coming year, from 1 November on, while its arrangement is not entered: the State
    Council usually publishes it in late October or November, and deadlines served in December
    already run into January."""
    year = on.year + 1
    if on < date(on.year, 11, 1) or CalendarYear.objects.filter(year=year).exists():
        return None
    return year
