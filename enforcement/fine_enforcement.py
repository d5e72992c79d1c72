"""An unpaid fine goes to the court in the enforcement unit's own name (行政处罚法 第七十二条,
行政强制法 第五十三条至第五十五条): the unit has no power to enforce it itself.

After the 15 days to pay (第六十七条) the unit serves its own 催告书 for the fine; once the time to
apply for review and to sue has run out and the 催告书's ten working days have passed, the head
signs the 强制执行申请书 for what is still owed of the fine and its surcharge. The fine is then the
court's to collect and no longer keeps the case from closing (fines.fine_keeps_case_open).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.dates import chinese_date, today
from core.money import amount_in_capitals, format_yuan
from core.roles import has_capability
from enforcement.court import (
    court_window_refusal,
    decision_court_window,
    defence_sentence,
    property_sentence,
)
from enforcement.due_process import defence_waiting
from enforcement.fines import fine_status
from enforcement.locking import lock_fine
from enforcement.models import Case, CaseEvent, Fine
from enforcement.timeline import timeline_event
from notices.models import Document
from notices.services import document_issue
from notices.types import Body, DocumentType


def fine_reminder(fine: Fine) -> Document | None:
    """The unit's valid 催告书 for this fine, the latest first."""
    return (
        Document.objects.filter(
            enterprise_id=fine.case.enterprise_id,
            doc_type=DocumentType.REMINDER,
            issuing_body=Body.ENFORCEMENT,
            status="issued",
            content__extra__fine_decision_number=fine.decision.number_text,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )


def fine_reminder_refusal(fine: Fine, day: date) -> str | None:
    decision = fine.decision
    if decision.served_on is None or decision.deadline is None:
        return "处罚决定书尚未送达，不能催告（行政强制法第五十四条）。"
    if day <= decision.deadline:
        return (
            f"罚款缴纳期限至{chinese_date(decision.deadline)}届满（行政处罚法第六十七条），"
            "届满仍未缴纳的方可催告。"
        )
    if fine_status(fine, as_of=day).outstanding <= 0:
        return "罚款及加处罚款已缴清，无须催告。"
    existing = fine_reminder(fine)
    if existing is not None:
        return f"已出具罚款催告书 {existing.number_text}，不再重复出具。"
    return None


def _decision_extra(fine: Fine) -> dict:
    decision = fine.decision
    return {
        "for_fine": True,
        "decision_title": decision.content.get("title", decision.get_doc_type_display()),
        "decision_number": decision.number_text,
        "fine_decision_number": decision.number_text,
        "decision_issued_on": chinese_date(decision.issued_on),
        "decision_served_on": chinese_date(decision.served_on),
        "decision_stated_remedies": bool(decision.content.get("states_remedies")),
        "fine": format_yuan(fine.amount),
        "fine_capitals": amount_in_capitals(fine.amount),
    }


def _owed_extra(fine: Fine, day: date) -> dict:
    """What is owed of the fine on `day`: the fine less what was paid, the surcharge apart."""
    status = fine_status(fine, as_of=day)
    fine_unpaid = max(fine.amount - status.paid, 0)
    return {
        "fine_paid": format_yuan(status.paid) if status.paid else "",
        "fine_unpaid": format_yuan(fine_unpaid),
        "surcharge": format_yuan(status.outstanding - fine_unpaid)
        if status.outstanding > fine_unpaid
        else "",
        "surcharge_through": chinese_date(day),
        "total": format_yuan(status.outstanding),
        "total_capitals": amount_in_capitals(status.outstanding),
    }


@transaction.atomic
def fine_reminder_issue(*, actor, case: Case, request=None) -> Document:
    """The enforcement unit's 催告书 for an unpaid fine (行政强制法 第三十五条、第五十四条)."""
    fine = _case_fine(case)
    case, fine = lock_fine(fine.pk)
    refusal = fine_reminder_refusal(fine, today())
    if refusal:
        raise ValidationError(refusal)
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.REMINDER,
        enterprise=case.enterprise,
        body=Body.ENFORCEMENT,
        extra={**_decision_extra(fine), **_owed_extra(fine, today()), "named_items": []},
        request=request,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"出具罚款催告书 {document.number_text}，催告缴纳罚款及加处罚款",
        document=document,
    )
    return document


def fine_court_refusal(fine: Fine, day: date) -> str | None:
    """Why the unit may not apply to the court for the fine on `day`, or None."""
    if fine.court_application_id:
        return f"已申请法院强制执行（{fine.court_application.number_text}）。"
    if fine.decision.served_on is None:
        return "处罚决定书尚未送达，不能申请法院强制执行（行政强制法第五十三条）。"
    if fine_status(fine, as_of=day).outstanding <= 0:
        return "罚款及加处罚款已缴清，无须申请法院强制执行。"
    reminder = fine_reminder(fine)
    if reminder is None or reminder.served_on is None:
        return "罚款催告书尚未送达，不能申请法院强制执行（行政强制法第五十四条）。"
    waiting = defence_waiting(fine.case)
    if waiting is not None:
        return f"当事人对{waiting.number_text}的陈述申辩尚未复核（行政强制法第三十六条）。"
    window, reason = decision_court_window(fine.case, fine.decision, reminder)
    if window is None:
        return reason
    return court_window_refusal(window, day)


@transaction.atomic
def fine_court_apply(*, actor, case: Case, request=None) -> Document:
    """The 强制执行申请书 for the fine, signed by the unit's head (第五十五条)."""
    if not has_capability(actor, "approve_high_risk"):
        raise ValidationError("强制执行申请书须由行政机关负责人签名（行政强制法第五十五条）。")
    fine = _case_fine(case)
    case, fine = lock_fine(fine.pk)
    day = today()
    refusal = fine_court_refusal(fine, day)
    if refusal:
        raise ValidationError(refusal)
    reminder = fine_reminder(fine)
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.COURT_APPLICATION,
        enterprise=case.enterprise,
        body=Body.ENFORCEMENT,
        extra={
            **_decision_extra(fine),
            **_owed_extra(fine, day),
            "reminder_number": reminder.number_text,
            "reminder_served_on": chinese_date(reminder.served_on),
            "defence": defence_sentence(case, reminder),
            "property": property_sentence(case),
            "named_items": [],
        },
        request=request,
    )
    fine.court_application = document
    fine.save(update_fields=["court_application"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"申请法院强制执行罚款 {document.number_text}",
        document=document,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=fine,
        request=request,
        detail={"court_application": document.number_text},
    )
    return document


def _case_fine(case: Case) -> Fine:
    fine = case.fines.select_related("decision", "case").first()
    if fine is None:
        raise ValidationError("本案尚未作出罚款决定。")
    return fine
