import json
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from arrears.engine import compute_late_fee
from arrears.policy import current_policy, due_date_for, fee_rules
from core.commands import date_option


def _period(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"not a period (YYYY-MM): {text}") from None


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"not an amount: {text}") from None
    if not amount.is_finite() or amount < 0:
        raise CommandError(f"not an amount: {text}")
    return amount


class Command(BaseCommand):
    help = "滞纳金试算：按 DESIGN §4 的参数输出一个 JSON 对象。未给的选项取本系统的滞纳金政策。"

    def add_arguments(self, parser):
        parser.add_argument("--principal", required=True)
        due = parser.add_mutually_exclusive_group(required=True)
        due.add_argument("--due", help="应缴截止日 YYYY-MM-DD")
        due.add_argument(
            "--period", help="费款所属期 YYYY-MM：截止日按滞纳金政策和工作日历确定，输出 due"
        )
        parser.add_argument("--as-of", required=True, help="缴款日 YYYY-MM-DD")
        parser.add_argument("--paid", action="append", default=[], help="YYYY-MM-DD:AMOUNT，可重复")
        day = parser.add_mutually_exclusive_group()
        day.add_argument("--count-payment-day", dest="count_day", action="store_true", default=None)
        day.add_argument("--no-count-payment-day", dest="count_day", action="store_false")
        parser.add_argument("--pre2011", choices=["split", "none", "new-rate"])
        parser.add_argument(
            "--suspend", action="append", default=[], help="FROM:TO 或 FROM:（至今），可重复"
        )

    def handle(self, *args, **options):
        policy = current_policy()
        rules = fee_rules(policy)
        overrides = {}
        if options["count_day"] is not None:
            overrides["count_payment_day"] = options["count_day"]
        if options["pre2011"]:
            overrides["pre2011"] = options["pre2011"]
        rules = replace(rules, **overrides)
        payments = []
        for text in options["paid"]:
            when, _, amount = text.partition(":")
            payments.append((date_option("--paid", when), _amount(amount)))
        suspensions = []
        for text in options["suspend"]:
            start, _, end = text.partition(":")
            suspensions.append(
                (date_option("--suspend", start), date_option("--suspend", end) if end else None)
            )
        due = (
            date_option("--due", options["due"])
            if options["due"]
            else due_date_for(_period(options["period"]), policy)
        )
        quote = compute_late_fee(
            principal=_amount(options["principal"]),
            due_date=due,
            as_of=date_option("--as-of", options["as_of"]),
            payments=payments,
            suspensions=suspensions,
            rules=rules,
        )
        result = quote.as_dict()
        if options["period"]:
            result["due"] = due.isoformat()
        self.stdout.write(json.dumps(result, ensure_ascii=False))
