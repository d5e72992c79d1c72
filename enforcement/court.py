"""When the court may be asked to enforce a decision (行政强制法 第五十三条、第五十四条).

The party first has its time to apply for review and to sue: 6 months from service (行政诉讼法
第四十六条; the 60 days of review end sooner, so the lawsuit decides), or one year when the
decision did not state the remedies (行诉法解释 第六十四条). The application may follow from the
next day, and not before the 催告书's 十日 have run: ten working days (第六十九条). It must be made
within 3 months after the challenge time ran out (第五十三条).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from core.calendar import MONTHS, WORKING, deadline
from core.dates import chinese_date

CHALLENGE_MONTHS = 6
CHALLENGE_MONTHS_WITHOUT_REMEDIES = 12
REMINDER_WORKING_DAYS = 10
APPLICATION_MONTHS = 3
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class CourtWindow:
    earliest: date  # the first permitted day; a start, so it never moves off a rest day
    latest: date  # the last day of a period, moved off a rest day
    time_to_challenge_ends: date
    reminder_period_ends: date | None


def court_window(
    *, decision_served: date, remedies_stated: bool = True, reminder_served: date | None = None
) -> CourtWindow:
    months = CHALLENGE_MONTHS if remedies_stated else CHALLENGE_MONTHS_WITHOUT_REMEDIES
    challenge_ends = deadline(decision_served, months, MONTHS).day
    earliest = challenge_ends + ONE_DAY
    reminder_ends = None
    if reminder_served is not None:
        reminder_ends = deadline(reminder_served, REMINDER_WORKING_DAYS, WORKING).day
        earliest = max(earliest, reminder_ends + ONE_DAY)
    latest = deadline(challenge_ends, APPLICATION_MONTHS, MONTHS).day
    return CourtWindow(earliest, latest, challenge_ends, reminder_ends)


def court_window_refusal(window: CourtWindow, day: date) -> str | None:
    """Why the court may not be applied to on `day`, or None when it may."""
    if day > window.latest:
        return f"申请期限已于{chinese_date(window.latest)}届满（行政强制法第五十三条）。"
    if window.earliest > window.latest:
        # A 催告书 served too late leaves no day at all: waiting for it would miss 第五十三条.
        return (
            f"催告书送达后十个工作日至{chinese_date(window.reminder_period_ends)}届满，"
            f"晚于申请期限届满日{chinese_date(window.latest)}，已不能申请法院强制执行"
            "（行政强制法第五十三条、第五十四条）。"
        )
    if day >= window.earliest:
        return None
    reminder_decides = (
        window.reminder_period_ends is not None
        and window.reminder_period_ends >= window.time_to_challenge_ends
    )
    if reminder_decides:
        return (
            f"催告书送达后十个工作日至{chinese_date(window.reminder_period_ends)}届满，"
            f"自{chinese_date(window.earliest)}起方可申请法院强制执行（行政强制法第五十四条）。"
        )
    return (
        f"复议和诉讼期限至{chinese_date(window.time_to_challenge_ends)}届满，"
        f"自{chinese_date(window.earliest)}起方可申请法院强制执行（行政强制法第五十三条）。"
    )
