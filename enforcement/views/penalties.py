"""The fine: the enforcement unit's procedure, the head's decision and the payments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.money import format_yuan
from core.permissions import capability_required
from enforcement import fine_enforcement, fines, penalty_procedure
from enforcement.forms import (
    FineDecisionForm,
    FinePaymentForm,
    HearingHeldForm,
    HearingNoticeForm,
    HearingRequestForm,
    LegalReviewForm,
    PenaltyFilingForm,
)
from enforcement.views.common import case_for, form_errors, show_errors

# action → (form, service, message): each step of the procedure is one small form.
STEPS = {
    "file": (PenaltyFilingForm, penalty_procedure.penalty_file, "已登记处罚立案。"),
    "notice": (
        FineDecisionForm,
        penalty_procedure.penalty_notice_issue,
        "已出具行政处罚事先告知书，请送达并登记送达。",
    ),
    "hearing_request": (
        HearingRequestForm,
        penalty_procedure.hearing_request_record,
        "已登记听证申请。",
    ),
    "hearing_notice": (
        HearingNoticeForm,
        penalty_procedure.hearing_notice_issue,
        "已出具听证通知书，请送达。",
    ),
    "hearing_held": (HearingHeldForm, penalty_procedure.hearing_held_record, "已登记听证。"),
    "legal_review": (
        LegalReviewForm,
        penalty_procedure.legal_review_record,
        "已登记法制审核意见。",
    ),
}


def _valid(form) -> dict:
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


@capability_required("issue_documents")
@require_POST
def penalty_step(request, case_id):
    case = case_for(request, case_id)
    try:
        step = STEPS.get(request.POST.get("action", ""))
        if step is None:
            raise ValidationError("未知的处罚程序步骤。")
        form_class, service, message = step
        service(actor=request.user, case=case, request=request, **_valid(form_class(request.POST)))
        messages.success(request, message)
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("approve_high_risk")
@require_POST
def fine_decision(request, case_id):
    """The head decides (行政处罚法 第五十七条): the leader's capability, not the caseworker's."""
    case = case_for(request, case_id)
    try:
        data = _valid(FineDecisionForm(request.POST))
        fine = fines.fine_decide(
            actor=request.user, case=case, multiple=data["multiple"], request=request
        )
        messages.success(
            request,
            f"已作出罚款决定 {format_yuan(fine.amount)} 元（{fine.decision.number_text}），"
            "请于7个工作日内送达。",
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def fine_payment(request, case_id):
    case = case_for(request, case_id)
    try:
        fine_id = request.POST.get("fine", "")
        fine = case.fines.filter(pk=int(fine_id)).first() if fine_id.isdigit() else None
        if fine is None:
            raise ValidationError("请先作出罚款决定。")
        _, created = fines.fine_payment_record(
            actor=request.user, fine=fine, request=request, **_valid(FinePaymentForm(request.POST))
        )
        messages.success(request, "已登记罚款缴纳。" if created else "该凭证已登记过，未重复记账。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def fine_reminder(request, case_id):
    """The enforcement unit's 催告书 for a fine unpaid after its 15 days."""
    case = case_for(request, case_id)
    try:
        document = fine_enforcement.fine_reminder_issue(
            actor=request.user, case=case, request=request
        )
        messages.success(request, f"已出具罚款催告书 {document.number_text}，请送达并登记送达。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("approve_high_risk")
@require_POST
def fine_court(request, case_id):
    """The head signs the application to the court for the fine (行政强制法 第五十五条)."""
    case = case_for(request, case_id)
    try:
        document = fine_enforcement.fine_court_apply(actor=request.user, case=case, request=request)
        messages.success(
            request, f"已出具罚款强制执行申请书 {document.number_text}，请加盖印章后报送法院。"
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
