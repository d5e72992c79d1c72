from datetime import date

from django.core.management.base import BaseCommand

from arrears.accrual import accrue_all
from core.dates import today


class Command(BaseCommand):
    help = "计算全部欠费明细截至某日的滞纳金（夜间任务的手动版本；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD，默认今天")

    def handle(self, *args, as_of=None, **options):
        as_of = as_of or today()
        result = accrue_all(as_of=as_of)
        self.stdout.write(
            f"accrued {result.set_based + result.engine} items as of {as_of} "
            f"({result.set_based} set-based, {result.engine} by the engine)"
        )
