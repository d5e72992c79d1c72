from django.core.management.base import BaseCommand

from arrears.demo import seed_ledger
from enforcement.demo import seed_cases
from enterprises.demo import DEMO_PASSWORD, USERS, seed_county
from reports.demo import seed_reports


class Command(BaseCommand):
    help = "载入演示县的数据（确定性：同一 --seed 得到同样的数据；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--months", type=int, default=36, help="欠费台账的月数")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, enterprises, months, seed, **options):
        county = seed_county(enterprises=enterprises, seed=seed, stdout=self.stdout)
        ledger = seed_ledger(months=max(months, 6), seed=seed)
        cases = seed_cases()
        seed_reports()
        self.stdout.write(
            f"演示数据已就绪：{county['regions']} 个乡镇，新增企业 {county['enterprises_created']} 家，"
            f"欠费企业 {ledger['enterprises_in_arrears']} 家，新增欠费明细 {ledger['items_created']} 条，"
            f"新增缴款 {ledger['payments_created']} 笔，新立案件 {cases['cases']} 件。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, _ in USERS:
            self.stdout.write(f"  {username:<10} {full_name}  {role}")
