"""PDF work, routed to the `pdf` queue (config.settings.CELERY_TASK_ROUTES)."""

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.jobs import job_finish, report_progress
from core.models import Job, JobStatus
from enterprises.models import Enterprise
from notices import rendering
from notices.services import document_issue, document_pdf_ensure


@shared_task(acks_late=True)
def render_document_pdf(document_id: int) -> str:
    return document_pdf_ensure(document_id=document_id).pdf_sha256


@shared_task(acks_late=True)
def render_document_pdfs(document_ids: list[int]) -> int:
    for document_id in document_ids:
        document_pdf_ensure(document_id=document_id)
    return len(document_ids)


@shared_task
def issue_batch(job_id: int) -> str:
    """Issue one document per enterprise, each numbered in its own transaction, and print them
    all as one PDF. Each document's own file follows on the pdf queue."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    doc_type, enterprise_ids = job.result["doc_type"], job.result["enterprise_ids"]
    documents, skipped = [], []
    for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids).order_by("name"):
        try:
            documents.append(
                document_issue(
                    actor=job.created_by, doc_type=doc_type, enterprise=enterprise, render=False
                )
            )
        except Exception as error:
            skipped.append(
                {
                    "enterprise": enterprise.name,
                    "reason": "；".join(getattr(error, "messages", [str(error)])),
                }
            )
        report_progress(job_id, len(documents) // 2)
    return finish_batch(job, documents, skipped, done_before=len(documents) // 2)


def finish_batch(job: Job, documents: list, skipped: list, *, done_before: int) -> str:
    """Print a batch's documents as one merged PDF, record the job's result, and queue each
    document's own file. Shared by notice batches and case batches."""
    merged = ""
    if documents:
        pdf = rendering.render_merged_pdf(
            documents, progress=lambda n: report_progress(job.pk, done_before + n // 2)
        )
        merged = default_storage.save(f"batches/batch-{job.pk}.pdf", ContentFile(pdf))
    finished = job_finish(
        job,
        status=JobStatus.DONE,
        result={
            **job.result,
            "documents": [d.pk for d in documents],
            "skipped": skipped,
            "merged": merged,
        },
    )
    if documents:
        render_document_pdfs.delay([d.pk for d in documents])
    return finished.status
