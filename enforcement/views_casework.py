"""The case page's stage actions beyond moving: the audit record, tracking reviews, write-off."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.permissions import capability_required
from enforcement import audits, closing
from enforcement.forms import AuditRecordForm
from enforcement.views import _case, _errors, form_errors


@capability_required("issue_documents")
@require_POST
def audit_record(request, case_id):
    case = _case(request, case_id)
    form = AuditRecordForm(request.POST)
    try:
        if not form.is_valid():
            raise form_errors(form)
        record = audits.audit_record(
            actor=request.user, case=case, request=request, **form.cleaned_data
        )
        messages.success(
            request,
            f"已登记稽核记录并出具{record.result_document.get_doc_type_display()} "
            f"{record.result_document.number_text}，请送达。",
        )
    except ValidationError as error:
        _errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def review(request, case_id):
    case = _case(request, case_id)
    try:
        case = closing.review_record(
            actor=request.user, case=case, note=request.POST.get("note", ""), request=request
        )
        messages.success(request, f"已登记复查，下次复查 {case.review_due:%Y-%m-%d}。")
    except ValidationError as error:
        _errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def write_off(request, case_id):
    case = _case(request, case_id)
    try:
        closing.write_off_request(
            actor=request.user,
            case=case,
            documents={key: request.POST.get(key, "") for key in closing.WRITE_OFF_DOCUMENTS},
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, "已提交核销审批。")
    except ValidationError as error:
        _errors(request, error)
    return redirect("enforcement:detail", case.pk)
