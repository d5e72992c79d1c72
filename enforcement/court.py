"""When the court may be asked to enforce a decision (行政强制法 第五十三条、第五十四条).

The party first has its time to apply for review and to sue: 6 months from service (行政诉讼法
第四十六条; the 60 days of review end sooner, so the lawsuit decides), or one year when the
decision did not state the remedies (行诉法解释 第六十四条). The application may follow from the
next day, and not before the 催告书's 十日 have run: ten working days (第六十九条). It must be made
within 3 months after the challenge time ran out (第五十三条).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arrears.models import LedgerItem, Payment, PaymentMethod
from core.calendar import CALENDAR, MONTHS, WORKING, deadline
from core.dates import chinese_date
from core.money import format_yuan
from enforcement.models import CaseEvent, Challenge
from notices.content import item_key, named_items
from notices.models import Document
from notices.types import Body

CHALLENGE_MONTHS = 6
CHALLENGE_MONTHS_WITHOUT_REMEDIES = 12
REMINDER_WORKING_DAYS = 10
APPLICATION_MONTHS = 3
ONE_DAY = timedelta(days=1)
REMINDER_TYPES = ("reminder", "rectification_order")


@dataclass(frozen=True)
class CourtWindow:
    earliest: date  # the first permitted day; a start, so it never moves off a rest day
    latest: date  # the last day of a period, moved off a rest day
    time_to_challenge_ends: date
    reminder_period_ends: date | None


def court_window(
    *,
    decision_served: date,
    remedies_stated: bool = True,
    reminder_served: date | None = None,
    challenged_until: date | None = None,
) -> CourtWindow:
    """`challenged_until`: the last day a concluded review or lawsuit kept the decision open
    (Challenge.open_until); the challenge time then ends no sooner."""
    months = CHALLENGE_MONTHS if remedies_stated else CHALLENGE_MONTHS_WITHOUT_REMEDIES
    challenge_ends = deadline(decision_served, months, MONTHS).day
    if challenged_until is not None:
        challenge_ends = max(challenge_ends, challenged_until)
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


def _open_until(challenge) -> date:
    """After a review decision the party may still sue within 15 days (行政诉讼法 第四十五条);
    a judgment ends the challenge the day it takes effect."""
    if challenge.kind == challenge.Kind.REVIEW:
        return deadline(challenge.concluded_on, 15, CALENDAR).day
    return challenge.concluded_on


def served_reminder(case):
    """The case's latest served, valid 催告书 (or the retired 责令限期改正指令书 that was one)
    for the contributions: a fine's 催告书 is the enforcement unit's (fine_enforcement)."""
    return (
        Document.objects.filter(
            enterprise_id=case.enterprise_id,
            doc_type__in=REMINDER_TYPES,
            status="issued",
            served_on__isnull=False,
            issued_at__gte=case.opened_at,
        )
        .exclude(issuing_body=Body.ENFORCEMENT)
        .order_by("-served_on")
        .first()
    )


def served_reminders(cases) -> dict[int, Document]:
    """served_reminder of many cases in one query (the worklist's reminders): case id → its
    reminder, for the cases that have one."""
    if not cases:
        return {}
    found = (
        Document.objects.filter(
            enterprise_id__in={case.enterprise_id for case in cases},
            doc_type__in=REMINDER_TYPES,
            status="issued",
            served_on__isnull=False,
            issued_at__gte=min(case.opened_at for case in cases),
        )
        .exclude(issuing_body=Body.ENFORCEMENT)
        .order_by("-served_on")
    )
    cases_of: dict[int, list] = {}
    for case in cases:
        cases_of.setdefault(case.enterprise_id, []).append(case)
    reminders = {}
    for document in found:  # the latest served first: each case keeps the first of its own
        for case in cases_of[document.enterprise_id]:
            if case.pk not in reminders and document.issued_at >= case.opened_at:
                reminders[case.pk] = document
    return reminders


def case_court_windows(cases) -> dict[int, CourtWindow]:
    """case_court_window of many cases in at most three queries whatever their number (the
    reminders, the orders, the challenges): case id → its window, for the cases that have one."""
    reminders = served_reminders(cases)
    cases = [case for case in cases if case.pk in reminders]  # without a 催告书, no window
    order_ids = {case.order_id for case in cases if case.order_id}
    orders = Document.objects.in_bulk(order_ids) if order_ids else {}
    decisions = {case.pk: orders.get(case.order_id) or reminders[case.pk] for case in cases}
    challenges: dict[tuple[int, int], list] = {}
    served = [case.pk for case in cases if decisions[case.pk].served_on is not None]
    if served:
        for challenge in Challenge.objects.filter(case_id__in=served):
            challenges.setdefault((challenge.case_id, challenge.decision_id), []).append(challenge)
    windows = {}
    for case in cases:
        decision = decisions[case.pk]
        if decision.served_on is None:
            continue
        window, _ = decision_court_window(
            case,
            decision,
            reminders[case.pk],
            challenges=challenges.get((case.pk, decision.pk), []),
        )
        if window is not None:
            windows[case.pk] = window
    return windows


def case_court_window(case) -> tuple[CourtWindow | None, str]:
    """The window for this case's decision ordering payment, or why there is none yet."""
    reminder = served_reminder(case)
    # Before the 催告书 existed as its own type, the 责令限期改正指令书 was the decision too.
    order = case.order or reminder
    if order is None or order.served_on is None:
        return None, "责令缴纳的决定尚未送达，不能申请法院强制执行（行政强制法第五十三条）。"
    if reminder is None:
        return None, "催告书尚未送达，不能申请法院强制执行（行政强制法第五十四条）。"
    return decision_court_window(case, order, reminder)


def decision_court_window(
    case, decision, reminder, challenges=None
) -> tuple[CourtWindow | None, str]:
    """The window of a served decision and its served 催告书, shifted by the case's concluded
    challenges to that decision; none while one is pending. `challenges`: those challenges when
    the caller has read them already (case_court_windows, for many cases at once)."""
    if challenges is None:
        challenges = list(case.challenges.filter(decision=decision))
    if any(c.concluded_on is None for c in challenges):
        return None, "当事人已对该决定申请行政复议或提起行政诉讼，审理期间不能申请法院强制执行。"
    window = court_window(
        decision_served=decision.served_on,
        remedies_stated=bool(decision.content.get("states_remedies")),
        reminder_served=reminder.served_on,
        challenged_until=max((_open_until(c) for c in challenges), default=None),
    )
    return window, ""


def court_refusal(case, day: date) -> str | None:
    window, reason = case_court_window(case)
    return reason if window is None else court_window_refusal(window, day)


def order_unpaid_principal(order: Document) -> Decimal:
    """What the served order named and is still unpaid: the base of a fine and the most the court
    may be asked for, not whatever is owed today (later months were never ordered)."""
    named = named_items(order)
    return sum(
        (
            item.principal - item.principal_paid
            for item in LedgerItem.objects.filter(enterprise_id=order.enterprise_id)
            if item_key(item.period, item.get_insurance_type_display()) in named
        ),
        Decimal("0"),
    )


def defence_sentence(case, document: Document) -> str:
    """The party's 陈述申辩 on `document` and the review of it, as the court reads it
    (第三十六条); "" when none was made."""
    claims = case.events.filter(kind=CaseEvent.Kind.DEFENCE, document=document).order_by("at")
    reviews = case.events.filter(kind=CaseEvent.Kind.DEFENCE_REVIEW, document=document)
    sentences = [
        f"被申请人于{chinese_date(claim.on_date)}提出陈述、申辩，称：{claim.text.partition('：')[2]}"
        for claim in claims
    ]
    sentences += [f"申请人已记录并复核，认为{r.text.partition('：')[2]}" for r in reviews]
    return "。".join(s.rstrip("。") for s in sentences) + "。" if sentences else ""


def property_sentence(case) -> str:
    """What the account inquiries found (第五十五条 asks for the party's property)."""
    findings = [
        event.text.partition("：")[2]
        for event in case.events.filter(
            kind__in=(CaseEvent.Kind.INQUIRY, CaseEvent.Kind.INQUIRY_SHORT)
        ).order_by("at")
    ]
    return "经查询，" + "；".join(findings) if findings else ""


def performance_sentence(order: Document) -> str:
    """What the party paid of what the order named since it was issued, the transfers apart: the
    court enforces only the rest."""
    ordered = sum(
        (Decimal(row["principal"].replace(",", "")) for row in order.content.get("items", [])),
        Decimal("0"),
    )
    unpaid = order_unpaid_principal(order)
    paid = ordered - unpaid
    if paid <= 0:
        return ""
    transferred = sum(
        Payment.objects.filter(
            enterprise_id=order.enterprise_id,
            method=PaymentMethod.BANK_TRANSFER,
            paid_on__gte=order.issued_on,
            reversed_at__isnull=True,
        ).values_list("amount", flat=True),
        Decimal("0"),
    )
    part = f"（其中经银行划拨 {format_yuan(min(transferred, paid))} 元）" if transferred else ""
    return (
        f"该决定作出后，被申请人已缴纳其所列本金 {format_yuan(paid)} 元{part}，"
        f"尚欠本金 {format_yuan(unpaid)} 元。"
    )


def court_application_extra(case) -> dict:
    """What the center's 强制执行申请书 states (第五十五条): the decision and its service, the
    催告书 and its service, the defence and its review, what was performed and the property
    found. It claims only the months the decision ordered paid."""
    reminder = served_reminder(case)
    order = case.order or reminder
    return {
        "decision_title": order.content.get("title", order.get_doc_type_display()),
        "decision_number": order.number_text,
        "decision_issued_on": chinese_date(order.issued_on),
        "decision_served_on": chinese_date(order.served_on),
        "decision_stated_remedies": bool(order.content.get("states_remedies")),
        "reminder_number": reminder.number_text,
        "reminder_served_on": chinese_date(reminder.served_on),
        "defence": defence_sentence(case, reminder),
        "performed": performance_sentence(order),
        "property": property_sentence(case),
        # An order without rows (issued before rows were frozen) names the debt of its time.
        "named_items": sorted(named_items(order)) or None,
    }


def exposure_refusal(case, day: date) -> str | None:
    """重大劳动保障违法行为社会公布办法: only a decision that is final — served, its time to apply
    for review and to sue run out, no review or lawsuit pending — and still not performed."""
    order = case.order
    if order is None or order.served_on is None:
        return "责令缴纳的决定尚未送达，不能社会公布。"
    challenges = list(case.challenges.filter(decision=order))
    if any(c.concluded_on is None for c in challenges):
        return "当事人对该决定的复议或诉讼尚未审结，决定未生效，不能社会公布。"
    window = court_window(
        decision_served=order.served_on,
        remedies_stated=bool(order.content.get("states_remedies")),
        challenged_until=max((_open_until(c) for c in challenges), default=None),
    )
    if day <= window.time_to_challenge_ends:
        return (
            f"复议和诉讼期限至{chinese_date(window.time_to_challenge_ends)}届满，"
            "决定生效后仍不履行的方可社会公布。"
        )
    return None


def exposure_extra(case) -> dict:
    order = case.order
    return {
        "decision_number": order.number_text,
        "handling": (
            f"{order.content.get('title', order.get_doc_type_display())}（{order.number_text}）"
            f"于{chinese_date(order.served_on)}送达，责令限期缴纳；该单位逾期未申请行政复议、"
            "未提起行政诉讼，至今仍未缴纳。已依法采取催告、查询划拨等措施。"
        ),
    }
