from django.shortcuts import render

from core.forms import AuditSearchForm
from core.pagination import paginate
from core.permissions import capability_required
from core.selectors import audit_entries_search


@capability_required("view_audit_log")
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_search(**{k: v for k, v in filters.items() if v})
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": paginate(request, entries.select_related("actor"))},
    )
