from django.core.management.base import BaseCommand

from arrears.models import LedgerItem
from arrears.services import due_dates_refresh, enterprise_rebuild


class Command(BaseCommand):
    help = (
        "按滞纳金政策和工作日历更新应缴截止日，再从缴款、停止计收和政策的历史重建全部台账缓存"
        "（冲抵明细、已缴、滞纳金、预缴余额）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--enterprise", type=int, action="append", help="只重建这些企业（id）")

    def handle(self, *args, enterprise=None, **options):
        moved = due_dates_refresh()
        if moved:
            self.stdout.write(f"due dates moved for {len(moved)} enterprises")
        ids = enterprise or LedgerItem.objects.values_list(
            "enterprise_id", flat=True
        ).distinct().order_by("enterprise_id")
        count = 0
        for enterprise_id in ids:
            enterprise_rebuild(enterprise_id=enterprise_id)
            count += 1
        self.stdout.write(f"rebuilt {count} enterprises")
