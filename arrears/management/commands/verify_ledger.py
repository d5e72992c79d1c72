import sys
from datetime import date

from django.core.management.base import BaseCommand

from arrears.models import LedgerItem
from arrears.policy import current_policy
from arrears.verify import enterprise_differences
from core.dates import today


class Command(BaseCommand):
    help = "核对台账缓存是否等于从历史推导的结果；有差异则逐条列出并以 1 退出。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="滞纳金的计算日，默认今天（应与最近一次计提一致）",
        )

    def handle(self, *args, as_of=None, **options):
        as_of, policy = as_of or today(), current_policy()
        ids = (
            LedgerItem.objects.values_list("enterprise_id", flat=True)
            .distinct()
            .order_by("enterprise_id")
        )
        problems, checked = [], 0
        for enterprise_id in ids:
            problems += enterprise_differences(enterprise_id, as_of=as_of, policy=policy)
            checked += 1
        for line in problems:
            self.stdout.write(line)
        self.stdout.write(f"checked {checked} enterprises: {len(problems)} differences")
        if problems:
            sys.exit(1)
