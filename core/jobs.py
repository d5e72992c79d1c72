"""Progress of a running job, shared through the cache (Redis in production)."""

from django.core.cache import cache
from django.utils import timezone

from core.models import Job

_KEY = "job-progress:{}"


def report_progress(job_id: int, done: int) -> None:
    cache.set(_KEY.format(job_id), done, timeout=3600)


def progress_of(job: Job) -> tuple[int, int | None]:
    return cache.get(_KEY.format(job.pk), 0), job.total


def job_finish(job: Job, *, status: str, result: dict) -> Job:
    job.status, job.result, job.finished_at = status, result, timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    cache.delete(_KEY.format(job.pk))
    return job
