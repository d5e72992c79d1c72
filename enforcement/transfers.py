"""查询划拨 (社会保险法 第六十三条; 行政强制法 第三十七条、第四十三条、第四十七条): the center's
account inquiry and its recorded findings → its application (划拨申请) to the 人社局 → the 人社局's
划拨社会保险费决定书, served on the enterprise → its 协助划拨通知书 to the bank, citing the decision,
for no more than the decided amount and never on a rest day → the transfer recorded as a payment.
Each step is refused until the previous one is done; the approval to enter the stage stays."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from arrears.models import Payment, PaymentMethod
from arrears.selectors import amounts_owed_on
from arrears.services import payment_post
from core.audit import AuditAction, log_action
from core.calendar import is_workday
from core.dates import chinese_date, today
from core.masking import mask_account_numbers
from core.money import amount_in_capitals, format_yuan, round_fen
from enforcement.court import served_reminder
from enforcement.locking import lock_case
from enforcement.models import Case, CaseEvent
from enforcement.stages import Stage
from enforcement.timeline import timeline_event
from notices.models import Document
from notices.services import document_issue, issuing_body
from notices.types import Body, DocumentType

INQUIRY_KINDS = (CaseEvent.Kind.INQUIRY, CaseEvent.Kind.INQUIRY_SHORT)


def _at_bank(case: Case, what: str) -> None:
    if case.stage != Stage.BANK:
        raise ValidationError(f"只有在“查询划拨”阶段才能{what}。")


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


def latest_inquiry(case: Case) -> CaseEvent | None:
    return case.events.filter(kind__in=INQUIRY_KINDS).order_by("-at", "-pk").first()


def transferred_under(decision: Document) -> Decimal:
    """What the bank has transferred since the decision: counted against its amount."""
    return sum(
        Payment.objects.filter(
            enterprise_id=decision.enterprise_id,
            method=PaymentMethod.BANK_TRANSFER,
            reversed_at__isnull=True,
            paid_on__gte=decision.issued_on,
        ).values_list("amount", flat=True),
        Decimal("0"),
    )


def decided_amount(decision: Document) -> Decimal:
    return Decimal(decision.content["extra"]["decided_amount"])


def transfer_state(case: Case) -> dict:
    """Where the case stands in the chain, for the case page and the guards."""
    decision = _latest(case, DocumentType.TRANSFER_DECISION)
    application = _latest(case, DocumentType.TRANSFER_APPLICATION)
    notice = _latest(case, DocumentType.TRANSFER_NOTICE)
    if notice is not None and (decision is None or notice.issued_at < decision.issued_at):
        notice = None  # a notice under an earlier decision (or none) does not carry this one
    remaining = None
    if decision is not None:
        remaining = max(decided_amount(decision) - transferred_under(decision), Decimal("0"))
    awaiting_decision = application is not None and (
        decision is None or decision.issued_at < application.issued_at
    )
    return {
        "inquiry": latest_inquiry(case),
        "application": application,
        "awaiting_decision": awaiting_decision,
        "decision": decision,
        "notice": notice,
        "remaining": remaining,
    }


@transaction.atomic
def bank_inquiry_record(
    *, actor, case: Case, findings: str, sufficient: bool = True, request=None
) -> CaseEvent:
    """What the bank's answer to the 账户查询通知书 showed. A balance short of what is owed is
    what allows a deferral agreement (社会保险法 第六十三条第二款)."""
    case = lock_case(case.pk)
    _at_bank(case, "登记查询结果")
    if not findings.strip():
        raise ValidationError({"findings": "请填写查询到的账户和余额。"})
    kind = CaseEvent.Kind.INQUIRY if sufficient else CaseEvent.Kind.INQUIRY_SHORT
    verdict = "" if sufficient else "（余额少于应缴数额）"
    event = timeline_event(case, actor, kind, f"账户查询结果{verdict}：{findings.strip()}")
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        request=request,
        # The log is read by the auditor, who may not unmask: no account number in clear.
        detail={"inquiry": mask_account_numbers(findings)[:200], "sufficient": sufficient},
    )
    return event


def _order_extra(case: Case) -> dict:
    """The order, the 催告书 that enforced it and whether the party was heard: what the
    application and the decision recount (行政强制法 第三十五条至第三十七条)."""
    order = case.order
    if order is None or order.served_on is None:
        raise ValidationError("责令缴纳的决定尚未送达，不能申请划拨。")
    extra = {
        "order_title": order.content.get("title", order.get_doc_type_display()),
        "order_number": order.number_text,
        "order_served_on": chinese_date(order.served_on),
    }
    reminder = served_reminder(case)
    if reminder is not None and reminder.pk != order.pk:
        extra["reminder_number"] = reminder.number_text
        extra["reminder_served_on"] = chinese_date(reminder.served_on)
        extra["defence"] = case.events.filter(
            kind=CaseEvent.Kind.DEFENCE_REVIEW, document=reminder
        ).exists()
    return extra


@transaction.atomic
def transfer_application_issue(*, actor, case: Case, request=None) -> Document:
    """The center asks the 人社局 for a transfer decision, with the inquiry's findings."""
    case = lock_case(case.pk)
    _at_bank(case, "申请划拨")
    inquiry = latest_inquiry(case)
    if inquiry is None:
        raise ValidationError("请先登记账户查询结果，再申请作出划拨决定。")
    state = transfer_state(case)
    if state["awaiting_decision"]:
        raise ValidationError(
            f"已出具划拨申请 {state['application'].number_text}，请等待人社局作出划拨决定。"
        )
    inquiry_document = _latest(case, DocumentType.ACCOUNT_INQUIRY)
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.TRANSFER_APPLICATION,
        enterprise=case.enterprise,
        extra={
            **_order_extra(case),
            "decision_body": issuing_body(Body.BUREAU).name,
            "inquiry_number": inquiry_document.number_text if inquiry_document else "",
            "findings": inquiry.text.partition("：")[2],
        },
        request=request,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"出具划拨申请 {document.number_text}，报人社局作出划拨决定",
        document=document,
    )
    return document


@transaction.atomic
def transfer_decision_issue(
    *, actor, case: Case, account_id: int, amount: Decimal | None = None, request=None
) -> Document:
    """The 人社局's 划拨社会保险费决定书 (行政强制法 第三十七条): the account, the amount — no more
    than what is owed today — the reasons and the remedies; served on the enterprise."""
    case = lock_case(case.pk)
    _at_bank(case, "作出划拨决定")
    state = transfer_state(case)
    application = state["application"]
    if not state["awaiting_decision"]:
        raise ValidationError("划拨决定须依中心的划拨申请作出，请先出具划拨申请。")
    account = case.enterprise.bank_accounts.filter(pk=account_id).first()
    if account is None:
        raise ValidationError({"account": "请选择该企业的一个银行账户。"})
    principal, fee = amounts_owed_on(case.enterprise_id, as_of=today())
    owed = round_fen(principal + fee)
    amount = owed if amount is None else round_fen(amount)
    if owed <= 0:
        raise ValidationError("企业已无欠费，不能作出划拨决定。")
    if not Decimal("0") < amount <= owed:
        raise ValidationError(
            {"amount": f"划拨金额须大于 0，且不超过现欠本金及滞纳金 {format_yuan(owed)} 元。"}
        )
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.TRANSFER_DECISION,
        enterprise=case.enterprise,
        extra={
            **_order_extra(case),
            "collector": issuing_body(Body.CENTER).name,
            "application_number": application.number_text,
            "bank_name": account.bank_name,
            "account": account.account_number,
            "amount": format_yuan(amount),
            "amount_capitals": amount_in_capitals(amount),
            "decided_amount": str(amount),
        },
        request=request,
    )
    case.current_document = document
    case.save(update_fields=["current_document"])
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"人社局作出划拨决定 {document.number_text}，金额不超过 {format_yuan(amount)} 元，待送达企业",
        document=document,
    )
    return document


@transaction.atomic
def transfer_notice_issue(*, actor, case: Case, request=None) -> Document:
    """The written notice to the bank (行政强制法 第四十七条): only after the decision was served,
    for what the decision leaves, and not on a rest day (第四十三条)."""
    case = lock_case(case.pk)
    _at_bank(case, "出具协助划拨通知书")
    state = transfer_state(case)
    decision = state["decision"]
    if decision is None:
        raise ValidationError("尚无人社局的划拨社会保险费决定，不能通知银行划拨。")
    if decision.served_on is None:
        raise ValidationError(f"划拨决定 {decision.number_text} 尚未送达企业，送达后方可通知银行。")
    day = today()
    if not is_workday(day):
        raise ValidationError(
            f"{chinese_date(day)}为法定节假日或休息日，不得实施强制执行（行政强制法第四十三条）。"
        )
    if state["remaining"] <= 0:
        raise ValidationError(f"划拨决定 {decision.number_text} 所定金额已全部划拨。")
    account = decision.content["extra"]
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type=DocumentType.TRANSFER_NOTICE,
        enterprise=case.enterprise,
        extra={
            "decision_number": decision.number_text,
            "decision_issued_on": chinese_date(decision.issued_on),
            "decision_served_on": chinese_date(decision.served_on),
            "bank_name": account["bank_name"],
            "account": account["account"],
            "amount": format_yuan(state["remaining"]),
            "amount_capitals": amount_in_capitals(state["remaining"]),
            "notified_amount": str(state["remaining"]),
        },
        request=request,
    )
    timeline_event(
        case,
        actor,
        CaseEvent.Kind.DOCUMENT,
        f"出具协助划拨通知书 {document.number_text}，依 {decision.number_text} 送开户银行",
        document=document,
    )
    return document


@transaction.atomic
def bank_transfer_record(
    *, actor, case: Case, amount: Decimal, paid_on, external_ref: str, request=None
):
    """What the bank transferred becomes a payment (银行划拨), allocated by the ledger's rules;
    if it clears everything the case closes by itself (arrears.hooks)."""
    from enforcement.services import case_debt_periods

    case = lock_case(case.pk)
    _at_bank(case, "登记划拨结果")
    state = transfer_state(case)
    if state["notice"] is None:
        raise ValidationError("请先依划拨决定出具协助划拨通知书送开户银行，再登记划拨结果。")
    if paid_on < state["notice"].issued_on:
        raise ValidationError({"paid_on": "划拨日期不能早于协助划拨通知书的出具日期。"})
    duplicate = Payment.objects.filter(
        enterprise_id=case.enterprise_id, external_ref=external_ref
    ).exists()
    if not duplicate and amount > state["remaining"]:
        raise ValidationError(
            {
                "amount": f"划拨金额超过划拨决定 {state['decision'].number_text} 尚可划拨的 "
                f"{format_yuan(state['remaining'])} 元。"
            }
        )
    return payment_post(
        actor=actor,
        enterprise=case.enterprise,
        amount=amount,
        paid_on=paid_on,
        method=PaymentMethod.BANK_TRANSFER,
        external_ref=external_ref,
        # A transfer recovers the debt the case was opened for, not whatever is oldest or
        # newest in the ledger (DESIGN §3.5).
        periods=case_debt_periods(case),
        request=request,
    )
