"""The bank steps of 查询划拨: inquiry findings, the notice to the bank, the transfer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.money import format_yuan
from core.permissions import capability_required
from enforcement import services
from enforcement.forms import BankTransferForm
from enforcement.views.common import case_for, form_errors, show_errors


@capability_required("issue_documents")
@require_POST
def bank_result(request, case_id):
    case = case_for(request, case_id)
    try:
        if request.POST.get("action") == "transfer_notice":
            document = services.transfer_notice_issue(
                actor=request.user, case=case, request=request
            )
            messages.success(request, f"已出具划拨通知书 {document.number_text}，请送达开户银行。")
        elif request.POST.get("findings") is not None:
            services.bank_inquiry_record(
                actor=request.user, case=case, findings=request.POST["findings"], request=request
            )
            messages.success(request, "已登记账户查询结果。")
        else:
            form = BankTransferForm(request.POST)
            if not form.is_valid():
                raise form_errors(form)
            payment, created = services.bank_transfer_record(
                actor=request.user, case=case, request=request, **form.cleaned_data
            )
            messages.success(
                request,
                f"已登记银行划拨 {format_yuan(payment.amount)} 元。"
                if created
                else f"凭证号 {payment.external_ref} 已登记过，未重复记账。",
            )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
