"""PDF work, routed to the `pdf` queue (config.settings.CELERY_TASK_ROUTES). Thin: each task
takes ids and is safe to run twice (core.jobs claims a job once; a PDF already stored is kept)."""

from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.dates import today
from core.jobs import job_update_result, report_progress, run_job
from core.models import Job, JobStatus
from enterprises.models import Enterprise
from notices import rendering
from notices.models import Document, DocumentStatus
from notices.services import document_issue, document_pdf_ensure

ISSUE_BATCH = "notices.tasks.issue_batch"
MERGE_BATCH = "notices.tasks.merge_batch"
# A document issued while the broker was down waits at most this long for its own file
# (its download renders it at once anyway).
MISSING_PDF_DAYS = 30


@shared_task(acks_late=True)
def render_document_pdf(document_id: int) -> str:
    return document_pdf_ensure(document_id=document_id).pdf_sha256


@shared_task(acks_late=True)
def render_document_pdfs(document_ids: list[int]) -> int:
    for document_id in document_ids:
        document_pdf_ensure(document_id=document_id)
    return len(document_ids)


@shared_task
def render_missing_pdfs(limit: int = 500) -> int:
    """Every few minutes: documents still without their PDF (issued or voided while the broker
    was down) get it."""
    missing = Document.objects.filter(
        pdf="",
        status__in=[DocumentStatus.ISSUED, DocumentStatus.VOIDED],
        issued_on__gte=today() - timedelta(days=MISSING_PDF_DAYS),
    ).order_by("pk")
    ids = list(missing.values_list("pk", flat=True)[:limit])
    for document_id in ids:
        document_pdf_ensure(document_id=document_id)
    return len(ids)


@shared_task(acks_late=True)
def issue_batch(job_id: int) -> str:
    """Issue one document per enterprise, each numbered in its own transaction, and print them
    all as one PDF. Each document's own file follows on the pdf queue."""

    def work(job: Job):
        doc_type, enterprise_ids = job.result["doc_type"], job.result["enterprise_ids"]
        issued = set(job.result.get("issued_for", []))  # a run taken over after a crash goes on
        documents, skipped = list(job.result.get("documents", [])), []
        for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids).order_by("name"):
            if enterprise.pk in issued:
                continue
            try:
                document = document_issue(
                    actor=job.created_by, doc_type=doc_type, enterprise=enterprise, render=False
                )
                documents.append(document.pk)
                issued.add(enterprise.pk)
                job_update_result(job, documents=documents, issued_for=sorted(issued))
            except Exception as error:
                skipped.append({"enterprise": enterprise.name, "reason": failure_reason(error)})
            report_progress(job.pk, len(documents) // 2)
        job_update_result(job, documents=documents, skipped=skipped)
        return merge_documents(job, done_before=len(documents) // 2)

    return run_job(job_id, work)


@shared_task(acks_late=True)
def merge_batch(job_id: int) -> str:
    """Print again a batch whose merge failed: its documents were issued and keep their numbers."""
    return run_job(job_id, lambda job: merge_documents(job, done_before=0))


def failure_reason(error: Exception) -> str:
    return "；".join(getattr(error, "messages", [str(error)]))


def merge_documents(job: Job, *, done_before: int):
    """The batch's documents as one merged PDF, then each document's own file on the queue.
    Shared by notice batches and case batches. A merge that fails raises: the job ends failed
    with its issued documents listed, and can be printed again (merge_batch)."""
    document_ids = job.result.get("documents", [])
    merged = ""
    if document_ids:
        documents = list(Document.objects.filter(pk__in=document_ids).order_by("number"))
        pdf = rendering.render_merged_pdf(
            documents, progress=lambda n: report_progress(job.pk, done_before + n // 2)
        )
        merged = default_storage.save(f"batches/batch-{job.pk}.pdf", ContentFile(pdf))
        render_document_pdfs.delay(document_ids)
    return JobStatus.DONE, {**job.result, "merged": merged}
