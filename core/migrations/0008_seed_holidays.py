"""Holidays and make-up workdays of 2004–2026 from the chinesecalendar package, frozen here.

Years after those the package knows are entered by the administrator on the calendar page.
"""

from datetime import date, timedelta

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    Holiday = apps.get_model("core", "Holiday")
    CalendarYear = apps.get_model("core", "CalendarYear")
    first, last = 2004, max(day.year for day in chinese_calendar.holidays)
    rows = []
    day = date(first, 1, 1)
    while day.year <= last:
        official = chinese_calendar.is_workday(day)
        if official != (day.weekday() < 5):
            _, name = chinese_calendar.get_holiday_detail(day)
            rows.append(
                Holiday(
                    date=day,
                    is_workday=official,
                    name="调休上班" if official else NAMES.get(name, name or "休息日"),
                )
            )
        day += timedelta(days=1)
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="chinesecalendar") for y in range(first, last + 1)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0007_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
