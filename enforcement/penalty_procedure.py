"""The fine's procedure (行政处罚法; 社会保险法 第八十六条), run in the name of the 人社局's
enforcement unit after the center's referral (移送函): 立案 → 事先告知书, with the right to a
hearing when the fine reaches the threshold → served, and the window passes, or the defence is
reviewed, or the hearing is held → 法制审核 when required → the head's decision, served within
7 working days; the decision comes within 90 days of 立案 (第六十条)."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from arrears.models import Payment, PaymentMethod
from core.audit import AuditAction, log_action
from core.calendar import add_working_days
from core.dates import chinese_date, today
from core.models import User
from core.money import amount_in_capitals, format_yuan, round_fen
from core.roles import has_capability
from enforcement.court import order_unpaid_principal
from enforcement.due_process import defence_waiting
from enforcement.locking import lock_case
from enforcement.models import Case, CaseEvent, Fine
from enforcement.selectors import casework_settings
from enforcement.stages import Stage
from enforcement.timeline import timeline_event
from notices.models import Document
from notices.services import document_issue, issuing_body
from notices.types import Body, DocumentType

DECIDE_WITHIN_DAYS = 90  # 第六十条
SERVE_WITHIN_WORKING_DAYS = 7  # 第六十一条, working days by 第八十五条
HEARING_NOTICE_DAYS = 7  # 第六十四条: notified at least 7 days before the hearing


def _event(case: Case, kind: str) -> CaseEvent | None:
    return case.events.filter(kind=kind).order_by("-at", "-pk").first()


def _latest(case: Case, doc_type: str) -> Document | None:
    return (
        Document.objects.filter(
            enterprise_id=case.enterprise_id,
            doc_type=doc_type,
            status="issued",
            issued_at__gte=case.opened_at,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )


def _decide_by(filed: CaseEvent | None) -> date | None:
    return filed.on_date + timedelta(days=DECIDE_WITHIN_DAYS) if filed else None


def _serve_by(decision: Document | None) -> date | None:
    if decision is None or decision.served_on is not None:
        return None
    return add_working_days(decision.issued_on, SERVE_WITHIN_WORKING_DAYS).day


def penalty_state(case: Case) -> dict:
    """Where the fine's procedure stands, with its clocks, for the guards and the case page."""
    filed = _event(case, CaseEvent.Kind.PENALTY_FILED)
    notice = _latest(case, DocumentType.PENALTY_NOTICE)
    fine = case.fines.select_related("decision").first()
    decision = fine.decision if fine else None
    return {
        "referral": _latest(case, DocumentType.REFERRAL),
        "filed": filed,
        "decide_by": _decide_by(filed),
        "notice": notice,
        "hearing_right": bool(notice and notice.content["extra"].get("hearing_right")),
        "hearing_requested": _event(case, CaseEvent.Kind.HEARING_REQUESTED),
        "hearing_notice": _latest(case, DocumentType.HEARING_NOTICE),
        "hearing_held": _event(case, CaseEvent.Kind.HEARING_HELD),
        "legal_review": _event(case, CaseEvent.Kind.LEGAL_REVIEW),
        "fine": fine,
        "serve_by": _serve_by(decision),
    }


def penalty_clocks_of(cases) -> dict[int, dict]:
    """The clocks of penalty_state — decide_by, fine, serve_by — of many cases in two queries
    whatever their number (the worklist lists every case's clocks): case id → those three."""
    ids = [case.pk for case in cases]
    if not ids:
        return {}
    filed: dict[int, CaseEvent] = {}
    events = CaseEvent.objects.filter(case_id__in=ids, kind=CaseEvent.Kind.PENALTY_FILED)
    for event in events.order_by("-at", "-pk"):  # the latest of each case, as _event reads it
        filed.setdefault(event.case_id, event)
    fines = {}
    for fine in Fine.objects.filter(case_id__in=ids).select_related("decision").order_by("pk"):
        fines.setdefault(fine.case_id, fine)
    return {
        pk: {
            "decide_by": _decide_by(filed.get(pk)),
            "fine": fines.get(pk),
            "serve_by": _serve_by(fines[pk].decision if pk in fines else None),
        }
        for pk in ids
    }


def _in_penalty(case: Case, what: str) -> None:
    if case.stage != Stage.PENALTY:
        raise ValidationError(f"只有在“移送处罚”阶段才能{what}。")


def _log(actor, case, request, **detail) -> None:
    log_action(actor=actor, action=AuditAction.UPDATE, obj=case, request=request, detail=detail)


def _as_evidence(document: Document) -> str:
    title = document.content.get("title", document.get_doc_type_display())
    served = (
        "及送达回证"
        if document.served_on
        else "（未送达）"
        if document.served_on_enterprise
        else ""
    )
    return f"{title}（{document.number_text}）{served}"


def referral_evidence(case: Case, order: Document) -> list[str]:
    """What the unit examines before it proposes a fine (行政处罚法 第四十条、第五十四条): the
    order and every enforcement step after it, each with its service, the party's defence and
    its review, the account inquiries and transfers, and the ledger."""
    evidence = [_as_evidence(order)]
    for doc_type in (
        DocumentType.AUDIT_RESULT,
        DocumentType.AUDIT_OPINION,
        DocumentType.REMINDER,
        DocumentType.ACCOUNT_INQUIRY,
        DocumentType.TRANSFER_DECISION,
        DocumentType.TRANSFER_NOTICE,
    ):
        document = _latest(case, doc_type)
        if document is not None and document.pk != order.pk:
            evidence.append(_as_evidence(document))
    for event in case.events.filter(
        kind__in=(CaseEvent.Kind.DEFENCE, CaseEvent.Kind.DEFENCE_REVIEW)
    ).select_related("document"):
        heard = "陈述申辩记录" if event.kind == CaseEvent.Kind.DEFENCE else "陈述申辩复核意见"
        evidence.append(f"对{event.document.number_text}的{heard}")
    inquiries = case.events.filter(
        kind__in=(CaseEvent.Kind.INQUIRY, CaseEvent.Kind.INQUIRY_SHORT)
    ).count()
    if inquiries:
        evidence.append(f"存款账户查询结果记录（{inquiries}次）")
    transfers = Payment.objects.filter(
        enterprise_id=case.enterprise_id,
        method=PaymentMethod.BANK_TRANSFER,
        paid_on__gte=order.issued_on,
        reversed_at__isnull=True,
    ).count()
    if transfers:
        evidence.append(f"划拨入账凭证（{transfers}笔）")
    evidence.append("欠费明细（社会保险费征收台账）")
    return evidence


def referral_extra(case: Case) -> dict:
    """The 移送函 names the served order and lists the evidence the unit will examine."""
    order = case.order
    if order is None or order.served_on is None:
        raise ValidationError("责令缴纳的决定尚未送达，不能移送处罚。")
    return {
        "unit_name": issuing_body(Body.ENFORCEMENT).name,
        "order_title": order.content.get("title", order.get_doc_type_display()),
        "order_number": order.number_text,
        "order_served_on": chinese_date(order.served_on),
        "evidence": referral_evidence(case, order),
    }


@transaction.atomic
def penalty_file(*, actor, case: Case, filed_on: date, request=None) -> CaseEvent:
    """The enforcement unit accepts the referral (立案); the 90 days run from here."""
    case = lock_case(case.pk)
    _in_penalty(case, "处罚立案")
    state = penalty_state(case)
    if state["filed"]:
        raise ValidationError(f"已于{chinese_date(state['filed'].on_date)}立案。")
    referral = state["referral"]
    if referral is None:
        raise ValidationError("尚无中心的案件移送函，不能立案。")
    if not referral.issued_on <= filed_on <= today():
        raise ValidationError({"filed_on": "立案日期应在移送之后、今天之前。"})
    event = timeline_event(
        case,
        actor,
        CaseEvent.Kind.PENALTY_FILED,
        f"{issuing_body(Body.ENFORCEMENT).name}立案，"
        f"应于{chinese_date(filed_on + timedelta(days=DECIDE_WITHIN_DAYS))}前作出决定",
        document=referral,
        on_date=filed_on,
    )
    _log(actor, case, request, penalty_filed=filed_on.isoformat())
    return event


def fine_terms(case: Case, multiple: Decimal) -> dict:
    if not Decimal("1") <= multiple <= Decimal("3"):
        raise ValidationError(
            {"multiple": "罚款为欠缴数额的一倍以上三倍以下（社会保险法第八十六条）。"}
        )
    order = case.order
    base = order_unpaid_principal(order)
    if base <= 0:
        raise ValidationError("责令缴纳决定所列社会保险费已缴清，不能处罚。")
    fine = round_fen(base * multiple)
    return {
        "order_title": order.content.get("title", order.get_doc_type_display()),
        "order_number": order.number_text,
        "order_served_on": chinese_date(order.served_on),
        "fine_base": format_yuan(base),
        "fine_base_capitals": amount_in_capitals(base),
        "fine_multiple": str(multiple),
        "fine": format_yuan(fine),
        "fine_capitals": amount_in_capitals(fine),
        "fine_amount": str(fine),
        "base_amount": str(base),
    }


@transaction.atomic
def penalty_notice_issue(*, actor, case: Case, multiple: Decimal, request=None) -> Document:
    """The 事先告知书 (第四十四条、第四十五条): the fine proposed on the order's unpaid
    contributions, and the right to a hearing when it reaches the threshold (第六十三条)."""
    case = lock_case(case.pk)
    _in_penalty(case, "出具行政处罚事先告知书")
    state = penalty_state(case)
    if state["filed"] is None:
        raise ValidationError("请先登记处罚立案。")
    if state["fine"] is not None:
        raise ValidationError("本案欠费已作出罚款决定，不得再次处罚（行政处罚法第二十九条）。")
    terms = fine_terms(case, multiple)
    terms["hearing_right"] = Decimal(terms["fine_amount"]) >= casework_settings().hearing_threshold
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.PENALTY_NOTICE,
        enterprise=case.enterprise,
        extra=terms,
        request=request,
    )
    case.current_document = document
    case.save(update_fields=["current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"出具行政处罚事先告知书 {document.number_text}：拟罚款 {terms['fine']} 元"
        + ("，告知听证权利" if terms["hearing_right"] else ""),
        document=document,
    )
    return document


def _served_notice(case: Case) -> Document:
    notice = penalty_state(case)["notice"]
    if notice is None or notice.served_on is None:
        raise ValidationError("行政处罚事先告知书尚未送达。")
    return notice


@transaction.atomic
def hearing_request_record(*, actor, case: Case, requested_on: date, request=None) -> CaseEvent:
    case = lock_case(case.pk)
    _in_penalty(case, "登记听证申请")
    notice = _served_notice(case)
    if not notice.content["extra"].get("hearing_right"):
        raise ValidationError("该告知书所拟罚款未达听证数额，未告知听证权利。")
    if not notice.served_on <= requested_on <= min(notice.deadline, today()):
        raise ValidationError(
            {"requested_on": f"听证申请应在告知书送达后、{chinese_date(notice.deadline)}前提出。"}
        )
    event = timeline_event(
        case,
        actor,
        CaseEvent.Kind.HEARING_REQUESTED,
        f"当事人申请听证（{notice.number_text}）",
        document=notice,
        on_date=requested_on,
    )
    _log(actor, case, request, hearing_requested=requested_on.isoformat())
    return event


@transaction.atomic
def hearing_notice_issue(
    *,
    actor,
    case: Case,
    hearing_on: date,
    hearing_time: time,
    place: str,
    chair: User,
    request=None,
) -> Document:
    """Notice at least 7 days before; the chair did not investigate the case (第六十四条)."""
    case = lock_case(case.pk)
    _in_penalty(case, "出具听证通知书")
    state = penalty_state(case)
    requested = state["hearing_requested"]
    if requested is None:
        raise ValidationError("当事人未申请听证。")
    if hearing_on < today() + timedelta(days=HEARING_NOTICE_DAYS):
        raise ValidationError(
            {"hearing_on": f"听证日期须在{HEARING_NOTICE_DAYS}日之后（行政处罚法第六十四条）。"}
        )
    investigators = {case.assigned_to_id, state["notice"].issued_by_id, state["filed"].actor_id}
    if chair.pk in investigators:
        raise ValidationError({"chair": "听证主持人不得由本案调查人员担任。"})
    if not place.strip():
        raise ValidationError({"place": "请填写听证地点。"})
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.HEARING_NOTICE,
        enterprise=case.enterprise,
        extra={
            "requested_on": chinese_date(requested.on_date),
            "notice_number": state["notice"].number_text,
            "hearing_on": chinese_date(hearing_on),
            "hearing_date": hearing_on.isoformat(),
            "place": place.strip(),
            "hearing_time": f"{hearing_time.hour}时{hearing_time.minute:02d}分",
            "chair": str(chair),
        },
        request=request,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"出具听证通知书 {document.number_text}，{chinese_date(hearing_on)}举行听证",
        document=document,
    )
    return document


@transaction.atomic
def hearing_held_record(*, actor, case: Case, held_on: date, record: str, request=None):
    case = lock_case(case.pk)
    _in_penalty(case, "登记听证")
    notice = penalty_state(case)["hearing_notice"]
    if notice is None:
        raise ValidationError("尚未出具听证通知书。")
    if not date.fromisoformat(notice.content["extra"]["hearing_date"]) <= held_on <= today():
        raise ValidationError({"held_on": "听证日期应为通知书所定日期或之后、今天之前。"})
    if not record.strip():
        raise ValidationError({"record": "请填写听证笔录要点。"})
    event = timeline_event(
        case,
        actor,
        CaseEvent.Kind.HEARING_HELD,
        f"举行听证：{record.strip()}",
        document=notice,
        on_date=held_on,
    )
    _log(actor, case, request, hearing_held=held_on.isoformat())
    return event


@transaction.atomic
def legal_review_record(*, actor, case: Case, opinion: str, request=None) -> CaseEvent:
    """法制审核 (第五十八条) by someone who did not investigate the case."""
    case = lock_case(case.pk)
    _in_penalty(case, "登记法制审核")
    state = penalty_state(case)
    if state["notice"] is None:
        raise ValidationError("尚未出具行政处罚事先告知书。")
    if actor.pk in {case.assigned_to_id, state["notice"].issued_by_id}:
        raise ValidationError("法制审核不得由本案调查人员进行。")
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写法制审核意见。"})
    event = timeline_event(
        case, actor, CaseEvent.Kind.LEGAL_REVIEW, f"法制审核：{opinion.strip()}", on_date=today()
    )
    _log(actor, case, request, legal_review=True)
    return event


def decision_refusal(case: Case, *, actor, multiple: Decimal, day: date) -> str | None:
    """Why the head may not decide the fine today, or None (第五十七至六十二条)."""
    if not has_capability(actor, "approve_high_risk"):
        return "罚款决定须由行政机关负责人作出（行政处罚法第五十七条）。"
    state = penalty_state(case)
    if state["fine"] is not None:
        return "本案欠费已作出罚款决定，不得再次处罚（行政处罚法第二十九条）。"
    notice = state["notice"]
    if notice is None or notice.served_on is None:
        return "行政处罚事先告知书尚未送达，不得作出处罚决定（行政处罚法第六十二条）。"
    if multiple > Decimal(notice.content["extra"]["fine_multiple"]):
        return (
            f"罚款倍数超过告知书（{notice.number_text}）告知的 "
            f"{notice.content['extra']['fine_multiple']} 倍，须重新告知。"
        )
    waiting = defence_waiting(case)
    if waiting is not None:
        return f"当事人对{waiting.number_text}的陈述申辩尚未复核（行政处罚法第四十五条）。"
    heard = case.events.filter(kind=CaseEvent.Kind.DEFENCE_REVIEW, document=notice).exists()
    if state["hearing_requested"] and state["hearing_held"] is None:
        return "当事人已申请听证，听证结束前不得作出决定（行政处罚法第六十五条）。"
    if not (heard or state["hearing_held"]) and day <= notice.deadline:
        return (
            f"陈述申辩期限至{chinese_date(notice.deadline)}届满，"
            "届满后或复核当事人的陈述申辩后方可作出决定（行政处罚法第六十二条）。"
        )
    needs_review = state["hearing_held"] or state["hearing_right"]
    if needs_review and state["legal_review"] is None:
        return "罚款达到法制审核数额或经过听证，须先经法制审核（行政处罚法第五十八条）。"
    return None
