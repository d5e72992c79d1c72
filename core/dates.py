from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in Asia/Shanghai: every business date is a local date (DESIGN §3)."""
    return timezone.localdate()


def chinese_date(day: date) -> str:
    """GB/T 9704: Arabic numerals without leading zeros, 2026年11月22日."""
    return f"{day.year}年{day.month}月{day.day}日"
