import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from core.commands import date_option
from core.money import round_fen
from enforcement.surcharge import fine_deadline, fine_surcharge


def _fine(text: str) -> Decimal:
    try:
        fine = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"--fine 不是金额：{text}") from None
    if not fine.is_finite() or fine < 0:
        raise CommandError(f"--fine 须为非负金额：{text}")
    if fine != round_fen(fine):
        raise CommandError(f"--fine 最多两位小数（元、角、分）：{text}")
    return fine


def _pause(text: str) -> tuple[date, date | None]:
    start, colon, end = text.partition(":")
    if not colon:
        raise CommandError(f"--pause 应为 FROM:TO（YYYY-MM-DD:YYYY-MM-DD）：{text}")
    start = date_option("--pause", start)
    end = date_option("--pause", end) if end else None
    if end is not None and end < start:
        raise CommandError(f"--pause 的起始日晚于结束日：{text}")
    return start, end


class Command(BaseCommand):
    help = (
        "加处罚款试算（行政处罚法第六十七条、第七十二条、第七十三条）：罚款自送达次日起 15 日内"
        "缴纳（届满日为休息日的顺延），逾期自届满次日至缴款日每日按罚款数额的 3% 加处，"
        "复议或诉讼期间不计，总额不超过罚款。输出一个 JSON 对象。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--fine", required=True, help="罚款金额（元）")
        parser.add_argument("--served", required=True, help="处罚决定送达日 YYYY-MM-DD")
        parser.add_argument("--paid", required=True, help="缴款日 YYYY-MM-DD（当日计入）")
        parser.add_argument(
            "--pause",
            action="append",
            default=[],
            help="复议或诉讼期间 FROM:TO（含首尾两日）或 FROM:（至缴款日），可重复",
        )

    def handle(self, *args, fine, served, paid, pause, **options):
        fine, served, paid = (
            _fine(fine),
            date_option("--served", served),
            date_option("--paid", paid),
        )
        pauses = [_pause(text) for text in pause]
        try:
            due = fine_deadline(served)
        except (OverflowError, ValueError):  # past 9999-12-31
            raise CommandError(f"期限超出可计算的日期范围：{served}") from None
        quote = fine_surcharge(fine=fine, deadline=due, paid_on=paid, pauses=pauses)
        self.stdout.write(
            json.dumps(
                {
                    "deadline": due.isoformat(),
                    "days": quote.days,
                    "surcharge": f"{quote.amount:.2f}",
                }
            )
        )
