import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from arrears.services import lock_enterprise
from core.audit import AuditAction, log_action
from core.calendar import add_calendar_days, add_working_days
from core.dates import today
from core.jobs import send_after_commit
from core.locks import lock_row
from enterprises.models import Enterprise
from notices.content import build_content, public_notice_deemed_served
from notices.models import (
    Document,
    DocumentCounter,
    DocumentStatus,
    OfficeSettings,
    ServiceMethod,
    ServiceRecord,
)
from notices.types import RULES

# The Job kind of a batch of documents printed as one merged PDF (notices and case batches).
BATCH = "notice_batch"


def office_settings() -> OfficeSettings:
    office, _ = OfficeSettings.objects.get_or_create(pk=1)
    return office


def document_code(office: OfficeSettings, doc_type: str) -> str:
    return office.prefixes.get(doc_type) or f"{office.code_base}{RULES[doc_type].prefix}"


def next_number(doc_type: str, year: int) -> int:
    """The next number of a type in a year. Must run inside the issuing transaction: the
    counter row stays locked until it commits, and a rollback returns the number."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(doc_type=doc_type, year=year)], ignore_conflicts=True
    )
    counter_id = DocumentCounter.objects.values_list("pk", flat=True).get(
        doc_type=doc_type, year=year
    )
    counter = lock_row(DocumentCounter, counter_id, key=False)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def number_text(code: str, year: int, number: int) -> str:
    """GB/T 9704: 壶人社催〔2026〕15号 — full year in 〔〕, no 第, no leading zeros."""
    return f"{code}〔{year}〕{number}号"


@transaction.atomic
def document_issue(
    *,
    actor,
    doc_type: str,
    enterprise: Enterprise,
    extra: dict | None = None,
    request=None,
    render: bool = True,
) -> Document:
    if doc_type not in RULES:
        raise ValidationError("未知的文书类型。")
    # The enterprise first (core.locks): the amounts stated cannot change while it is built.
    lock_enterprise(enterprise.pk)
    office = office_settings()
    issued_on = today()
    content = build_content(
        doc_type=doc_type,
        enterprise=enterprise,
        issued_on=issued_on,
        office=office,
        number_text="",
        extra=extra,
    )
    if RULES[doc_type].states_amounts and not content["items"] and doc_type != "statement":
        raise ValidationError(f"{enterprise.name} 没有欠费，不能出具{RULES[doc_type].title}。")
    # Numbered last: the type's counter is locked until commit, so every other issue of the
    # type waits for this one; only the insert below happens under it.
    number = next_number(doc_type, issued_on.year)
    text = number_text(document_code(office, doc_type), issued_on.year, number)
    content["number"] = text
    document = Document.objects.create(
        doc_type=doc_type,
        year=issued_on.year,
        number=number,
        number_text=text,
        enterprise=enterprise,
        issued_on=issued_on,
        issued_by=actor,
        content=content,
    )
    log_action(
        actor=actor,
        action=AuditAction.ISSUE,
        obj=document,
        request=request,
        detail={"enterprise": enterprise.credit_code, "total": content["totals"]["total"]},
    )
    if render:
        send_after_commit("notices.tasks.render_document_pdf", document.pk)
    return document


def document_pdf_ensure(*, document_id: int) -> Document:
    """The document with its PDF stored, rendered now when it has none (a new or just voided
    document). Rendering takes a fraction of a second and holds no lock."""
    from notices import rendering  # WeasyPrint loads slowly; only what renders imports it

    for _ in range(3):  # a void committing mid-render drops the file: render again
        document = Document.objects.get(pk=document_id)
        if document.pdf:
            return document
        pdf = rendering.render_pdf(document)
        document_store_pdf(document=document, pdf=pdf, rendered_voided=document.is_voided)
    return Document.objects.get(pk=document_id)


@transaction.atomic
def document_store_pdf(*, document: Document, pdf: bytes, rendered_voided: bool) -> Document:
    """Keep the PDF a user downloads. `rendered_voided` says whether it carries 已作废: a file
    rendered before a void that committed meanwhile is dropped, never served as valid."""
    lock_enterprise(document.enterprise_id)
    document = lock_row(Document, document.pk)
    if document.is_voided != rendered_voided:
        return document
    digest = hashlib.sha256(pdf).hexdigest()
    if document.pdf and document.pdf_sha256 == digest:
        return document
    document.pdf.save(
        f"{document.doc_type}-{document.year}-{document.number}.pdf", ContentFile(pdf), save=False
    )
    document.pdf_sha256 = digest
    document.save(update_fields=["pdf", "pdf_sha256"])
    return document


@transaction.atomic
def document_void(*, actor, document: Document, reason: str, request=None) -> Document:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "作废必须填写原因。"})
    lock_enterprise(document.enterprise_id)
    document = lock_row(Document, document.pk)
    if document.is_voided:
        raise ValidationError("该文书已经作废。")
    document.status, document.voided_at, document.voided_by, document.void_reason = (
        DocumentStatus.VOIDED,
        timezone.now(),
        actor,
        reason,
    )
    # The stored file is the valid one: the download must carry 已作废 from now on, so the
    # file goes and the marked one is rendered (by the download itself if it comes first).
    document.pdf, document.pdf_sha256 = "", ""
    document.save(
        update_fields=["status", "voided_at", "voided_by", "void_reason", "pdf", "pdf_sha256"]
    )
    send_after_commit("notices.tasks.render_document_pdf", document.pk)
    log_action(
        actor=actor,
        action=AuditAction.VOID,
        obj=document,
        request=request,
        detail={"reason": reason},
    )
    return document


@transaction.atomic
def service_record(
    *,
    actor,
    document: Document,
    method: str,
    served_on,
    recipient="",
    witness="",
    note="",
    proof=None,
    request=None,
) -> ServiceRecord:
    """Record how a document was served and set its deadline from the day after service."""
    lock_enterprise(document.enterprise_id)
    document = lock_row(Document, document.pk)
    if document.is_voided:
        raise ValidationError("作废的文书不能登记送达。")
    if served_on > today():
        raise ValidationError({"served_on": "送达日期不能晚于今天。"})
    if served_on < document.issued_on:
        raise ValidationError({"served_on": "送达日期不能早于成文日期。"})
    if method == ServiceMethod.LEFT and not (witness.strip() or proof):
        raise ValidationError({"witness": "留置送达须填写见证人或上传照片。"})
    effective = (
        public_notice_deemed_served(served_on) if method == ServiceMethod.PUBLIC else served_on
    )
    record = ServiceRecord(
        document=document,
        method=method,
        served_on=served_on,
        recipient=recipient,
        witness=witness,
        note=note,
        effective_on=effective,
        recorded_by=actor,
    )
    if proof:
        record.proof = proof
    record.save()
    document.served_on = effective
    rule = RULES[document.doc_type].deadline
    if rule:
        answer = (add_working_days if rule.working else add_calendar_days)(effective, rule.days)
        document.deadline, document.deadline_warning = answer.day, answer.warning
    document.save(update_fields=["served_on", "deadline", "deadline_warning"])
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        request=request,
        detail={
            "service": method,
            "served_on": str(served_on),
            "deadline": str(document.deadline or ""),
        },
    )
    return record
