"""The fine: its decision and its payments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.money import format_yuan
from core.permissions import capability_required
from enforcement import fines
from enforcement.forms import FineDecisionForm, FinePaymentForm
from enforcement.views.common import case_for, form_errors, show_errors


@capability_required("issue_documents")
@require_POST
def fine(request, case_id):
    case = case_for(request, case_id)
    try:
        if "multiple" in request.POST:
            form = FineDecisionForm(request.POST)
            if not form.is_valid():
                raise form_errors(form)
            fine = fines.fine_decide(
                actor=request.user,
                case=case,
                multiple=form.cleaned_data["multiple"],
                request=request,
            )
            messages.success(
                request,
                f"已作出罚款决定 {format_yuan(fine.amount)} 元（{fine.decision.number_text}），请送达。",
            )
        else:
            fine_id = request.POST.get("fine", "")
            fine = case.fines.filter(pk=int(fine_id)).first() if fine_id.isdigit() else None
            if fine is None:
                raise ValidationError("请先作出罚款决定。")
            form = FinePaymentForm(request.POST)
            if not form.is_valid():
                raise form_errors(form)
            _, created = fines.fine_payment_record(
                actor=request.user, fine=fine, request=request, **form.cleaned_data
            )
            messages.success(
                request, "已登记罚款缴纳。" if created else "该凭证已登记过，未重复记账。"
            )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
