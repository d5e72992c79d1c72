"""The late-fee engine of DESIGN §3.3: one pure function, no database.

For one ledger item with principal P due on D, principal payments (date, amount), the
enterprise's suspensions and a day A on which it would be paid:
- fee days run from D + 1 to A − 1, or to A when the policy counts the payment day;
- days inside a suspension are not counted;
- each counted day d adds outstanding(d) × rate(d), where outstanding(d) is P minus the
  principal paid before d; when the payment day is not counted, money paid on d also counts
  as paid before d;
- the sum is rounded half-up to the fen once, and capped at P only when the policy says so;
- an item due before the 征缴条例 took effect follows local rules (劳社厅发〔2001〕4号): the
  policy's local daily rate throughout, or, without one, no fee and a flag saying so.

Which suspensions cover which item is the caller's business (arrears.ledger): the engine gets
the intervals that apply to this item.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from core.money import round_fen

COLLECTION_ACT_START = date(1999, 1, 22)  # 社会保险费征缴暂行条例 took effect
NEW_LAW_START = date(2011, 7, 1)  # 社会保险法: 万分之五 from this day
OLD_DAILY_RATE = Decimal("0.002")  # 社会保险费征缴暂行条例: 千分之二 before it
SIX_PLACES = Decimal("0.000001")
ONE_DAY = timedelta(days=1)


class Pre2011:
    SPLIT = "split"  # 0.002 a day for days before 2011-07-01
    NONE = "none"  # no fee for those days
    NEW_RATE = "new-rate"  # the schedule's first rate throughout


@dataclass(frozen=True)
class FeeRules:
    """The parts of the late-fee policy the computation needs."""

    rate_schedule: tuple[tuple[date, Decimal], ...] = ((NEW_LAW_START, Decimal("0.0005")),)
    count_payment_day: bool = True
    pre2011: str = Pre2011.SPLIT
    cap_at_principal: bool = False
    pre1999_rate: Decimal | None = None  # None: no fee, the item is flagged 按当地规定

    def rate_on(self, day: date) -> Decimal:
        if day < NEW_LAW_START:
            if self.pre2011 == Pre2011.SPLIT:
                return OLD_DAILY_RATE
            if self.pre2011 == Pre2011.NONE:
                return Decimal("0")
            return self.rate_schedule[0][1]
        rate = self.rate_schedule[0][1]
        for effective_from, daily_rate in self.rate_schedule:
            if effective_from <= day:
                rate = daily_rate
        return rate

    def rate_changes(self) -> list[date]:
        return [NEW_LAW_START, *(start for start, _ in self.rate_schedule)]


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    principal: Decimal  # outstanding during the segment
    rate: Decimal
    days: int
    fee: Decimal  # 6 decimal places, before the item's one rounding

    def as_dict(self) -> dict:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "principal": f"{self.principal:.2f}",
            "rate": f"{self.rate.normalize():f}",
            "days": self.days,
            "fee": f"{self.fee:.6f}",
        }


@dataclass(frozen=True)
class FeeQuote:
    fee: Decimal
    days: int
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    uncapped_fee: Decimal = Decimal("0.00")
    principal: Decimal = Decimal("0.00")
    local_rule: bool = False  # due before 1999-01-22 and no local rate: 滞纳金按当地规定

    @property
    def exceeds_principal(self) -> bool:
        """DESIGN §3.2: warn when the fee is larger than the principal (capped or not)."""
        return self.uncapped_fee > self.principal

    @property
    def above_principal(self) -> Decimal:
        """The part of the fee above the principal, shown apart (行政强制法 第四十五条 is
        unsettled for this fee)."""
        return max(self.fee - self.principal, Decimal("0.00"))

    def as_dict(self) -> dict:
        return {
            "fee": f"{self.fee:.2f}",
            "days": self.days,
            "exceeds_principal": self.exceeds_principal,
            "segments": [segment.as_dict() for segment in self.segments],
        }


def fee_window(due_date: date, as_of: date, rules: FeeRules) -> tuple[date, date]:
    """First and last fee day (the window is empty when last < first)."""
    last = as_of if rules.count_payment_day else as_of - ONE_DAY
    return due_date + ONE_DAY, last


def compute_late_fee(
    *,
    principal: Decimal,
    due_date: date,
    as_of: date,
    payments: list[tuple[date, Decimal]] = (),
    suspensions: list[tuple[date, date | None]] = (),
    rules: FeeRules = FeeRules(),
) -> FeeQuote:
    if due_date < COLLECTION_ACT_START:
        if rules.pre1999_rate is None:
            return FeeQuote(fee=Decimal("0.00"), days=0, principal=principal, local_rule=True)
        rules = replace(
            rules, rate_schedule=((date(1900, 1, 1), rules.pre1999_rate),), pre2011=Pre2011.NEW_RATE
        )
    first, last = fee_window(due_date, as_of, rules)
    if last < first or principal <= 0:
        return FeeQuote(fee=Decimal("0.00"), days=0, principal=principal)

    # The day from which a payment lowers the outstanding principal.
    shift = ONE_DAY if rules.count_payment_day else timedelta(0)
    reductions: dict[date, Decimal] = {}
    for paid_on, amount in payments:
        effective = paid_on + shift
        reductions[effective] = reductions.get(effective, Decimal("0")) + amount

    cuts = {first, last + ONE_DAY, *reductions, *rules.rate_changes()}
    for start, end in suspensions:
        cuts.add(start)
        if end is not None:
            cuts.add(end + ONE_DAY)
    boundaries = sorted(day for day in cuts if first <= day <= last + ONE_DAY)

    outstanding = principal - sum((a for d, a in reductions.items() if d <= first), Decimal("0"))
    segments: list[Segment] = []
    for start, after in pairwise(boundaries):
        if start != first and start in reductions:
            outstanding -= reductions[start]
        end = after - ONE_DAY
        if outstanding <= 0:
            break
        if _suspended(start, suspensions):
            continue
        rate = rules.rate_on(start)
        if rate == 0:
            continue
        days = (end - start).days + 1
        fee = (outstanding * rate * days).quantize(SIX_PLACES)
        if segments and _continues(segments[-1], start, outstanding, rate):
            previous = segments.pop()
            start, days, fee = previous.start, previous.days + days, previous.fee + fee
        segments.append(Segment(start, end, outstanding, rate, days, fee))

    uncapped = round_fen(sum((s.fee for s in segments), Decimal("0")))
    fee = min(uncapped, principal) if rules.cap_at_principal else uncapped
    return FeeQuote(
        fee=fee,
        days=sum(s.days for s in segments),
        segments=tuple(segments),
        uncapped_fee=uncapped,
        principal=principal,
    )


def _suspended(day: date, suspensions) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in suspensions)


def _continues(previous: Segment, start: date, outstanding: Decimal, rate: Decimal) -> bool:
    # Cuts that change nothing (a schedule entry repeating the rate) do not split a segment.
    return (
        previous.end + ONE_DAY == start
        and previous.principal == outstanding
        and previous.rate == rate
    )
