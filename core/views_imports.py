"""The pages of the import pipeline (core.imports), the same for every importer: upload,
progress and preview, confirm, result, history and the error report."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import imports
from core.audit import AuditAction, log_action
from core.excel import write_xlsx
from core.forms import UploadForm
from core.jobs import job_create, job_requeue, progress_of
from core.models import Job, JobStatus
from core.pagination import paginate
from core.roles import has_capability
from core.tasks import APPLY_IMPORT, CHECK_IMPORT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer(request, kind) -> imports.Importer:
    importer = imports.IMPORTERS.get(kind)
    if importer is None:
        raise Http404
    if not has_capability(request.user, importer.capability):
        raise PermissionDenied
    return importer


def _own_job(request, job_id) -> Job:
    # Only the person who uploaded a file sees its preview and confirms it.
    job = get_object_or_404(Job, pk=job_id, kind__startswith="import:")
    _importer(request, imports.importer_of(job).kind)  # 403 for a role that cannot import
    if job.created_by_id != request.user.pk:
        raise Http404
    return job


def import_template(request, kind):
    importer = _importer(request, kind)
    response = HttpResponse(
        write_xlsx(importer.title, importer.headers, [importer.example]), content_type=XLSX
    )
    response["Content-Disposition"] = f"attachment; filename={kind}-import-template.xlsx"
    return response


def import_upload(request, kind):
    importer = _importer(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            limit = settings.IMPORT_MAX_FILE_BYTES // 2**20
            form.add_error("file", f"文件过大，上限为 {limit} MB。")
        else:
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{uuid.uuid4().hex}.xlsx"  # never the user's name on disk
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            job = job_create(
                kind=imports.job_kind(importer),
                task=CHECK_IMPORT,
                created_by=request.user,
                request=request,
                file_name=upload.name[:200],
                file_path=str(path),
            )
            return redirect("imports:job", job.pk)
    return render(request, "core/imports/upload.html", {"form": form, "importer": importer})


def import_job(request, job_id):
    job = _own_job(request, job_id)
    importer = imports.importer_of(job)
    done, total = progress_of(job)
    context = {
        "job": job,
        "importer": importer,
        "done": done,
        "total": total,
        "percent": min(100, int(done * 100 / total)) if total else None,
        "problems": job.result.get("problems", [])[:500],
        "message": importer.done(job.result["written"]) if "written" in job.result else "",
        "details": importer.details(job.result["written"]) if "written" in job.result else None,
    }
    template = "core/imports/_status.html" if request.htmx else "core/imports/job.html"
    return render(request, template, context)


@require_POST
def import_confirm(request, job_id):
    job = _own_job(request, job_id)
    # Conditional: a double click queues the write once; the second click finds it queued.
    if not job_requeue(
        job, from_status=JobStatus.READY, task=APPLY_IMPORT, total=job.result.get("rows")
    ):
        messages.info(request, "该文件已确认导入，正在处理或已完成。")
    return redirect("imports:job", job.pk)


def import_history(request):
    if not any(has_capability(request.user, i.capability) for i in imports.IMPORTERS.values()):
        raise PermissionDenied
    jobs = Job.objects.filter(kind__startswith="import:").select_related("created_by")
    if not has_capability(request.user, "view_all_regions"):
        jobs = jobs.filter(created_by_id__in=imports.colleague_ids(request.user))
    titles = {imports.job_kind(i): i.title for i in imports.IMPORTERS.values()}
    page = paginate(request, jobs.order_by("-created_at"))
    for job in page.object_list:
        job.title = titles.get(job.kind, job.kind)
        job.rows = job.result.get("written", {}).get("rows") or job.result.get("rows")
    return render(request, "core/imports/history.html", {"page": page})


def import_errors(request, job_id):
    """The refused file's problems as a spreadsheet, to fix the file row by row."""
    job = get_object_or_404(Job, pk=job_id, kind__startswith="import:")
    _importer(request, imports.importer_of(job).kind)
    if job.created_by_id != request.user.pk and not has_capability(
        request.user, "view_all_regions"
    ):
        raise Http404
    if job.status != JobStatus.REFUSED:
        raise Http404
    rows = [[row, column, message] for row, column, message in job.result.get("problems", [])]
    if job.result.get("file_error"):
        rows.insert(0, ["", "整个文件", job.result["file_error"]])
    log_action(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=job,
        request=request,
        detail={"report": "import_errors", "rows": len(rows)},
    )
    response = HttpResponse(write_xlsx("导入问题", ["行号", "列", "问题"], rows), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=import-{job.pk}-problems.xlsx"
    return response
