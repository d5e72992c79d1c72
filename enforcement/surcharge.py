"""The fine's deadline and its surcharge (行政处罚法 第六十七条、第七十二条、第七十三条).

A fine is paid within 15 days of the decision's service. After that it grows by 3 % of the fine
a day, from the day after the deadline through the payment day, and never by more than the fine.
Days under review or litigation do not count (第七十三条第三款).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from core.calendar import CALENDAR
from core.calendar import deadline as calendar_deadline
from core.money import round_fen, to_decimal

PAYMENT_DAYS = 15
DAILY_SURCHARGE = Decimal("0.03")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SurchargeQuote:
    days: int
    amount: Decimal
    capped: bool  # 3 % a day would have exceeded the fine


def fine_deadline(served: date) -> date:
    return calendar_deadline(served, PAYMENT_DAYS, CALENDAR).day


def _checked(pauses: Iterable[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    pauses = list(pauses)
    for start, end in pauses:
        if end is not None and end < start:
            raise ValueError(f"暂停期间的起始日晚于结束日：{start} 至 {end}")
    return pauses


def _paused_days(first: date, last: date, pauses: list[tuple[date, date | None]]) -> int:
    """Days of first..last inside any pause, each counted once however pauses overlap."""
    clipped = []
    for start, end in pauses:
        # A review or lawsuit still pending pauses the surcharge through the payment day.
        start, end = max(start, first), (last if end is None else min(end, last))
        if start <= end:
            clipped.append((start, end))
    days, counted_through = 0, first - ONE_DAY
    for start, end in sorted(clipped):
        start = max(start, counted_through + ONE_DAY)
        if start <= end:
            days += (end - start).days + 1
            counted_through = end
    return days


def fine_surcharge(
    *,
    fine: Decimal,
    deadline: date,
    paid_on: date,
    pauses: Iterable[tuple[date, date | None]] = (),
) -> SurchargeQuote:
    """`pauses` are inclusive FROM..TO periods of review or litigation; TO None means the pause
    lasted through the payment day."""
    fine = to_decimal(fine)
    if not fine.is_finite() or fine < 0:
        raise ValueError(f"罚款金额须为非负数：{fine}")
    pauses = _checked(pauses)
    first = deadline + ONE_DAY
    days = 0
    if paid_on >= first:
        days = (paid_on - first).days + 1 - _paused_days(first, paid_on, pauses)
    raw = round_fen(fine * DAILY_SURCHARGE * days)
    return SurchargeQuote(days, min(raw, fine), raw > fine)
