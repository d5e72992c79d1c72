"""Celery tasks of core: thin, take ids, safe to run twice (core.jobs claims each job once)."""

import socket
from pathlib import Path

from celery import shared_task
from django.db import transaction

from core import exports, imports
from core.audit_chain import seal_audit
from core.jobs import jobs_recover, report_progress, run_job
from core.models import JobStatus

CHECK_IMPORT = "core.tasks.check_import"
APPLY_IMPORT = "core.tasks.apply_import"


@shared_task(ignore_result=False)
def echo(token: str) -> dict:
    """A task with no side effects, used to prove a worker picks up queued work end to end."""
    return {"token": token, "host": socket.gethostname()}


@shared_task
def seal_audit_log() -> int:
    return seal_audit()


@shared_task(acks_late=True)
def check_import(job_id: int) -> str:
    """Step 1 of an import: read and check the whole file; the preview comes from here."""

    def work(job):
        importer = imports.importer_of(job)
        if not Path(job.file_path).exists():
            return JobStatus.REFUSED, imports.file_gone()
        parsed = importer.check(
            Path(job.file_path),
            allowed_region_ids=imports.allowed_region_ids(job.created_by),
            progress=lambda done: report_progress(job.pk, done),
        )
        if not parsed.ok:
            Path(job.file_path).unlink(missing_ok=True)
            return JobStatus.REFUSED, imports.refused_result(parsed)
        return JobStatus.READY, {"preview": importer.preview(parsed), "rows": len(parsed.rows)}

    return run_job(job_id, work)


@shared_task(acks_late=True)
def apply_import(job_id: int) -> str:
    """Step 2, after the user confirmed the preview: check again, then write all or nothing."""

    def work(job):
        importer = imports.importer_of(job)
        path = Path(job.file_path)
        if not path.exists():
            return JobStatus.REFUSED, imports.file_gone()
        parsed = importer.check(
            path,
            allowed_region_ids=imports.allowed_region_ids(job.created_by),
            progress=lambda done: report_progress(job.pk, done // 2),
        )
        if not parsed.ok:  # the register changed since the preview
            path.unlink(missing_ok=True)
            return JobStatus.REFUSED, imports.refused_result(parsed)
        half = len(parsed.rows) // 2
        with transaction.atomic():
            summary = importer.write(
                actor=job.created_by,
                parsed=parsed,
                filename=job.file_name,
                progress=lambda done: report_progress(job.pk, half + done // 2),
            )
        path.unlink(missing_ok=True)
        return JobStatus.DONE, {**job.result, "written": summary}

    return run_job(job_id, work)


@shared_task
def recover_jobs() -> dict:
    """Every few minutes (Celery beat): jobs whose worker died, jobs the broker never got."""
    return jobs_recover()


@shared_task(acks_late=True)
def export_file(job_id: int) -> str:
    """A large export (core.exports): the file, kept for the job's page to download."""
    return run_job(job_id, exports.export_job_work)
