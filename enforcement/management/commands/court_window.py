import json

from django.core.management.base import BaseCommand, CommandError

from core.commands import date_option
from enforcement.court import court_window


class Command(BaseCommand):
    help = (
        "申请法院强制执行的期间试算（行政强制法第五十三条、第五十四条）：复议和诉讼期限"
        "（6 个月，未告知救济途径的 1 年）届满次日起、催告书送达满 10 个工作日后，"
        "至复议和诉讼期限届满后 3 个月。输出一个 JSON 对象。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--decision-served", required=True, help="决定送达日 YYYY-MM-DD（当日不计入）"
        )
        parser.add_argument(
            "--no-remedies",
            dest="remedies_stated",
            action="store_false",
            help="决定未告知复议和诉讼的途径与期限：起诉期限为 1 年",
        )
        parser.add_argument("--reminder-served", help="催告书送达日 YYYY-MM-DD")

    def handle(self, *args, decision_served, remedies_stated, reminder_served, **options):
        decision = date_option("--decision-served", decision_served)
        reminder = date_option("--reminder-served", reminder_served) if reminder_served else None
        try:
            window = court_window(
                decision_served=decision, remedies_stated=remedies_stated, reminder_served=reminder
            )
        except (OverflowError, ValueError):  # past 9999-12-31
            raise CommandError(f"期限超出可计算的日期范围：{decision}") from None
        self.stdout.write(
            json.dumps(
                {"earliest": window.earliest.isoformat(), "latest": window.latest.isoformat()}
            )
        )
