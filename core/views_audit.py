from django.shortcuts import render

from core import exporters
from core.audit_display import detail_lines, object_type_label
from core.exports import export_response
from core.pagination import paginate
from core.permissions import capability_required


@capability_required("view_audit_log")
def audit_log(request):
    form, _, entries = exporters.filtered(request.user, request.GET)
    page = paginate(request, entries)
    # In words, not model names and dicts: the auditor reads the log, not the code.
    for entry in page:
        entry.type_label = object_type_label(entry.object_type)
        entry.lines = detail_lines(entry)
    return render(request, "core/audit_log.html", {"form": form, "page": page})


@capability_required("view_audit_log")
def audit_export(request):
    """The log with the page's filters as xlsx; the export itself is logged (core.exports)."""
    return export_response(request, "audit_log")
