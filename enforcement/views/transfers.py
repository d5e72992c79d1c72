"""The bank steps of 查询划拨: inquiry findings, the application, the 人社局's decision, the
notice to the bank, the transfer."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.money import format_yuan
from core.permissions import capability_required
from enforcement import transfers
from enforcement.forms import BankInquiryForm, BankTransferForm, TransferDecisionForm
from enforcement.views.common import case_for, form_errors, show_errors


def _valid(form):
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


@capability_required("issue_documents")
@require_POST
def bank_result(request, case_id):
    case = case_for(request, case_id)
    action = request.POST.get("action", "")
    try:
        if action == "inquiry":
            data = _valid(BankInquiryForm(request.POST))
            transfers.bank_inquiry_record(actor=request.user, case=case, request=request, **data)
            messages.success(request, "已登记账户查询结果。")
        elif action == "application":
            document = transfers.transfer_application_issue(
                actor=request.user, case=case, request=request
            )
            messages.success(request, f"已出具划拨申请 {document.number_text}，报人社局。")
        elif action == "decision":
            data = _valid(TransferDecisionForm(request.POST))
            document = transfers.transfer_decision_issue(
                actor=request.user,
                case=case,
                account_id=data["account"],
                amount=data["amount"],
                request=request,
            )
            messages.success(
                request, f"已出具划拨决定书 {document.number_text}，请送达企业并登记送达。"
            )
        elif action == "notice":
            document = transfers.transfer_notice_issue(
                actor=request.user, case=case, request=request
            )
            messages.success(
                request, f"已出具协助划拨通知书 {document.number_text}，请送达开户银行。"
            )
        else:
            data = _valid(BankTransferForm(request.POST))
            payment, created = transfers.bank_transfer_record(
                actor=request.user, case=case, request=request, **data
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
