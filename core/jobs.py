"""The life cycle of a Job, long work a user started and watches (an import, a batch of
documents), run by a Celery task that takes the job's id.

    queued ─claim─▶ running ─▶ done
                       │  └──▶ ready (an import checked; the user confirms) ─▶ queued …
                       └─────▶ failed (a message for the user, the traceback in the log)

- A job is claimed by one conditional UPDATE from queued to running, so a task delivered twice
  (acks-late redelivery after a worker died, a double click) runs once; the second delivery
  finds the job claimed and does nothing.
- While it runs, the worker keeps a heartbeat in the cache. A running job without a heartbeat
  lost its worker: a redelivered task takes it over, and `jobs_recover` (every few minutes)
  fails the ones nobody took over, so no job says 进行中 for ever. The work itself is all or
  nothing, so the rollback of the dead worker's transaction lost nothing.
- A job is handed to the broker after its transaction commits. With the broker down it stays
  queued, the user's request still succeeds, and `jobs_recover` hands it over again.
- Progress goes through the cache too: the work runs inside a transaction no one else sees.
"""

import importlib
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from celery import current_app
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import client_ip, on_behalf_of
from core.models import Job, JobStatus

logger = logging.getLogger(__name__)

_PROGRESS = "job-progress:{}"
_ALIVE = "job-alive:{}"
HEARTBEAT_SECONDS = 10
# A heartbeat older than this means the worker is gone (three beats missed).
ALIVE_SECONDS = 3 * HEARTBEAT_SECONDS
# A job left queued this long was never handed over (the broker was down): hand it over again.
REQUEUE_AFTER = timedelta(minutes=2)

FAILED_MESSAGE = (
    "处理时发生错误，没有写入任何数据。请稍后重试；如仍失败，请把任务编号 {job} 告诉系统管理员。"
)
LOST_MESSAGE = "后台处理意外中断（处理进程已退出），没有写入任何数据。请重新开始。"


def _cache_set(key: str, value, timeout: int) -> None:
    # Progress and heartbeats live in Redis, which is also the broker: with it down the work
    # and the pages go on without them rather than fail.
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        logger.warning("cache unavailable: %s not kept", key)


def _cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:
        logger.warning("cache unavailable: %s not read", key)
        return default


def report_progress(job_id: int, done: int) -> None:
    _cache_set(_PROGRESS.format(job_id), done, timeout=3600)


def progress_of(job: Job) -> tuple[int, int | None]:
    return _cache_get(_PROGRESS.format(job.pk), 0), job.total


def job_create(*, kind: str, task: str, created_by, request=None, **fields) -> Job:
    """A new queued job, handed to `task` once the caller's transaction commits. The address
    of the request that started it goes with it, into the audit entries its work writes."""
    job = Job.objects.create(
        kind=kind, task=task, created_by=created_by, ip=client_ip(request), **fields
    )
    job_enqueue(job)
    return job


def job_enqueue(job: Job) -> None:
    transaction.on_commit(lambda: _send(job.task, job.pk))


def job_requeue(job: Job, *, from_status: str, **fields) -> bool:
    """Queue a job again (an import confirmed, a batch to finish). Conditional: of two clicks
    only the first queues it; the second returns False."""
    updated = Job.objects.filter(pk=job.pk, status=from_status).update(
        status=JobStatus.QUEUED, queued_at=timezone.now(), message="", **fields
    )
    if updated:
        job.refresh_from_db()
        job_enqueue(job)
    return bool(updated)


def _send(task_name: str, job_id: int) -> bool:
    return send_task(task_name, job_id)


def send_task(task_name: str, *args) -> bool:
    """Hand a task to the broker; False, logged, when the broker is down. The caller's work has
    committed and is found again by a periodic task (jobs_recover, render_missing_pdfs), so the
    user's request must not fail for it."""
    try:
        if task_name not in current_app.tasks:
            # Task modules load lazily in a web process; the name says which one to load.
            importlib.import_module(task_name.rpartition(".")[0])
        # Through the registered task, so that eager mode (the demo, tests) runs it in-process.
        current_app.tasks[task_name].delay(*args)
        return True
    except Exception:
        logger.warning("broker unavailable: %s%s not sent", task_name, args, exc_info=True)
        return False


def send_after_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_task(task_name, *args))


def job_claim(job_id: int) -> Job | None:
    """The job, now running in this worker, or None when another delivery has it or it ended."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        job = Job.objects.filter(pk=job_id).first()
        if job is None or job.status != JobStatus.RUNNING or is_alive(job_id):
            return None
        # Its worker died: take it over, unless another delivery just did.
        claimed = Job.objects.filter(
            pk=job_id, status=JobStatus.RUNNING, claimed_at=job.claimed_at
        ).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
        if not claimed:
            return None
        logger.warning("job %s lost its worker; taken over", job_id)
    return Job.objects.select_related("created_by").get(pk=job_id)


def is_alive(job_id: int) -> bool:
    return _cache_get(_ALIVE.format(job_id)) is not None


@contextmanager
def heartbeat(job_id: int):
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            _cache_set(_ALIVE.format(job_id), 1, timeout=ALIVE_SECONDS)

    _cache_set(_ALIVE.format(job_id), 1, timeout=ALIVE_SECONDS)  # alive before the work starts

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        _cache_set(_ALIVE.format(job_id), None, timeout=1)


def run_job(job_id: int, work) -> str:
    """Claim the job and run `work(job)`, which returns (status, result). Any exception ends the
    job as failed with a message for the user; the traceback goes to the log."""
    job = job_claim(job_id)
    if job is None:
        return "skipped"
    with heartbeat(job.pk), on_behalf_of(ip=job.ip):
        try:
            status, result = work(job)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            job.refresh_from_db()
            return job_fail(job, message=FAILED_MESSAGE.format(job=job.pk)).status
    return job_finish(job, status=status, result=result).status


def job_update_result(job: Job, **values) -> Job:
    """Keep part of the result while the job runs (a batch's documents already issued), so
    that a failure later still shows it."""
    job.result = {**job.result, **values}
    Job.objects.filter(pk=job.pk).update(result=job.result)
    return job


def job_finish(job: Job, *, status: str, result: dict, message: str = "") -> Job:
    job.status, job.result, job.message = status, result, message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "message", "finished_at"])
    _cache_set(_PROGRESS.format(job.pk), 0, timeout=1)
    return job


def job_fail(job: Job, *, message: str, result: dict | None = None) -> Job:
    return job_finish(
        job,
        status=JobStatus.FAILED,
        result=job.result if result is None else result,
        message=message,
    )


def jobs_recover() -> dict:
    """Every few minutes: fail running jobs whose worker is gone, and hand queued jobs that
    never reached a worker (the broker was down) to the broker again."""
    lost = requeued = 0
    quiet_since = timezone.now() - timedelta(seconds=ALIVE_SECONDS)
    for job in Job.objects.filter(status=JobStatus.RUNNING, claimed_at__lt=quiet_since):
        if not is_alive(job.pk):
            updated = Job.objects.filter(
                pk=job.pk, status=JobStatus.RUNNING, claimed_at=job.claimed_at
            ).update(status=JobStatus.FAILED, message=LOST_MESSAGE, finished_at=timezone.now())
            lost += updated
    stale = timezone.now() - REQUEUE_AFTER
    for job in Job.objects.filter(status=JobStatus.QUEUED, queued_at__lt=stale).exclude(task=""):
        requeued += _send(job.task, job.pk)
    return {"lost": lost, "requeued": requeued}
