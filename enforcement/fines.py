"""Fines (社会保险法 第八十六条) and their surcharge (行政处罚法 第七十二条): a fine not paid by its deadline grows by 3 % of
the fine a day, never by more than the fine itself."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from arrears.services import refuse_conflicting_repost
from core.audit import AuditAction, log_action
from core.dates import chinese_date, today
from core.money import format_yuan
from enforcement.locking import lock_case, lock_fine
from enforcement.models import Case, CaseEvent, Fine, FinePayment
from enforcement.penalty_procedure import decision_refusal, fine_terms, penalty_state
from enforcement.stages import Stage
from enforcement.surcharge import SurchargeQuote, fine_surcharge
from enforcement.timeline import timeline_event
from notices.services import document_issue
from notices.types import DocumentType


@dataclass(frozen=True)
class FineStatus:
    paid: Decimal
    paid_off_on: date | None  # the day payments reached the fine itself
    surcharge: SurchargeQuote
    outstanding: Decimal  # fine + surcharge − paid


def fine_status(fine: Fine, *, as_of: date) -> FineStatus:
    paid, paid_off_on = Decimal("0"), None
    for payment in fine.payments.order_by("paid_on", "id"):
        paid += payment.amount
        if paid_off_on is None and paid >= fine.amount:
            paid_off_on = payment.paid_on
    deadline = fine.decision.deadline
    # A review or lawsuit against the decision pauses the surcharge (行政处罚法 第七十三条).
    pauses = [
        (c.filed_on, c.concluded_on)
        for c in fine.case.challenges.filter(decision_id=fine.decision_id)
    ]
    surcharge = (
        fine_surcharge(
            fine=fine.amount,
            deadline=deadline,
            paid_on=min(paid_off_on, as_of) if paid_off_on else as_of,
            pauses=pauses,
        )
        if deadline
        else SurchargeQuote(0, Decimal("0.00"), False)
    )
    return FineStatus(paid, paid_off_on, surcharge, fine.amount + surcharge.amount - paid)


def _procedure(case: Case, state: dict) -> str:
    """How the party was heard, as the decision recounts it (第五十九条)."""
    if state["hearing_held"]:
        return f"你单位于{chinese_date(state['hearing_held'].on_date)}参加听证，所提意见已经复核。"
    if case.events.filter(kind=CaseEvent.Kind.DEFENCE_REVIEW, document=state["notice"]).exists():
        return "你单位提出的陈述、申辩意见已经复核。"
    return "你单位在规定期限内未提出陈述、申辩" + (
        "和听证要求。" if state["hearing_right"] else "。"
    )


@transaction.atomic
def fine_decide(*, actor, case: Case, multiple: Decimal, request=None):
    """The head's 行政处罚决定书 for 1–3 × what the served order named and is still unpaid,
    in the enforcement unit's name, after the procedure of penalty_procedure."""
    case = lock_case(case.pk)
    if case.stage != Stage.PENALTY:
        raise ValidationError("只有在“移送处罚”阶段才能作出罚款决定。")
    terms = fine_terms(case, multiple)
    refusal = decision_refusal(case, actor=actor, multiple=multiple, day=today())
    if refusal:
        raise ValidationError(refusal)
    state = penalty_state(case)
    notice = state["notice"]
    decision = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.PENALTY_DECISION,
        enterprise=case.enterprise,
        extra={
            **terms,
            "hearing_right": state["hearing_right"],
            "notice_number": notice.number_text,
            "notice_served_on": chinese_date(notice.served_on),
            "procedure": _procedure(case, state),
        },
        request=request,
    )
    base = Decimal(terms["base_amount"])
    fine = Fine.objects.create(
        case=case,
        principal_base=base,
        multiple=multiple,
        amount=Decimal(terms["fine_amount"]),
        decision=decision,
        decided_by=actor,
    )
    case.current_document = decision
    case.save(update_fields=["current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"罚款决定：{terms['order_number']} 所列未缴本金 {format_yuan(base)} 元的 {multiple} 倍，"
        f"计 {format_yuan(fine.amount)} 元，应于7个工作日内送达",
        document=decision,
    )
    log_action(
        actor=actor,
        action=AuditAction.CREATE,
        obj=fine,
        request=request,
        detail={"amount": str(fine.amount)},
    )
    return fine


@transaction.atomic
def fine_payment_record(*, actor, fine, amount: Decimal, paid_on, external_ref: str, request=None):
    """A payment of the fine: tracked on its own, never allocated to contributions."""
    _, fine = lock_fine(fine.pk)
    existing = fine.payments.filter(external_ref=external_ref).first()
    if existing:
        refuse_conflicting_repost(existing, amount=amount, paid_on=paid_on)
        return existing, False
    if paid_on > today():
        raise ValidationError({"paid_on": "缴款日期不能晚于今天。"})
    # What was owed on the day paid: the fine and its surcharge up to that day, less payments.
    owed = fine_status(fine, as_of=paid_on).outstanding
    if amount <= 0 or amount > owed:
        raise ValidationError(
            {
                "amount": f"截至缴款日罚款及加处罚款尚欠 {format_yuan(owed)} 元，"
                "金额须大于 0 且不超过该数。"
            }
        )
    payment = FinePayment.objects.create(
        fine=fine, amount=amount, paid_on=paid_on, external_ref=external_ref, recorded_by=actor
    )
    remaining = owed - amount
    timeline_event(
        fine.case,
        actor,
        CaseEvent.Kind.PAYMENT,
        f"缴纳罚款 {format_yuan(amount)} 元"
        + ("，罚款及加处罚款已缴清" if remaining == 0 else f"，尚欠 {format_yuan(remaining)} 元"),
    )
    log_action(
        actor=actor,
        action=AuditAction.POST_MONEY,
        obj=payment,
        request=request,
        detail={"fine": fine.pk, "amount": str(amount)},
    )
    return payment, True


def fine_keeps_case_open(case: Case, *, as_of: date) -> str:
    """Why a case whose contributions are paid stays open, or "": its fine is unpaid and the
    enforcement unit has not applied to the court for it (DESIGN §3.9, fine_enforcement)."""
    for fine in case.fines.select_related("decision").filter(court_application__isnull=True):
        outstanding = fine_status(fine, as_of=as_of).outstanding
        if outstanding > 0:
            return f"罚款（{fine.decision.number_text}）尚欠 {format_yuan(outstanding)} 元"
    return ""
