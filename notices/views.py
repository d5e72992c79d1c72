import re
from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.dates import chinese_date, today
from core.exports import export_response
from core.forms import add_service_errors
from core.jobs import job_create, job_requeue, progress_of
from core.models import Job, JobStatus
from core.pagination import paginate
from core.permissions import capability_required
from enterprises.selectors import enterprises_visible_to, regions_visible_to
from notices import exporters, services
from notices.accounts import readable_in_clear
from notices.content import build_content
from notices.forms import (
    BatchForm,
    IssueForm,
    IssuingBodyForm,
    OfficeSettingsForm,
    ServiceForm,
)
from notices.models import Document
from notices.screen import screen_html
from notices.selectors import batch_candidates, documents_visible_to, service_proofs_visible_to
from notices.types import RULES, Body
from notices.uploads import kind_of, read_head


def _rendering():
    # WeasyPrint is loaded on first use in the web process (workers load it at start), so a
    # server missing its system libraries still serves every page that is not a PDF.
    from notices import rendering

    return rendering


@capability_required("view_enterprises")
def document_list(request):
    form, _, documents = exporters.filtered(request.user, request.GET)
    return render(
        request, "notices/list.html", {"form": form, "page": paginate(request, documents)}
    )


@capability_required("export_data")
def document_export(request):
    """The 文书 list, with its filters (notices.exporters)."""
    return export_response(request, "documents")


@capability_required("view_enterprises")
def enterprise_documents(request, enterprise_id):
    enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=enterprise_id)
    return render(
        request,
        "notices/enterprise.html",
        {
            "enterprise": enterprise,
            "documents": enterprise.documents.select_related("issued_by"),
            "today": today(),
        },
    )


@capability_required("issue_documents")
def document_issue(request, enterprise_id):
    """Choose a type → preview exactly what it will state → issue (numbered only now)."""
    enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=enterprise_id)
    form = IssueForm(request.POST or request.GET or None)
    preview = None
    if form.is_bound and form.is_valid():
        doc_type = form.cleaned_data["doc_type"]
        if request.method == "POST" and request.POST.get("confirm") == "1":
            try:
                document = services.document_issue(
                    actor=request.user,
                    doc_type=doc_type,
                    enterprise=enterprise,
                    extra=form.extra(),
                    request=request,
                )
                messages.success(
                    request, f"已出具 {document.number_text}。请打印后送达，并登记送达情况。"
                )
                return redirect("notices:detail", document.pk)
            except ValidationError as error:
                add_service_errors(form, error)
        else:
            content = build_content(
                doc_type=doc_type,
                enterprise=enterprise,
                issued_on=today(),
                office=services.office_settings(),
                body=services.issuing_body(RULES[doc_type].bodies[0]),
                number_text="（出具时编号）",
                extra=form.extra(),
            )
            preview = screen_html(doc_type=doc_type, content=content)
    return render(
        request, "notices/issue.html", {"enterprise": enterprise, "form": form, "preview": preview}
    )


def _document(request, document_id) -> Document:
    return get_object_or_404(documents_visible_to(request.user), pk=document_id)


def _readable(request, document: Document) -> Document:
    """The document as issued (PDF, service proofs) only for who may read its account number
    in clear; 403, not 404: whoever gets here already sees that the document exists."""
    if not readable_in_clear(request.user, document):
        raise PermissionDenied
    return document


def _detail(request, document: Document, service_form: ServiceForm):
    in_clear = readable_in_clear(request.user, document)
    return render(
        request,
        "notices/detail.html",
        {
            "document": document,
            "services": document.services.select_related("recorded_by"),
            "service_form": service_form,
            "direct_first": document.doc_type in services.DIRECT_FIRST,
            "today": today(),
            "in_clear": in_clear,
            # Who may not have the PDF reads the text here, its account numbers masked.
            "screen": None
            if in_clear
            else screen_html(
                doc_type=document.doc_type, content=document.content, voided=document.is_voided
            ),
        },
    )


@capability_required("view_enterprises")
def document_detail(request, document_id):
    return _detail(request, _document(request, document_id), ServiceForm())


@capability_required("view_enterprises")
def document_pdf(request, document_id):
    document = _readable(request, _document(request, document_id))
    # Not rendered yet (the pdf queue is busy or down, or the document was just voided):
    # render now rather than make the user wait.
    document = services.document_pdf_ensure(document_id=document.pk)
    download = request.GET.get("download") == "1"
    services.document_copy_log(
        actor=request.user,
        document=document,
        copy="download" if download else "view",
        request=request,
    )
    return FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=download,
        filename=f"{document.number_text}.pdf",
    )


@capability_required("view_enterprises")
def document_receipt(request, document_id):
    """The document's 送达回证, printed to take along at service; the signed one comes back
    as the service record's proof. Whoever may see the document may print it."""
    document = _document(request, document_id)
    pdf = _rendering().render_receipt_pdf(document)
    services.document_copy_log(
        actor=request.user, document=document, copy="receipt", request=request
    )
    return FileResponse(
        BytesIO(pdf),
        content_type="application/pdf",
        as_attachment=request.GET.get("download") == "1",
        filename=f"{document.number_text}送达回证.pdf",
    )


def _disposition(*, inline: bool, name: str, fallback: str) -> str:
    """A Content-Disposition any browser reads: an ASCII name for the old ones, the Chinese
    name as RFC 5987 `filename*` for the rest. Both are built here, from the document's number
    and the record's id, never from what anybody uploaded; the number is still the county's
    own text, so characters a file system or a header cannot take are replaced."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f;]', "_", name).strip(" .") or fallback
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"


def _stored_file_response(file, *, download: bool, name: str, fallback_stem: str):
    """A stored upload as a download. Its type is read from its first bytes — a file stored
    before uploads were checked may be anything, and is then only ever saved, never shown —
    and the browser is told not to guess another (nosniff) nor run anything in it (sandbox)."""
    kind = kind_of(read_head(file))
    extension = kind.extension if kind else ".bin"
    response = FileResponse(
        file, content_type=kind.content_type if kind else "application/octet-stream"
    )
    response["Content-Disposition"] = _disposition(
        inline=bool(kind and kind.inline and not download),
        name=f"{name}{extension}",
        fallback=f"{fallback_stem}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@capability_required("view_enterprises")
def service_proof(request, service_id):
    """The scan or photo of a service. MEDIA is not served: the file comes only through here,
    to whoever may see its document — another township's is not found, as its document is
    not — and every copy is in the audit log."""
    record = get_object_or_404(service_proofs_visible_to(request.user), pk=service_id)
    document = _readable(request, record.document)
    try:
        file = record.proof.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    services.document_copy_log(
        actor=request.user, document=document, copy="proof", proof=record, request=request
    )
    return _stored_file_response(
        file,
        download=request.GET.get("download") == "1",
        name=f"{document.number_text}送达凭证{record.pk}",
        fallback_stem=f"service-proof-{record.pk}",
    )


@capability_required("manage_settings")
def seal_image(request, body):
    """A body's seal image, for the administrator who set it (the office page links it)."""
    if body not in Body.values:
        raise Http404
    issuer = services.issuing_body(body)
    if not issuer.seal_image:
        raise Http404("未上传印章图片。")
    try:
        file = issuer.seal_image.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    services.seal_image_copy_log(actor=request.user, body=issuer, request=request)
    return _stored_file_response(
        file, download=False, name=f"{issuer.seal_name}印章", fallback_stem=f"seal-{body}"
    )


@capability_required("issue_documents")
@require_POST
def document_void(request, document_id):
    document = _document(request, document_id)
    try:
        services.document_void(
            actor=request.user,
            document=document,
            reason=request.POST.get("reason", ""),
            request=request,
        )
        messages.success(request, f"{document.number_text} 已作废，文号保留不再使用。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("notices:detail", document.pk)


@capability_required("issue_documents")
@require_POST
def service_create(request, document_id):
    document = _document(request, document_id)
    form = ServiceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.service_record(
                actor=request.user, document=document, request=request, **form.cleaned_data
            )
            document.refresh_from_db()
            if form.cleaned_data["failed"]:
                messages.success(request, "已登记本次未能送达的经过；文书的送达日期和期限不变。")
            else:
                messages.success(
                    request,
                    f"已登记送达。期限届满日：{chinese_date(document.deadline)}"
                    if document.deadline
                    else "已登记送达。",
                )
                if document.deadline_warning:
                    messages.warning(request, document.deadline_warning)
            return redirect("notices:detail", document.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    # Refused: the page again with everything typed still in the form.
    return _detail(request, document, form)


@capability_required("issue_documents")
def batch(request):
    form = BatchForm(request.POST or request.GET or None, regions=regions_visible_to(request.user))
    candidates = None
    if form.is_bound and form.is_valid():
        candidates = batch_candidates(user=request.user, region=form.cleaned_data["region"])
        if request.method == "POST":
            allowed = set(candidates.values_list("pk", flat=True))
            chosen = [
                int(pk)
                for pk in request.POST.getlist("enterprise")
                if pk.isdigit() and int(pk) in allowed
            ]
            if not chosen:
                form.add_error(None, "请至少选择一家企业。")
            else:
                job = job_create(
                    kind=services.BATCH,
                    task="notices.tasks.issue_batch",
                    created_by=request.user,
                    request=request,
                    total=len(chosen),
                    result={"doc_type": form.cleaned_data["doc_type"], "enterprise_ids": chosen},
                )
                return redirect("notices:batch_job", job.pk)
    return render(request, "notices/batch.html", {"form": form, "candidates": candidates})


def _batch_job(request, job_id) -> Job:
    return get_object_or_404(Job, pk=job_id, kind=services.BATCH, created_by=request.user)


@capability_required("issue_documents")
def batch_job(request, job_id):
    job = _batch_job(request, job_id)
    done, total = progress_of(job)
    documents = (
        Document.objects.filter(pk__in=job.result.get("documents", []))
        .select_related("enterprise")
        .order_by("number")
    )
    template = "notices/_batch_status.html" if request.htmx else "notices/batch_job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "done": done,
            "total": total,
            "documents": documents,
            "percent": min(100, int(done * 100 / total)) if total else None,
        },
    )


@capability_required("issue_documents")
@require_POST
def batch_merge(request, job_id):
    """A batch whose merge failed is printed again; its documents keep their numbers."""
    job = _batch_job(request, job_id)
    if not job.result.get("documents") or not job_requeue(
        job, from_status=JobStatus.FAILED, task="notices.tasks.merge_batch"
    ):
        messages.info(request, "该批次无需重新生成，或已在处理中。")
    return redirect("notices:batch_job", job.pk)


@capability_required("issue_documents")
def batch_pdf(request, job_id):
    job = _batch_job(request, job_id)
    if job.status != JobStatus.DONE or not job.result.get("merged"):
        raise Http404("合并文件尚未生成。")
    from django.core.files.storage import default_storage

    documents = list(Document.objects.filter(pk__in=job.result.get("documents", [])))
    if not all(readable_in_clear(request.user, d) for d in documents):
        raise PermissionDenied
    services.batch_copy_log(actor=request.user, job=job, documents=documents, request=request)
    return FileResponse(
        default_storage.open(job.result["merged"], "rb"),
        content_type="application/pdf",
        filename=f"批量文书-{job.pk}.pdf",
    )


@capability_required("manage_settings")
def office(request):
    """The county's common settings and each issuing body, on one page, saved together."""
    post, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = OfficeSettingsForm(post, instance=services.office_settings(), prefix="office")
    bodies = [
        IssuingBodyForm(post, files, instance=services.issuing_body(kind), prefix=kind)
        for kind in Body.values
    ]
    if request.method == "POST" and form.is_valid() and all(b.is_valid() for b in bodies):
        services.office_update(
            actor=request.user,
            office=form.cleaned_data,
            bodies={
                b.instance.kind: {
                    **{k: v for k, v in b.cleaned_data.items() if k != "codes"},
                    "prefixes": b.cleaned_data["codes"],
                }
                for b in bodies
            },
            request=request,
        )
        messages.success(request, "发文机关设置已保存，此后出具的文书按新设置；已出具的文书不变。")
        return redirect("notices:office")
    return render(request, "notices/office.html", {"form": form, "bodies": bodies})
