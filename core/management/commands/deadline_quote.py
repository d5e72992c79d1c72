import json

from django.core.management.base import BaseCommand, CommandError

from core.calendar import CALENDAR, WORKING, deadline
from core.commands import date_option

# Ten years: longer than any period the law sets, short enough that a typo cannot keep the
# command counting working days for minutes.
MAX_DAYS = 3660


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise CommandError(f"--days 不是整数：{text}") from None
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"--days 须在 1 到 {MAX_DAYS} 之间：{text}")
    return days


class Command(BaseCommand):
    help = (
        "期限试算：送达日为 --start，次日起算 --days 个工作日或自然日（自然日期限届满日为休息日的，"
        "顺延至其后第一个工作日）。输出一个 JSON 对象。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="送达日 YYYY-MM-DD（当日不计入）")
        parser.add_argument("--days", required=True, help="期限天数")
        parser.add_argument("--unit", required=True, choices=[WORKING, CALENDAR])

    def handle(self, *args, start, days, unit, **options):
        start, days = date_option("--start", start), _days(days)
        try:
            answer = deadline(start, days, unit)
        except OverflowError:
            raise CommandError(f"期限超出可计算的日期范围：{start} 起 {days} 日") from None
        self.stdout.write(
            json.dumps({"last_day": answer.day.isoformat(), "calendar_complete": answer.complete})
        )
