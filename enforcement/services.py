from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.selectors import amounts_outstanding
from core.audit import AuditAction, log_action
from core.dates import today
from core.money import format_yuan
from core.roles import has_capability
from enforcement.models import Approval, Case, CaseEvent
from enforcement.stages import CLOSING_APPROVAL, MOVES, ClosingReason, Move, Stage
from enterprises.models import Enterprise
from notices.models import Document
from notices.services import document_issue
from notices.types import DocumentType


class IllegalMove(ValidationError):
    """A move the transition table or its guard does not allow; the message says why."""


def amounts_owed(enterprise: Enterprise) -> tuple[Decimal, Decimal]:
    return amounts_outstanding(enterprise.pk)


def timeline_event(
    case, actor, kind, text, *, from_stage="", to_stage="", document=None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        text=text[:300],
        from_stage=from_stage,
        to_stage=to_stage,
        document=document,
    )


@transaction.atomic
def case_open(
    *, actor, enterprise: Enterprise, assigned_to=None, classification: str = "", request=None
) -> Case:
    Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if Case.objects.filter(enterprise=enterprise, closed_at__isnull=True).exists():
        raise ValidationError(f"{enterprise.name} 已有未结案件。")
    principal, fee = amounts_owed(enterprise)
    if principal + fee <= 0:
        raise ValidationError(f"{enterprise.name} 没有欠费，不能立案。")
    case = Case.objects.create(
        enterprise=enterprise,
        assigned_to=assigned_to or actor,
        task_group=enterprise.region.task_group,
        classification=classification,
        principal_at_opening=principal,
        fee_at_opening=fee,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.OPENED,
        f"立案：欠费本金 {format_yuan(principal)} 元，滞纳金 {format_yuan(fee)} 元",
    )
    log_action(actor=actor, action=AuditAction.CREATE, obj=case, request=request)
    return case


def _served_on(case: Case, doc_type: str):
    document = (
        Document.objects.filter(
            enterprise=case.enterprise,
            doc_type=doc_type,
            status="issued",
            served_on__isnull=False,
            issued_at__gte=case.opened_at,
        )
        .order_by("-served_on")
        .first()
    )
    return document.served_on if document else None


def check_move(case: Case, to_stage: str) -> Move:
    """The row of the table for this move, or IllegalMove with the reason in Chinese."""
    if to_stage not in Stage.values:
        raise IllegalMove("请选择要转入的阶段。")
    move = MOVES.get((case.stage, to_stage))
    if move is None:
        raise IllegalMove(f"不能从“{Stage(case.stage).label}”直接转到“{Stage(to_stage).label}”。")
    day = today()
    if move.needs_overdue:
        document = case.current_document
        if document is None or document.is_voided:
            raise IllegalMove("本阶段还没有有效的文书。")
        if document.served_on is None:
            raise IllegalMove(f"{document.number_text} 尚未送达。")
        if document.deadline is None or document.deadline >= day:
            raise IllegalMove(
                f"{document.number_text} 的期限尚未届满（{document.deadline:%Y年%m月%d日}）。"
            )
        principal, fee = amounts_owed(case.enterprise)
        if principal + fee <= 0:
            raise IllegalMove("企业已无欠费，无需继续催缴。")
    if move.court_rule:
        served = _served_on(case, DocumentType.RECTIFICATION_ORDER)
        if served is None or served + timedelta(days=10) > day:
            raise IllegalMove(
                "催告书送达未满 10 日，不能申请法院强制执行（行政强制法第五十四条）。"
            )
    return move


def _execute(*, actor, case: Case, to_stage: str, move: Move, extra=None, request=None) -> Case:
    document = None
    if move.document:
        document = document_issue(
            actor=actor,
            doc_type=move.document,
            enterprise=case.enterprise,
            extra=extra,
            request=request,
        )
    from_stage = case.stage
    case.stage = to_stage
    case.current_document = document or case.current_document
    case.save(update_fields=["stage", "current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.MOVED,
        f"{Stage(from_stage).label} → {Stage(to_stage).label}",
        from_stage=from_stage,
        to_stage=to_stage,
    )
    if document:
        timeline_event(
            case,
            actor,
            CaseEvent.Kind.DOCUMENT,
            f"出具{document.get_doc_type_display()} {document.number_text}",
            document=document,
        )
    log_action(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=case,
        request=request,
        detail={
            "from": from_stage,
            "to": to_stage,
            "document": document.number_text if document else "",
        },
    )
    return case


@transaction.atomic
def case_move(
    *, actor, case: Case, to_stage: str, reason: str = "", extra=None, request=None
) -> Case | Approval:
    """Move a case along the table. A move that needs approval becomes a pending approval."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("enterprise", "current_document")
        .get(pk=case.pk)
    )
    if case.closed_at:
        raise IllegalMove("案件已结案。")
    move = check_move(case, to_stage)
    if move.approval:
        return _request_approval(
            actor=actor,
            case=case,
            to_stage=to_stage,
            capability=move.approval,
            reason=reason,
            request=request,
        )
    return _execute(
        actor=actor, case=case, to_stage=to_stage, move=move, extra=extra, request=request
    )


def _request_approval(
    *, actor, case, to_stage, capability, reason, closing_reason="", request=None
) -> Approval:
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由。"})
    if case.approvals.filter(status=Approval.Status.PENDING).exists():
        raise ValidationError("该案件已有待审批的申请。")
    approval = Approval.objects.create(
        case=case,
        to_stage=to_stage,
        closing_reason=closing_reason,
        capability=capability,
        reason=reason.strip(),
        requested_by=actor,
    )
    timeline_event(
        case, actor, CaseEvent.Kind.APPROVAL, f"申请：{Stage(to_stage).label}（{reason.strip()}）"
    )
    log_action(actor=actor, action=AuditAction.CREATE, obj=approval, request=request)
    return approval


@transaction.atomic
def approval_decide(
    *, actor, approval: Approval, approve: bool, comment: str = "", request=None
) -> Approval:
    approval = (
        Approval.objects.select_for_update(of=("self",)).select_related("case").get(pk=approval.pk)
    )
    if approval.status != Approval.Status.PENDING:
        raise ValidationError("该申请已经审批过。")
    if approval.requested_by_id == actor.pk:
        raise ValidationError("申请人不能审批自己的申请。")
    if not has_capability(actor, approval.capability):
        raise ValidationError("您的角色无权审批此事项。")
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
    approval.decided_by, approval.decided_at, approval.comment = (
        actor,
        timezone.now(),
        comment.strip(),
    )
    approval.save()
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("enterprise", "current_document")
        .get(pk=approval.case_id)
    )
    verdict = "批准" if approve else "驳回"
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.APPROVAL,
        f"{verdict}：{Stage(approval.to_stage).label}（{comment.strip()}）",
    )
    log_action(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=approval,
        request=request,
        detail={"comment": comment.strip()},
    )
    if approve:
        if approval.to_stage == Stage.CLOSED:
            case_close_recorded(
                actor=actor, case=case, reason=approval.closing_reason, request=request
            )
        else:
            # The state may have changed while the request waited: the table and guard decide again.
            move = check_move(case, approval.to_stage)
            _execute(
                actor=approval.requested_by,
                case=case,
                to_stage=approval.to_stage,
                move=move,
                request=request,
            )
    return approval


def case_close_recorded(*, actor, case: Case, reason: str, request=None) -> Case:
    from_stage = case.stage
    case.stage, case.closed_at, case.closing_reason = Stage.CLOSED, timezone.now(), reason
    case.save(update_fields=["stage", "closed_at", "closing_reason"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.CLOSED,
        f"结案：{ClosingReason(reason).label}",
        from_stage=from_stage,
        to_stage=Stage.CLOSED,
    )
    log_action(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=case,
        request=request,
        detail={"from": from_stage, "to": "closed", "reason": reason},
    )
    return case


@transaction.atomic
def case_close(*, actor, case: Case, reason: str, note: str = "", request=None) -> Case | Approval:
    """Paid in full closes at once (and only when nothing is owed); any other reason needs approval."""
    if reason not in ClosingReason.values:
        raise ValidationError("请选择结案原因。")
    case = Case.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=case.pk)
    if case.closed_at:
        raise ValidationError("案件已结案。")
    if reason == ClosingReason.PAID:
        principal, fee = amounts_owed(case.enterprise)
        if principal + fee > 0:
            raise ValidationError(f"尚欠本金 {principal} 元、滞纳金 {fee} 元，不能以全额清缴结案。")
        return case_close_recorded(actor=actor, case=case, reason=reason, request=request)
    return _request_approval(
        actor=actor,
        case=case,
        to_stage=Stage.CLOSED,
        capability=CLOSING_APPROVAL[reason],
        reason=note,
        closing_reason=reason,
        request=request,
    )


def case_close_if_paid(*, enterprise_id: int, actor, reason: str) -> Case | None:
    """Registered with arrears.hooks: a payment that clears principal and fee closes the open
    case as 全额清缴 and says so on the timeline."""
    case = (
        Case.objects.filter(enterprise_id=enterprise_id, closed_at__isnull=True)
        .select_related("enterprise")
        .first()
    )
    if case is None:
        return None
    who = actor if actor is not None and actor.is_authenticated else None
    principal, fee = amounts_owed(case.enterprise)
    if principal + fee > 0:
        timeline_event(
            case, who, CaseEvent.Kind.PAYMENT, f"{reason}；尚欠本金 {principal} 元、滞纳金 {fee} 元"
        )
        return None
    timeline_event(case, who, CaseEvent.Kind.PAYMENT, f"{reason}，已全额清缴")
    return case_close_recorded(actor=who, case=case, reason=ClosingReason.PAID)


@transaction.atomic
def bank_inquiry_record(*, actor, case: Case, findings: str, request=None) -> CaseEvent:
    """What the bank's answer to the 账户查询通知书 showed: accounts and balances found."""
    if case.stage != Stage.BANK:
        raise ValidationError("只有在“查询划拨”阶段才能登记查询结果。")
    if not findings.strip():
        raise ValidationError({"findings": "请填写查询到的账户和余额。"})
    event = timeline_event(
        case, actor, CaseEvent.Kind.DOCUMENT, f"账户查询结果：{findings.strip()}"
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        detail={"inquiry": findings[:200]},
    )
    return event


def bank_transfer_record(
    *, actor, case: Case, amount: Decimal, paid_on, external_ref: str, request=None
):
    """What the bank transferred becomes a payment (银行划拨), allocated by the ledger's rules;
    if it clears everything the case closes by itself (arrears.hooks)."""
    from arrears.models import PaymentMethod
    from arrears.services import payment_post

    if case.stage != Stage.BANK:
        raise ValidationError("只有在“查询划拨”阶段才能登记划拨结果。")
    payment, created = payment_post(
        actor=actor,
        enterprise=case.enterprise,
        amount=amount,
        paid_on=paid_on,
        method=PaymentMethod.BANK_TRANSFER,
        external_ref=external_ref,
        request=request,
    )
    return payment, created


@transaction.atomic
def fine_decide(*, actor, case: Case, multiple: Decimal, request=None):
    """Issue the 行政处罚决定书 for 1–3 × the principal now owed, and record the fine."""
    from core.money import round_fen
    from enforcement.models import Fine

    if case.stage != Stage.PENALTY:
        raise ValidationError("只有在“移送处罚”阶段才能作出罚款决定。")
    if not Decimal("1") <= multiple <= Decimal("3"):
        raise ValidationError(
            {"multiple": "罚款为欠缴数额的一倍以上三倍以下（社会保险法第八十六条）。"}
        )
    principal, _ = amounts_owed(case.enterprise)
    if principal <= 0:
        raise ValidationError("企业已无欠缴本金，不能按欠缴数额处罚。")
    decision = document_issue(
        actor=actor,
        doc_type=DocumentType.PENALTY_DECISION,
        enterprise=case.enterprise,
        extra={"fine_multiple": str(multiple)},
        request=request,
    )
    fine = Fine.objects.create(
        case=case,
        principal_base=principal,
        multiple=multiple,
        amount=round_fen(principal * multiple),
        decision=decision,
        decided_by=actor,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"罚款决定：欠缴本金 {format_yuan(principal)} 元的 {multiple} 倍，计 {format_yuan(fine.amount)} 元",
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
    from django.db.models import Sum

    from enforcement.models import Fine, FinePayment

    fine = Fine.objects.select_for_update().get(pk=fine.pk)
    if fine.payments.filter(external_ref=external_ref).exists():
        return fine.payments.get(external_ref=external_ref), False
    paid = fine.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if amount <= 0 or paid + amount > fine.amount:
        raise ValidationError(
            {
                "amount": f"罚款尚欠 {format_yuan(fine.amount - paid)} 元，金额须大于 0 且不超过该数。"
            }
        )
    if paid_on > today():
        raise ValidationError({"paid_on": "缴款日期不能晚于今天。"})
    payment = FinePayment.objects.create(
        fine=fine, amount=amount, paid_on=paid_on, external_ref=external_ref, recorded_by=actor
    )
    remaining = fine.amount - paid - amount
    timeline_event(
        fine.case,
        actor,
        CaseEvent.Kind.PAYMENT,
        f"缴纳罚款 {format_yuan(amount)} 元"
        + ("，罚款已缴清" if remaining == 0 else f"，尚欠 {format_yuan(remaining)} 元"),
    )
    log_action(
        actor=actor,
        action=AuditAction.POST_MONEY,
        obj=payment,
        request=request,
        detail={"fine": fine.pk, "amount": str(amount)},
    )
    return payment, True
