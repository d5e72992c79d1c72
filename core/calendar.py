"""Working days: weekends, statutory holidays and make-up workdays (DESIGN §3.8).

A date in a year without holiday data is never an error: it counts weekends only, and the
result says so (`CalendarAnswer.complete` is False) so that screens can warn.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from core.models import CalendarYear, Holiday

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CalendarAnswer:
    day: date
    complete: bool  # False: some year involved has no holiday data; weekends only were used
    missing_years: tuple[int, ...] = ()

    @property
    def warning(self) -> str:
        if self.complete:
            return ""
        years = "、".join(str(y) for y in self.missing_years)
        return f"{years}年的节假日尚未录入，本期限只排除了周六、周日，请核对。"


class _Calendar:
    """The holiday rows of the years a computation touches, read once."""

    def __init__(self):
        self.overrides: dict[date, bool] = {}
        self.years_loaded: set[int] = set()
        self.known_years = set(CalendarYear.objects.values_list("year", flat=True))
        self.missing: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years_loaded:
            self.years_loaded.add(day.year)
            self.overrides.update(
                Holiday.objects.filter(date__year=day.year).values_list("date", "is_workday")
            )
            if day.year not in self.known_years:
                self.missing.add(day.year)
        return self.overrides.get(day, day.weekday() < 5)

    def answer(self, day: date) -> CalendarAnswer:
        return CalendarAnswer(day, not self.missing, tuple(sorted(self.missing)))


def is_workday(day: date) -> bool:
    return _Calendar().is_workday(day)


def add_working_days(start: date, days: int) -> CalendarAnswer:
    """The `days`-th working day after `start` (the start day itself not counted)."""
    calendar, day, counted = _Calendar(), start, 0
    while counted < days:
        day += ONE_DAY
        if calendar.is_workday(day):
            counted += 1
    return calendar.answer(day)


def add_calendar_days(start: date, days: int) -> CalendarAnswer:
    """`days` calendar days after `start`; a last day that is not a working day moves to the
    next working day (民事诉讼法 第八十五条)."""
    calendar = _Calendar()
    day = start + timedelta(days=days)
    while not calendar.is_workday(day):
        day += ONE_DAY
    return calendar.answer(day)
