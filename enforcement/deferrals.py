"""Deferral agreements (延期缴费协议, 社会保险法 第六十三条): the terms a caseworker proposes, the
agreement and suspension an approval starts, and the nightly check of the instalments."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from arrears.models import InsuranceType, Payment, SuspensionKind
from arrears.selectors import amounts_outstanding
from arrears.services import suspension_decide, suspension_request
from core.dates import chinese_date
from core.excel import parse_amount
from core.money import format_yuan, round_fen
from enforcement.models import (
    Case,
    CaseEvent,
    Deferral,
    GuaranteeKind,
    Instalment,
)
from enforcement.selectors import casework_settings
from enforcement.timeline import timeline_event
from notices.content import instalment_plan

# 《社会保险费申报缴纳管理规定》第十九条: the guarantee is a mortgage or a pledge. Older agreements
# may name another kind; they keep it.
ACCEPTED_GUARANTEES = (GuaranteeKind.MORTGAGE, GuaranteeKind.PLEDGE)
# Medical insurance may not be deferred; the agreement covers basic pension, the contributions
# this office collects and enforces (other kinds stay payable as ordered).
DEFERRED_INSURANCE = InsuranceType.PENSION


def deferral_terms(data: dict) -> dict:
    """The terms of a proposed agreement, checked before anyone is asked to approve them."""
    errors = {}
    limit = casework_settings().deferral_max_months
    try:
        months = int(str(data.get("months", "")).strip())
    except ValueError:
        months = 0
    if not 1 <= months <= limit:
        errors["months"] = f"分期月数须为 1 至 {limit} 个月。"
    kind = data.get("guarantee_kind", "")
    if kind not in ACCEPTED_GUARANTEES:
        errors["guarantee_kind"] = "延期缴费须以抵押或质押提供担保。"
    try:
        value = parse_amount(data.get("guarantee_value", ""))  # the importers' reading of money
        if value <= 0:
            raise ValueError
    except ValueError:
        errors["guarantee_value"] = "担保价值须为大于 0 的金额（元，最多两位小数）。"
        value = None
    document = str(data.get("guarantee_document", "")).strip()
    if not document:
        errors["guarantee_document"] = "请填写担保合同或担保文件的编号。"
    if errors:
        raise ValidationError(errors)
    return {
        "months": months,
        "guarantee_kind": kind,
        "guarantee_value": str(value),
        "guarantee_document": document[:200],
    }


def describe_guarantee(terms: dict) -> str:
    return (
        f"{GuaranteeKind(terms['guarantee_kind']).label}，价值 "
        f"{format_yuan(Decimal(terms['guarantee_value']))} 元，{terms['guarantee_document']}"
    )


def agreement_extra(case: Case, terms: dict, day: date) -> dict:
    """What the 延期缴费协议 states: the plan this case will be held to, on the basic pension
    principal; the guarantee worth at least the deferred amount (× the ratio of the settings);
    the accrued fee due with the last instalment; current contributions paid on time."""
    principal, fee = amounts_outstanding(case.enterprise_id, DEFERRED_INSURANCE)
    if principal <= 0:
        raise ValidationError("企业已无欠缴的基本养老保险费本金，无需签订延期缴费协议。")
    required = round_fen(principal * casework_settings().guarantee_ratio)
    if Decimal(terms["guarantee_value"]) < required:
        raise ValidationError(
            {"guarantee_value": f"担保价值须不低于缓缴数额 {format_yuan(required)} 元。"}
        )
    plan = instalment_plan(principal, terms["months"], day)
    return {
        "months": terms["months"],
        "guarantee": describe_guarantee(terms),
        "plan": [(due.isoformat(), str(amount)) for due, amount in plan],
        "insurance": InsuranceType(DEFERRED_INSURANCE).label,
        "deferred": format_yuan(principal),
        "fee": format_yuan(fee),
        "fee_due_on": chinese_date(plan[-1][0]),
    }


def deferral_start(
    *,
    case: Case,
    document,
    terms: dict,
    plan,
    requested_by,
    approved_by,
    resume_stage,
    resume_document,
    day,
) -> Deferral:
    """Record the agreement and stop the late fee while it is honoured: an approved arrears
    suspension from the agreement's day to the last instalment."""
    plan = [(date.fromisoformat(due), Decimal(amount)) for due, amount in plan]
    suspension = suspension_request(
        actor=requested_by,
        enterprise=case.enterprise,
        kind=SuspensionKind.DEFERRAL,
        insurance_type=DEFERRED_INSURANCE,
        start=day,
        end=plan[-1][0],
        # The agreement covers the arrears of its day; months falling due while it runs are
        # current contributions, paid on time or charged a fee like any other.
        due_before=day,
        reason=f"延期缴费协议（{len(plan)}期）",
        document=document.number_text,
    )
    suspension_decide(
        actor=approved_by, suspension=suspension, approve=True, comment="同意延期缴费"
    )
    deferral = Deferral.objects.create(
        case=case,
        agreement=document,
        suspension=suspension,
        resume_stage=resume_stage,
        resume_document=resume_document,
        guarantee_kind=terms["guarantee_kind"],
        guarantee_value=Decimal(terms["guarantee_value"]),
        guarantee_document=terms["guarantee_document"],
        months=len(plan),
        total=sum(amount for _, amount in plan),
        starts_on=day,
        approved_by=approved_by,
    )
    Instalment.objects.bulk_create(
        Instalment(deferral=deferral, number=n, due_on=due, amount=amount)
        for n, (due, amount) in enumerate(plan, start=1)
    )
    timeline_event(
        case,
        approved_by,
        CaseEvent.Kind.DOCUMENT,
        f"延期缴费：{len(plan)} 期共 {format_yuan(deferral.total)} 元，"
        f"{chinese_date(day)}至{chinese_date(plan[-1][0])}暂停计收滞纳金",
    )
    return deferral


def instalment_progress(deferral: Deferral, *, as_of: date) -> list[dict]:
    """Each instalment with what was due by its date, what the enterprise had paid since the
    agreement by then (reversals excluded), and whether it was missed as of `as_of`."""
    payments = list(
        Payment.objects.filter(
            enterprise_id=deferral.case.enterprise_id,
            reversed_at__isnull=True,
            insurance_type=DEFERRED_INSURANCE,
            paid_on__gte=deferral.starts_on,
        ).values_list("paid_on", "amount")
    )
    rows, due_so_far = [], Decimal("0")
    for instalment in deferral.instalments.all():
        due_so_far += instalment.amount
        paid = sum((amount for day, amount in payments if day <= instalment.due_on), Decimal("0"))
        rows.append(
            {
                "instalment": instalment,
                "due_so_far": due_so_far,
                "paid": min(paid, due_so_far),
                "missed": instalment.due_on < as_of and paid < due_so_far,
            }
        )
    return rows


def first_missed(deferral: Deferral, as_of: date) -> Instalment | None:
    """The first instalment whose date has passed with less paid by then than was due by then."""
    return next(
        (row["instalment"] for row in instalment_progress(deferral, as_of=as_of) if row["missed"]),
        None,
    )
