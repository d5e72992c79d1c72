"""Ledger import in the browser: upload → check (a task, with progress) → preview → confirm →
write (a task, with progress). Large files never block a request in production."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from arrears.importers import TEMPLATE_HEADERS
from arrears.tasks import apply_ledger_import, check_ledger_import
from core.excel import write_xlsx
from core.jobs import progress_of
from core.models import Job, JobStatus
from core.permissions import capability_required
from enterprises.forms import ImportUploadForm

KIND = "ledger_import"


@capability_required("manage_ledger")
def import_template(request):
    example = [
        ["91110000600037341L", "示例机械制造有限公司", "养老", "2024-03", "1,234.50", "493.80", ""]
    ]
    response = HttpResponse(
        write_xlsx("欠费明细", TEMPLATE_HEADERS, example),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename=ledger-import-template.xlsx"
    return response


@capability_required("manage_ledger")
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            form.add_error(
                "file", f"文件过大，上限为 {settings.IMPORT_MAX_FILE_BYTES // 2**20} MB。"
            )
        else:
            folder = Path(settings.MEDIA_ROOT) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{uuid.uuid4().hex}.xlsx"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            job = Job.objects.create(
                kind=KIND, created_by=request.user, file_name=upload.name[:200], file_path=str(path)
            )
            transaction.on_commit(lambda: check_ledger_import.delay(job.pk))
            return redirect("arrears:import_job", job.pk)
    return render(request, "arrears/import_upload.html", {"form": form})


def _job(request, job_id) -> Job:
    # Only the person who uploaded a file sees its preview and can confirm it.
    return get_object_or_404(Job, pk=job_id, kind=KIND, created_by=request.user)


@capability_required("manage_ledger")
def import_job(request, job_id):
    job = _job(request, job_id)
    done, total = progress_of(job)
    template = "arrears/_import_status.html" if request.htmx else "arrears/import_job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "done": done,
            "total": total,
            "percent": min(100, int(done * 100 / total)) if total else None,
        },
    )


@capability_required("manage_ledger")
@require_POST
def import_confirm(request, job_id):
    job = _job(request, job_id)
    if job.status != JobStatus.READY:
        messages.warning(request, "该文件不在待确认状态。")
        return redirect("arrears:import_job", job.pk)
    Job.objects.filter(pk=job.pk, status=JobStatus.READY).update(
        status=JobStatus.QUEUED, total=job.result["summary"]["rows"]
    )
    transaction.on_commit(lambda: apply_ledger_import.delay(job.pk))
    return redirect("arrears:import_job", job.pk)
