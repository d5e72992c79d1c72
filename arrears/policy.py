"""The deployment's late-fee policy as the engine and the ledger need it."""

import calendar
from datetime import date
from decimal import Decimal

from arrears.engine import FeeRules
from arrears.models import DueRule, LateFeePolicy, LateFeeRate

DEFAULT_RATES = ((date(2011, 7, 1), Decimal("0.0005")),)


def current_policy() -> LateFeePolicy:
    """The policy; migration arrears.0002 creates it, and if it was ever removed the DESIGN §3.2
    defaults come back rather than every fee computation failing."""
    policy, created = LateFeePolicy.objects.get_or_create(pk=1)
    if created or not policy.rates.exists():
        for start, rate in DEFAULT_RATES:
            LateFeeRate.objects.get_or_create(
                policy=policy, effective_from=start, defaults={"daily_rate": rate}
            )
    return LateFeePolicy.objects.prefetch_related("rates").get(pk=1)


def fee_rules(policy: LateFeePolicy | None = None) -> FeeRules:
    policy = policy or current_policy()
    schedule = tuple((r.effective_from, r.daily_rate) for r in policy.rates.all())
    return FeeRules(
        rate_schedule=schedule,
        count_payment_day=policy.count_payment_day,
        pre2011=policy.pre2011,
        cap_at_principal=policy.cap_at_principal,
    )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def due_date_for(period: date, policy: LateFeePolicy) -> date:
    """Last day the contribution for `period` could be paid without a fee (DESIGN §3.1)."""
    if policy.due_rule == DueRule.PERIOD_MONTH_END:
        return _month_end(period.year, period.month)
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    if policy.due_rule == DueRule.NEXT_MONTH_DAY:
        return date(year, month, policy.due_day)
    return _month_end(year, month)
