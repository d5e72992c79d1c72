"""Due process inside a case: the enterprise's 陈述申辩 on a 催告书 or a 事先告知书, heard and
reviewed before the next step (行政强制法 第三十五至三十七条, 行政处罚法 第四十五条), and its review or
lawsuit against a decision, which holds the court application and a fine's surcharge while it
runs (行政强制法 第五十三条, 行政处罚法 第七十三条)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.dates import today
from enforcement.locking import lock_case
from enforcement.models import Case, CaseEvent, Challenge
from enforcement.timeline import timeline_event
from notices.models import Document
from notices.types import DocumentType

DEFENDED_TYPES = (DocumentType.REMINDER, DocumentType.PENALTY_NOTICE)
# A decision that states remedies (notices.types.TypeRules.states_remedies) can be challenged.
CHALLENGEABLE_TYPES = (
    DocumentType.DEADLINE_NOTICE,
    DocumentType.AUDIT_OPINION,
    DocumentType.TRANSFER_DECISION,
    DocumentType.PENALTY_DECISION,
    DocumentType.RECTIFICATION_ORDER,
)


def defence_waiting(case: Case) -> Document | None:
    """A document whose 陈述申辩 still waits for its review."""
    open_by_document: dict[int, int] = {}
    for kind, document_id in case.events.filter(
        kind__in=(CaseEvent.Kind.DEFENCE, CaseEvent.Kind.DEFENCE_REVIEW)
    ).values_list("kind", "document_id"):
        step = 1 if kind == CaseEvent.Kind.DEFENCE else -1
        open_by_document[document_id] = open_by_document.get(document_id, 0) + step
    waiting = [pk for pk, count in open_by_document.items() if count > 0]
    return Document.objects.get(pk=waiting[0]) if waiting else None


def defence_not_reviewed(case: Case) -> str:
    """The number of a document whose 陈述申辩 still waits for its review, or ""."""
    document = defence_waiting(case)
    return document.number_text if document else ""


def _case_documents(case: Case, types) -> list[Document]:
    return list(
        Document.objects.filter(
            enterprise_id=case.enterprise_id,
            doc_type__in=types,
            status="issued",
            issued_at__gte=case.opened_at,
        ).order_by("issued_at")
    )


def defendable_documents(case: Case) -> list[Document]:
    return _case_documents(case, DEFENDED_TYPES)


def challengeable_decisions(case: Case) -> list[Document]:
    """The case's served decisions, and the order it enforces even when issued before it."""
    decisions = [d for d in _case_documents(case, CHALLENGEABLE_TYPES) if d.served_on]
    if case.order and case.order.served_on and case.order not in decisions:
        decisions.insert(0, case.order)
    return decisions


@transaction.atomic
def defence_record(
    *, actor, case: Case, document: Document, received_on, text: str, request=None
) -> CaseEvent:
    """The enterprise's 陈述申辩 on a 催告书 or a 事先告知书, as received (行政强制法 第三十六条,
    行政处罚法 第四十五条); the next step waits for its review."""
    case = lock_case(case.pk)
    if document.enterprise_id != case.enterprise_id or document.doc_type not in DEFENDED_TYPES:
        raise ValidationError("只能对本案的催告书或行政处罚事先告知书登记陈述申辩。")
    if not text.strip():
        raise ValidationError({"text": "请填写当事人陈述申辩的事实、理由和证据。"})
    if received_on > today() or received_on < document.issued_on:
        raise ValidationError({"received_on": "收到日期应在文书出具之后、今天之前。"})
    event = timeline_event(
        case,
        actor,
        CaseEvent.Kind.DEFENCE,
        f"收到对{document.number_text}的陈述申辩：{text.strip()}",
        document=document,
        on_date=received_on,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        detail={"defence": document.number_text},
    )
    return event


@transaction.atomic
def defence_review(
    *, actor, case: Case, document: Document, accepted: bool, conclusion: str, request=None
) -> CaseEvent:
    """The review of the defence: facts, reasons or evidence that hold are adopted (第三十六条)."""
    case = lock_case(case.pk)
    if defence_not_reviewed(case) != document.number_text:
        raise ValidationError("该文书没有待复核的陈述申辩。")
    if not conclusion.strip():
        raise ValidationError({"conclusion": "请填写复核意见。"})
    verdict = "成立，予以采纳" if accepted else "不成立，不予采纳"
    event = timeline_event(
        case,
        actor,
        CaseEvent.Kind.DEFENCE_REVIEW,
        f"复核{document.number_text}的陈述申辩：{verdict}。{conclusion.strip()}",
        document=document,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        detail={"defence_review": document.number_text, "accepted": accepted},
    )
    return event


@transaction.atomic
def challenge_record(
    *, actor, case: Case, decision: Document, kind: str, filed_on, request=None
) -> Challenge:
    """The enterprise applied for review or sued over `decision`; the court waits for the end."""
    case = lock_case(case.pk)
    if decision.enterprise_id != case.enterprise_id or decision.doc_type not in CHALLENGEABLE_TYPES:
        raise ValidationError("只能登记对本案决定类文书的行政复议或行政诉讼。")
    if decision.served_on is None or not decision.served_on <= filed_on <= today():
        raise ValidationError({"filed_on": "申请 / 起诉日期应在决定送达之后、今天之前。"})
    if case.challenges.filter(decision=decision, concluded_on__isnull=True).exists():
        raise ValidationError("该决定已有尚未审结的复议或诉讼，请先登记其结果。")
    challenge = Challenge.objects.create(
        case=case, decision=decision, kind=kind, filed_on=filed_on, recorded_by=actor
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.CHALLENGE,
        f"当事人对{decision.number_text}{challenge.get_kind_display()}（{filed_on:%Y-%m-%d}）",
        document=decision,
        on_date=filed_on,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        detail={"challenge": decision.number_text, "kind": kind},
    )
    return challenge


@transaction.atomic
def challenge_conclude(
    *, actor, challenge: Challenge, concluded_on, outcome: str, request=None
) -> Challenge:
    """The review decision or the judgment took effect; the court window counts from it."""
    case = lock_case(challenge.case_id)
    challenge = case.challenges.select_for_update().get(pk=challenge.pk)
    if challenge.concluded_on is not None:
        raise ValidationError("该复议 / 诉讼已登记结果。")
    if not challenge.filed_on <= concluded_on <= today():
        raise ValidationError({"concluded_on": "结果日期应在申请 / 起诉之后、今天之前。"})
    if not outcome.strip():
        raise ValidationError({"outcome": "请填写复议决定或判决的结果。"})
    challenge.concluded_on, challenge.outcome = concluded_on, outcome.strip()
    challenge.save(update_fields=["concluded_on", "outcome"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.CHALLENGE,
        f"{challenge.decision.number_text}的{challenge.get_kind_display()}已审结：{challenge.outcome}",
        document=challenge.decision,
        on_date=concluded_on,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        detail={"challenge_concluded": challenge.decision.number_text},
    )
    return challenge
