"""Report work, routed to the `reports` queue (config.settings.CELERY_TASK_ROUTES). Thin: each
task takes ids and is safe to run twice (core.jobs claims a job once; the monthly run finds
last month's report already made)."""

from datetime import date

from celery import shared_task

from core.dates import today
from core.jobs import report_progress, run_job
from core.models import Job, JobStatus
from reports.archive import monthly_archive_scheduled, report_generate
from reports.balances import region_balances_refresh


@shared_task(acks_late=True)
def generate_report(job_id: int) -> str:
    """Build the report a user asked for and archive it; the job's result names the files."""

    def work(job: Job):
        archives = report_generate(
            kind=job.result["kind"],
            period_start=date.fromisoformat(job.result["start"]),
            period_end=date.fromisoformat(job.result["end"]),
            created_by=job.created_by,
            progress=lambda percent: report_progress(job.pk, percent),
        )
        return JobStatus.DONE, {**job.result, "archives": [a.pk for a in archives]}

    return run_job(job_id, work)


@shared_task(acks_late=True)
def monthly_report_scheduled() -> list[int]:
    """Beat, on the 1st of each month: last month's report, archived with no user."""
    return [archive.pk for archive in monthly_archive_scheduled(on=today())]


@shared_task(acks_late=True)
def region_balances_nightly() -> int:
    """Beat, each night: this month's row per township, read by the growth warning."""
    return region_balances_refresh(as_of=today())
