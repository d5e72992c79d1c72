"""Celery tasks: thin, take ids and dates as strings, safe to run twice."""

from datetime import date
from pathlib import Path

from celery import group, shared_task

from arrears import accrual
from arrears.importers import parse_ledger_file
from arrears.models import LedgerItem
from arrears.services import enterprise_rebuild, ledger_import
from core.dates import today
from core.jobs import job_finish, report_progress
from core.models import Job, JobStatus


@shared_task(acks_late=True)
def accrue_chunk(lo: int, hi: int, as_of: str) -> dict:
    result = accrual.accrue_chunk(lo=lo, hi=hi, as_of=date.fromisoformat(as_of))
    return {"lo": lo, "hi": hi, "set_based": result.set_based, "engine": result.engine}


@shared_task
def accrue_late_fees_nightly(as_of: str | None = None) -> int:
    """00:30 every night: one independent chunk task per enterprise id range."""
    day = as_of or today().isoformat()
    chunks = accrual.chunk_ranges()
    group(accrue_chunk.s(lo, hi, day) for lo, hi in chunks).apply_async()
    return len(chunks)


@shared_task(acks_late=True)
def rebuild_enterprises(enterprise_ids: list[int]) -> int:
    for enterprise_id in enterprise_ids:
        enterprise_rebuild(enterprise_id=enterprise_id)
    return len(enterprise_ids)


@shared_task
def rebuild_all_ledgers(batch: int = 500) -> int:
    ids = list(
        LedgerItem.objects.values_list("enterprise_id", flat=True)
        .distinct()
        .order_by("enterprise_id")
    )
    group(
        rebuild_enterprises.s(ids[i : i + batch]) for i in range(0, len(ids), batch)
    ).apply_async()
    return len(ids)


def _allowed_regions(user):
    from core.roles import has_capability
    from enterprises.selectors import regions_visible_to

    if has_capability(user, "view_all_regions"):
        return None
    return set(regions_visible_to(user).values_list("id", flat=True))


@shared_task
def check_ledger_import(job_id: int) -> str:
    """Step 1 of a web import: read and check the whole file; the preview comes from here."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status  # already checked: running twice changes nothing
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    parsed = parse_ledger_file(
        Path(job.file_path),
        allowed_region_ids=_allowed_regions(job.created_by),
        progress=lambda done, total: report_progress(job_id, done),
    )
    if parsed.ok:
        job_finish(job, status=JobStatus.READY, result={"summary": parsed.summary()})
    else:
        job_finish(
            job,
            status=JobStatus.FAILED,
            result={"problems": parsed.messages()[:500], "problem_count": len(parsed.messages())},
        )
    return job.status


@shared_task
def apply_ledger_import(job_id: int) -> str:
    """Step 2, after the user confirmed the preview: check again and write all or nothing."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED or "summary" not in job.result:
        return job.status
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    parsed = parse_ledger_file(
        Path(job.file_path),
        allowed_region_ids=_allowed_regions(job.created_by),
        progress=lambda done, total: report_progress(job_id, done // 2),
    )
    if not parsed.ok:  # the register changed since the preview
        return job_finish(
            job,
            status=JobStatus.FAILED,
            result={"problems": parsed.messages()[:500], "problem_count": len(parsed.messages())},
        ).status
    summary = ledger_import(
        actor=job.created_by,
        parsed=parsed,
        filename=job.file_name,
        progress=lambda done: report_progress(job_id, len(parsed.rows) // 2 + done // 2),
    )
    Path(job.file_path).unlink(missing_ok=True)
    return job_finish(job, status=JobStatus.DONE, result={**job.result, "written": summary}).status
