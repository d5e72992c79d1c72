from datetime import date

from celery import shared_task

from core.dates import today
from core.jobs import report_progress
from core.models import Job, JobStatus
from enforcement.classification import classification_refresh_all
from enforcement.models import Case
from enforcement.services import case_move
from enforcement.sweep import sweep_cases
from notices.tasks import finish_batch


@shared_task
def sweep_cases_nightly(as_of: str | None = None) -> dict:
    """01:00, after the 00:30 accrual: deferrals, deadlines passed overnight, reviews, payoffs."""
    result = sweep_cases(as_of=date.fromisoformat(as_of) if as_of else today())
    return {**result, "reclassified": classification_refresh_all()}


@shared_task
def move_cases_batch(job_id: int) -> str:
    """Move each chosen case one step (each in its own transaction: a case whose guard refuses
    is listed with the reason, the others go on) and print the documents as one PDF."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    documents, skipped = [], []
    cases = Case.objects.filter(pk__in=job.result["case_ids"]).select_related("enterprise")
    for done, case in enumerate(cases.order_by("enterprise__name"), start=1):
        try:
            moved = case_move(actor=job.created_by, case=case, to_stage=job.result["to_stage"])
            documents.append(moved.current_document)
        except Exception as error:
            skipped.append(
                {
                    "enterprise": case.enterprise.name,
                    "reason": "；".join(getattr(error, "messages", [str(error)])),
                }
            )
        report_progress(job_id, done // 2)
    return finish_batch(job, documents, skipped, done_before=len(job.result["case_ids"]) // 2)
