from datetime import date

from celery import shared_task

from core.dates import today
from core.jobs import job_update_result, report_progress, run_job
from enforcement.classification import classification_refresh_all
from enforcement.models import Case
from enforcement.services import case_move
from enforcement.sweep import sweep_cases
from notices.tasks import failure_reason, merge_documents


@shared_task
def sweep_cases_nightly(as_of: str | None = None) -> dict:
    """01:00, after the 00:30 accrual: deferrals, deadlines passed overnight, reviews, payoffs."""
    result = sweep_cases(as_of=date.fromisoformat(as_of) if as_of else today())
    return {**result, "reclassified": classification_refresh_all()}


MOVE_CASES_BATCH = "enforcement.tasks.move_cases_batch"


@shared_task(acks_late=True)
def move_cases_batch(job_id: int) -> str:
    """Move each chosen case one step (each in its own transaction: a case whose guard refuses
    is listed with the reason, the others go on) and print the documents as one PDF."""

    def work(job):
        documents, skipped = list(job.result.get("documents", [])), []
        moved = set(job.result.get("moved", []))  # a run taken over after a crash goes on
        cases = Case.objects.filter(pk__in=job.result["case_ids"]).select_related("enterprise")
        for done, case in enumerate(cases.order_by("enterprise__name"), start=1):
            if case.pk in moved:
                continue
            try:
                result = case_move(actor=job.created_by, case=case, to_stage=job.result["to_stage"])
                moved.add(case.pk)
                if result.current_document_id:
                    documents.append(result.current_document_id)
                job_update_result(job, documents=documents, moved=sorted(moved))
            except Exception as error:
                skipped.append(
                    {"enterprise": case.enterprise.name, "reason": failure_reason(error)}
                )
            report_progress(job.pk, done // 2)
        job_update_result(job, documents=documents, skipped=skipped)
        return merge_documents(job, done_before=len(job.result["case_ids"]) // 2)

    return run_job(job_id, work)
