"""The deployment's late-fee policy as the engine and the ledger need it."""

import calendar
from datetime import date
from decimal import Decimal

from arrears.engine import FeeRules
from arrears.models import DueRule, LateFeePolicy, LateFeeRate
from core.calendar import next_working_day

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
        pre1999_rate=policy.pre1999_daily_rate,
    )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_after(period: date) -> tuple[int, int]:
    return (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)


def statutory_due_date(period: date, policy: LateFeePolicy) -> date:
    """The due date the rule names, before any move off a rest day."""
    if policy.due_rule == DueRule.PERIOD_MONTH_END:
        return _month_end(period.year, period.month)
    year, month = _month_after(period)
    if policy.due_rule == DueRule.NEXT_MONTH_DAY:
        return date(year, month, policy.due_day)
    return _month_end(year, month)


def due_date_for(period: date, policy: LateFeePolicy) -> date:
    """Last day the contribution for `period` could be paid without a fee (DESIGN §3.1): the
    rule's day, moved to the next working day when it is a rest day and the policy says so
    (民法典 第二百零三条; a make-up working Saturday is a working day and does not move)."""
    day = statutory_due_date(period, policy)
    if policy.due_moves_off_rest_day:
        return next_working_day(day).day
    return day


def current_period(paid_on: date, policy: LateFeePolicy) -> date:
    """The period whose contribution falls due in the month of `paid_on`: the 当期 a payment
    settles first (劳社厅发〔2001〕4号: 首先要确保及时足额缴纳当期社会保险费)."""
    first = date(paid_on.year, paid_on.month, 1)
    if policy.due_rule == DueRule.PERIOD_MONTH_END:
        return first
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
