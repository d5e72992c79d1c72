from django.core.management.base import BaseCommand

from enterprises.demo import DEMO_PASSWORD, USERS, seed_county


class Command(BaseCommand):
    help = "载入演示县的数据（确定性：同一 --seed 得到同样的数据；可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--months", type=int, default=36, help="欠费台账的月数")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, enterprises, months, seed, **options):
        summary = seed_county(enterprises=enterprises, seed=seed, stdout=self.stdout)
        self.stdout.write(
            f"演示数据已就绪：{summary['regions']} 个乡镇，新增企业 {summary['enterprises_created']} 家。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, role, _ in USERS:
            self.stdout.write(f"  {username:<10} {full_name}  {role}")
