"""The audit of a case: its record, which issues the audit's result document."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.permissions import capability_required
from enforcement import audits
from enforcement.forms import AuditRecordForm
from enforcement.views.common import case_for, form_errors, show_errors


@capability_required("issue_documents")
@require_POST
def audit_record(request, case_id):
    case = case_for(request, case_id)
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
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
