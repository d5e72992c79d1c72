from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from arrears.services import lock_enterprise
from core.audit import AuditAction, log_action
from core.dates import chinese_date, today
from core.locks import lock_row
from core.menu import badges_changed
from core.money import format_yuan
from core.roles import has_capability
from enforcement.audits import audit_notice_extra
from enforcement.court import (
    court_application_extra,
    court_refusal,
    exposure_extra,
    exposure_refusal,
)
from enforcement.deferrals import agreement_extra, deferral_start, deferral_terms
from enforcement.due_process import defence_not_reviewed
from enforcement.fines import fine_keeps_case_open
from enforcement.locking import lock_approval, lock_case
from enforcement.models import Approval, Case, CaseCounter, CaseEvent, Deferral
from enforcement.penalty_procedure import referral_extra
from enforcement.selectors import casework_settings
from enforcement.stages import CLOSING_APPROVAL, MOVES, ClosingReason, Move, Stage
from enforcement.timeline import amounts_owed, timeline_event
from enterprises.models import Enterprise
from notices.content import named_items
from notices.models import Document
from notices.services import document_issue
from notices.types import DocumentType


class IllegalMove(ValidationError):
    """A move the transition table or its guard does not allow; the message says why."""


def next_case_number(year: int) -> int:
    """Gapless per year: the counter stays locked until the opening commits (core.locks puts it
    between the enterprise and the case)."""
    CaseCounter.objects.bulk_create([CaseCounter(year=year)], ignore_conflicts=True)
    counter_id = CaseCounter.objects.values_list("pk", flat=True).get(year=year)
    counter = lock_row(CaseCounter, counter_id)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def case_open(
    *,
    actor,
    enterprise: Enterprise,
    assigned_to=None,
    classification: str = "",
    origin: str = "",
    request=None,
) -> Case:
    """Open a case on an enterprise in arrears; `origin` (an audit lead) opens one on an
    enterprise whose arrears the audit is yet to establish."""
    lock_enterprise(enterprise.pk)
    if Case.objects.filter(enterprise=enterprise, closed_at__isnull=True).exists():
        raise ValidationError(f"{enterprise.name} 已有未结案件。")
    principal, fee = amounts_owed(enterprise)
    if principal + fee <= 0 and not origin:
        raise ValidationError(f"{enterprise.name} 没有欠费，不能立案。")
    year, number = today().year, next_case_number(today().year)
    case = Case.objects.create(
        year=year,
        number=number,
        number_text=f"{casework_settings().case_code}〔{year}〕{number}号",
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
        f"立案：欠费本金 {format_yuan(principal)} 元，滞纳金 {format_yuan(fee)} 元"
        + (f"；{origin}" if origin else ""),
    )
    log_action(actor=actor, action=AuditAction.CREATE, obj=case, request=request)
    return case


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
                f"{document.number_text} 的期限尚未届满（{chinese_date(document.deadline)}）。"
            )
        principal, fee = amounts_owed(case.enterprise)
        if principal + fee <= 0:
            raise IllegalMove("企业已无欠费，无需继续催缴。")
    if (
        move.needs_short_balance
        and not case.events.filter(kind=CaseEvent.Kind.INQUIRY_SHORT).exists()
    ):
        raise IllegalMove(
            "延期缴费须在账户查询确认余额少于应缴数额之后办理（社会保险法第六十三条）。"
        )
    if move.needs_audit:
        _check_audit_done(case, day)
    if move.needs_defence_reviewed or move.court_rule:
        waiting = defence_not_reviewed(case)
        if waiting:
            raise IllegalMove(
                f"当事人对{waiting}的陈述申辩尚未复核，复核后方可进行下一步（行政强制法第三十六条）。"
            )
    if move.final_decision:
        refusal = exposure_refusal(case, day)
        if refusal:
            raise IllegalMove(refusal)
    if move.court_rule:
        refusal = court_refusal(case, day)
        if refusal:
            raise IllegalMove(refusal)
    return move


def _check_audit_done(case: Case, day) -> None:
    record = case.audit_records.select_related("result_document").first()
    if record is None:
        raise IllegalMove("请先登记稽核记录（至少两名稽核人员）并出具稽核结论文书。")
    document = record.result_document
    if document.doc_type == DocumentType.AUDIT_OPINION and not document.is_voided:
        if document.served_on is None:
            raise IllegalMove(f"{document.number_text} 尚未送达。")
        if document.deadline is None or document.deadline >= day:
            raise IllegalMove(
                f"{document.number_text} 的整改期限尚未届满（{chinese_date(document.deadline)}）。"
            )


def _execute(
    *,
    actor,
    case: Case,
    to_stage: str,
    move: Move,
    extra=None,
    payload=None,
    requested_by=None,
    restore_document=None,
    issued=None,
    request=None,
) -> Case:
    """Carry out a move. `issued` is the move's document when it exists already (a notice
    issued from the 文书 tab, or one still standing for the same debt). `actor` is who makes it happen: the caseworker, or for an approved step
    the approver, in whose name the step is executed and audited; `requested_by` is then the
    person who asked for it, recorded beside them."""
    day = today()
    if to_stage == Stage.DEFERRAL:
        extra = agreement_extra(case, payload, day)
    document, reused = issued, False
    if move.document == DocumentType.DEADLINE_NOTICE and document is None:
        document = notice_for_same_debt(case.enterprise)
        reused = document is not None
    if move.document and document is None:
        order = None
        if move.document == DocumentType.REMINDER:
            order = decision_ordering_payment(case)
            extra = reminder_extra(order)
        elif move.document == DocumentType.COURT_APPLICATION:
            extra = court_application_extra(case)
        elif move.document == DocumentType.AUDIT_NOTICE:
            extra = audit_notice_extra((extra or {}).get("audit_on"), day)
        elif move.document == DocumentType.EXPOSURE_NOTICE:
            extra = exposure_extra(case)
        elif move.document == DocumentType.REFERRAL:
            extra = referral_extra(case)
        document = document_issue(
            from_case=True,
            actor=actor,
            doc_type=move.document,
            enterprise=case.enterprise,
            extra=extra,
            request=request,
        )
        if order is not None:
            case.order = order
            case.save(update_fields=["order"])
    from_stage, previous_document = case.stage, case.current_document
    case.stage = to_stage
    case.current_document = document or restore_document or case.current_document
    # A tracked (unable-to-pay) enterprise is looked at again on a schedule.
    case.review_due = (
        day + timedelta(days=casework_settings().review_interval_days)
        if to_stage == Stage.TRACKING
        else None
    )
    case.save(update_fields=["stage", "current_document", "review_due"])
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
            f"沿用已出具的{document.get_doc_type_display()} {document.number_text}"
            if reused
            else f"出具{document.get_doc_type_display()} {document.number_text}",
            document=document,
        )
    if to_stage == Stage.DEFERRAL:
        deferral_start(
            case=case,
            document=document,
            terms=payload,
            plan=extra["plan"],
            requested_by=requested_by or actor,
            approved_by=actor if requested_by else None,
            resume_stage=from_stage,
            resume_document=previous_document,
            day=day,
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
            **({"requested_by": requested_by.username} if requested_by else {}),
        },
    )
    return case


def case_return_from_deferral(*, case: Case, deferral: Deferral) -> Case:
    """The sweep's move out of 延期缴费 (an automatic row of the table): back to the stage and
    the document the case had before the agreement, so enforcement resumes where it stood."""
    move = check_move(case, deferral.resume_stage)
    if not move.automatic:
        raise IllegalMove("只能退回到签订协议前的执法阶段。")
    return _execute(
        actor=None,
        case=case,
        to_stage=deferral.resume_stage,
        move=move,
        restore_document=deferral.resume_document,
    )


@transaction.atomic
def case_move(
    *, actor, case: Case, to_stage: str, reason: str = "", extra=None, payload=None, request=None
) -> Case | Approval:
    """Move a case along the table. A move that needs approval becomes a pending approval;
    `payload` carries what the approved step will need (a deferral's terms)."""
    case = lock_case(case.pk)
    if case.closed_at:
        raise IllegalMove("案件已结案。")
    move = check_move(case, to_stage)
    if move.automatic:
        raise IllegalMove("延期缴费协议履行期间不能手动转出；未按期缴纳时系统于次日自动退回。")
    if to_stage == Stage.DEFERRAL:
        payload = deferral_terms(payload or {})
        agreement_extra(case, payload, today())  # refuses now, not at approval, if nothing is owed
    else:
        payload = None  # only a deferral's terms travel with a move
    if move.approval:
        return _request_approval(
            actor=actor,
            case=case,
            to_stage=to_stage,
            capability=move.approval,
            reason=reason,
            payload=payload,
            request=request,
        )
    return _execute(
        actor=actor, case=case, to_stage=to_stage, move=move, extra=extra, request=request
    )


def _request_approval(
    *, actor, case, to_stage, capability, reason, closing_reason="", payload=None, request=None
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
        payload=payload or {},
    )
    timeline_event(
        case, actor, CaseEvent.Kind.APPROVAL, f"申请：{Stage(to_stage).label}（{reason.strip()}）"
    )
    log_action(actor=actor, action=AuditAction.CREATE, obj=approval, request=request)
    badges_changed()
    return approval


@transaction.atomic
def approval_decide(
    *, actor, approval: Approval, approve: bool, comment: str = "", request=None
) -> Approval:
    case, approval = lock_approval(approval.pk)
    if approval.status != Approval.Status.PENDING:
        raise ValidationError("该申请已经审批过。")
    if approval.requested_by_id == actor.pk:
        raise ValidationError("申请人不能审批自己的申请。")
    if not has_capability(actor, approval.capability):
        raise ValidationError("您的角色无权审批此事项。")
    # The requester must learn why: no path (page, case page, script) rejects without a reason.
    if not approve and not comment.strip():
        raise ValidationError({"comment": "驳回须填写理由。"})
    approval.status = Approval.Status.APPROVED if approve else Approval.Status.REJECTED
    approval.decided_by, approval.decided_at, approval.comment = (
        actor,
        timezone.now(),
        comment.strip(),
    )
    approval.save()
    badges_changed()
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
                actor=actor,
                case=case,
                to_stage=approval.to_stage,
                move=move,
                payload=approval.payload,
                requested_by=approval.requested_by,
                request=request,
            )
    return approval


def case_close_recorded(*, actor, case: Case, reason: str, request=None) -> Case:
    from_stage = case.stage
    case.stage, case.closed_at, case.closing_reason = Stage.CLOSED, timezone.now(), reason
    case.review_due = None
    case.save(update_fields=["stage", "closed_at", "closing_reason", "review_due"])
    # An agreement still running when the case closes has nothing left to enforce.
    case.deferrals.filter(status=Deferral.Status.ACTIVE).update(
        status=Deferral.Status.COMPLETED, ended_on=today()
    )
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
def case_close(
    *, actor, case: Case, reason: str, note: str = "", payload=None, request=None
) -> Case | Approval:
    """Paid in full closes at once (and only when nothing is owed); any other reason needs approval.
    A write-off goes through `enforcement.closing.write_off_request`, which brings its documents."""
    if reason not in ClosingReason.values:
        raise ValidationError("请选择结案原因。")
    if reason == ClosingReason.WRITE_OFF and not payload:
        raise ValidationError("核销须填写破产文书和审批文件，请使用“核销”表单。")
    case = lock_case(case.pk)
    if case.closed_at:
        raise ValidationError("案件已结案。")
    if reason == ClosingReason.PAID:
        principal, fee = amounts_owed(case.enterprise)
        if principal + fee > 0:
            raise ValidationError(
                f"尚欠本金 {format_yuan(principal)} 元、滞纳金 {format_yuan(fee)} 元，不能以全额清缴结案。"
            )
        fine_owed = fine_keeps_case_open(case, as_of=today())
        if fine_owed:
            raise ValidationError(
                f"{fine_owed}，不能以全额清缴结案；未缴的罚款应申请法院强制执行。"
            )
        return case_close_recorded(actor=actor, case=case, reason=reason, request=request)
    return _request_approval(
        actor=actor,
        case=case,
        to_stage=Stage.CLOSED,
        capability=CLOSING_APPROVAL[reason],
        reason=note,
        closing_reason=reason,
        payload=payload,
        request=request,
    )


def case_close_if_paid(*, enterprise_id: int, actor, reason: str, paid: bool) -> Case | None:
    """Registered with arrears.hooks: a payment that clears principal and fee closes the open
    case as 全额清缴 and says so on the timeline (a correction that leaves nothing owed does not:
    that is a closing someone decides)."""
    if not paid:
        return None
    case_id = (
        Case.objects.filter(enterprise_id=enterprise_id, closed_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is None:
        return None
    case = lock_case(case_id)  # the payment holds the enterprise: the order is kept
    who = actor if actor is not None and actor.is_authenticated else None
    principal, fee = amounts_owed(case.enterprise)
    if principal + fee > 0:
        timeline_event(
            case,
            who,
            CaseEvent.Kind.PAYMENT,
            f"{reason}；尚欠本金 {format_yuan(principal)} 元、滞纳金 {format_yuan(fee)} 元",
        )
        return None
    fine_owed = fine_keeps_case_open(case, as_of=today())
    if fine_owed:
        timeline_event(
            case,
            who,
            CaseEvent.Kind.PAYMENT,
            f"{reason}，社会保险费已清缴；{fine_owed}，案件不结案",
        )
        return None
    timeline_event(case, who, CaseEvent.Kind.PAYMENT, f"{reason}，已全额清缴")
    return case_close_recorded(actor=who, case=case, reason=ClosingReason.PAID)


def case_debt_periods(case: Case) -> list:
    """The pension periods in arrears when the case opened that still owe principal."""
    from arrears.models import InsuranceType, LedgerItem

    opened_on = timezone.localdate(case.opened_at)
    return sorted(
        LedgerItem.objects.filter(
            enterprise_id=case.enterprise_id,
            insurance_type=InsuranceType.PENSION,
            due_date__lt=opened_on,
            principal_paid__lt=F("principal"),
        )
        .values_list("period", flat=True)
        .distinct()
    )


DECISIONS_ORDERING_PAYMENT = (DocumentType.DEADLINE_NOTICE, DocumentType.AUDIT_OPINION)


def notice_for_same_debt(enterprise: Enterprise) -> Document | None:
    """A 限期补缴通知书 still standing for what is owed now: unvoided, and stating every period
    and insurance that still owes principal. It counts for the case instead of a second one."""
    from arrears.models import LedgerItem

    owed = {
        (f"{period.year}年{period.month}月", label)
        for period, label in (
            (item.period, item.get_insurance_type_display())
            for item in LedgerItem.objects.filter(
                enterprise=enterprise, principal_paid__lt=F("principal")
            ).only("period", "insurance_type")
        )
    }
    if not owed:
        return None
    for notice in Document.objects.filter(
        enterprise=enterprise, doc_type=DocumentType.DEADLINE_NOTICE, status="issued"
    ).order_by("-issued_at")[:3]:
        stated = {(row["period"], row["insurance"]) for row in notice.content.get("items", [])}
        if owed <= stated:
            return notice
    return None


def decision_ordering_payment(case: Case) -> Document:
    """The served decision a 催告书 enforces (行政强制法 第三十五条): the 限期补缴通知书 or the
    稽核意见书 the enterprise did not perform."""
    current = case.current_document
    if current and current.doc_type in DECISIONS_ORDERING_PAYMENT and current.served_on:
        return current
    record = case.audit_records.select_related("result_document").first()
    if record and record.result_document.doc_type == DocumentType.AUDIT_OPINION:
        return record.result_document
    order = (
        Document.objects.filter(
            enterprise=case.enterprise,
            doc_type__in=DECISIONS_ORDERING_PAYMENT,
            status="issued",
            served_on__isnull=False,
        )
        .order_by("-served_on")
        .first()
    )
    if order is None:
        raise IllegalMove(
            "没有已送达的限期补缴通知书或稽核意见书，不能催告（行政强制法第三十五条）。"
        )
    return order


def reminder_extra(order: Document) -> dict:
    """The 催告书 recounts the decision and claims what it ordered paid, no later month
    (行政强制法 第三十五条)."""
    return {
        "decision_title": order.content.get("title", order.get_doc_type_display()),
        "decision_number": order.number_text,
        "decision_issued_on": chinese_date(order.issued_on),
        "decision_served_on": chinese_date(order.served_on),
        "named_items": sorted(named_items(order)) or None,
    }


def case_takes_standalone_notice(*, actor, doc_type: str, enterprise, request=None) -> Case | None:
    """Registered with notices.hooks: a 限期补缴通知书 issued from the 文书 tab or a batch opens
    the enterprise's case at 立案 or finds the one waiting (立案, 跟踪关注), locked before the
    notice is numbered. A case further along refuses it, and nothing is numbered."""
    if doc_type != DocumentType.DEADLINE_NOTICE:
        return None
    case_id = (
        Case.objects.filter(enterprise=enterprise, closed_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    if case_id is None:
        case_id = case_open(
            actor=actor, enterprise=enterprise, classification=enterprise.ability, request=request
        ).pk
    case = lock_case(case_id)
    move = MOVES.get((case.stage, Stage.DEMAND))
    if move is None or move.document != DocumentType.DEADLINE_NOTICE:
        raise ValidationError(
            f"{enterprise.name} 的案件已在“{case.get_stage_display()}”阶段，"
            "不再单独出具限期补缴通知书，请在案件页办理。"
        )
    return case


def case_for_standalone_notice(*, actor, document: Document, request=None) -> None:
    """Registered with notices.hooks: the notice just numbered moves its case to 催缴."""
    case = case_takes_standalone_notice(
        actor=actor, doc_type=document.doc_type, enterprise=document.enterprise, request=request
    )
    if case is not None:
        _execute(
            actor=actor,
            case=case,
            to_stage=Stage.DEMAND,
            move=MOVES[(case.stage, Stage.DEMAND)],
            issued=document,
            request=request,
        )
