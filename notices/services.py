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
from core.services import settings_update
from enterprises.models import Enterprise
from notices.content import build_content, public_notice_deemed_served
from notices.hooks import document_issued, document_issuing
from notices.models import (
    Document,
    DocumentCounter,
    DocumentStatus,
    IssuingBody,
    OfficeSettings,
    ServiceMethod,
    ServiceRecord,
)
from notices.types import RULES, Body, DocumentType, body_may_issue
from notices.uploads import proof_kind, random_name

# The Job kind of a batch of documents printed as one merged PDF (notices and case batches).
BATCH = "notice_batch"


def office_settings() -> OfficeSettings:
    office, _ = OfficeSettings.objects.get_or_create(pk=1)
    return office


# A new county starts with these; the administrator puts in the real names, codes and seals.
DEFAULT_BODIES = {
    Body.CENTER: {
        "name": "壶关县社会保险中心",
        "seal_name": "壶关县社会保险中心",
        "self_reference": "本中心",
        "head_title": "主任",
        "address": "壶关县龙泉镇府前路 1 号",
        "phone": "0355-8xxxxxx",
        "code_base": "壶人社",
    },
    Body.BUREAU: {
        "name": "壶关县人力资源和社会保障局",
        "seal_name": "壶关县人力资源和社会保障局",
        "self_reference": "本局",
        "head_title": "局长",
        "address": "壶关县龙泉镇府前路 1 号",
        "phone": "0355-8xxxxxx",
        "code_base": "壶人社",
    },
    # A 劳动保障监察大队 is the bureau's internal or entrusted unit: it acts in the bureau's name
    # and under its seal (行政处罚法 第二十条), so signature and seal are the bureau's. A county
    # whose fines belong to an independent 综合行政执法局 sets that body's name and seal here.
    Body.ENFORCEMENT: {
        "name": "壶关县人力资源和社会保障局",
        "seal_name": "壶关县人力资源和社会保障局",
        "self_reference": "本局",
        "head_title": "局长",
        "address": "壶关县龙泉镇府前路 1 号",
        "phone": "0355-8xxxxxx",
        "code_base": "壶人社监",
    },
}


def issuing_body(kind: str) -> IssuingBody:
    body, _ = IssuingBody.objects.get_or_create(kind=kind, defaults=DEFAULT_BODIES[kind])
    return body


def document_code(body: IssuingBody, doc_type: str) -> str:
    return body.prefixes.get(doc_type) or f"{body.code_base}{RULES[doc_type].prefix}"


def next_number(body: str, doc_type: str, year: int) -> int:
    """The next number of a body's type in a year. Must run inside the issuing transaction: the
    counter row stays locked until it commits, and a rollback returns the number."""
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(issuing_body=body, doc_type=doc_type, year=year)], ignore_conflicts=True
    )
    counter_id = DocumentCounter.objects.values_list("pk", flat=True).get(
        issuing_body=body, doc_type=doc_type, year=year
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
    body: str | None = None,
    from_case: bool = False,
) -> Document:
    """Issue a document in the name of `body` (the type's own body by default). Chain documents
    come only from a case move (`from_case`); the 文书 tab and batches issue standalone types,
    and a 限期补缴通知书 issued there opens or advances the enterprise's case (notices.hooks)."""
    if doc_type not in RULES:
        raise ValidationError("未知的文书类型。")
    rules = RULES[doc_type]
    if rules.retired:
        raise ValidationError(f"{rules.title}已停用，不再出具；已出具的继续有效。")
    if not (from_case or rules.standalone):
        raise ValidationError(f"{rules.title}只能在案件办理中随案件步骤出具。")
    body = body or rules.bodies[0]
    if not body_may_issue(body, doc_type):
        raise ValidationError(f"{Body(body).label}无权出具{rules.title}。")
    # The enterprise first (core.locks): the amounts stated cannot change while it is built.
    lock_enterprise(enterprise.pk)
    if not from_case:
        document_issuing(actor=actor, doc_type=doc_type, enterprise=enterprise, request=request)
    issuer = issuing_body(body)
    issued_on = today()
    content = build_content(
        doc_type=doc_type,
        enterprise=enterprise,
        issued_on=issued_on,
        office=office_settings(),
        body=issuer,
        number_text="",
        extra=extra,
    )
    # A fine's 催告书 and court application claim the fine, not contributions; a 稽核意见书
    # states what the audit found, even where the ledger owed nothing before it.
    claims_contributions = (
        doc_type != DocumentType.STATEMENT
        and not content["extra"].get("for_fine")
        and not (doc_type == DocumentType.AUDIT_OPINION and content["extra"].get("audit_findings"))
    )
    if RULES[doc_type].states_amounts and not content["items"] and claims_contributions:
        raise ValidationError(f"{enterprise.name} 没有欠费，不能出具{RULES[doc_type].title}。")
    # Numbered last: the type's counter is locked until commit, so every other issue of the
    # type waits for this one; only the insert below happens under it.
    number = next_number(body, doc_type, issued_on.year)
    text = number_text(document_code(issuer, doc_type), issued_on.year, number)
    content["number"] = text
    document = Document.objects.create(
        doc_type=doc_type,
        issuing_body=body,
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
    if not from_case:
        # A standalone 限期补缴通知书 belongs to the enterprise's case (enforcement registers it).
        document_issued(actor=actor, document=document, request=request)
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


# What a copy of a document is, in its audit entry: the PDF opened or saved, its 送达回证 form,
# a scan or photo of its service.
COPIES = ("view", "download", "receipt", "proof")


@transaction.atomic
def document_copy_log(
    *, actor, document: Document, copy: str, request=None, proof: ServiceRecord | None = None
) -> None:
    """Who took a copy of which document, and when: documents name people and accounts. A copy
    that states the enterprise's bank account in clear — the PDF of a 查询划拨 document, a scan
    of its service — is also an unmasking, logged as one (notices.accounts). The blank 送达回证
    names the document and the enterprise only."""
    if copy not in COPIES:
        raise ValueError(f"unknown copy {copy!r}")
    detail = {"document": document.number_text}
    detail |= {"proof": proof.pk} if proof is not None else {"pdf": copy}
    log_action(actor=actor, action=AuditAction.EXPORT, obj=document, request=request, detail=detail)
    if copy != "receipt" and document.states_bank_account:
        log_action(
            actor=actor,
            action=AuditAction.UNMASK,
            obj=document,
            request=request,
            detail={"field": "account_number", **detail},
        )


@transaction.atomic
def batch_copy_log(*, actor, job, documents: list[Document], request=None) -> None:
    """The merged PDF of a batch is a copy of each of its documents."""
    numbers = [d.number_text for d in documents]
    log_action(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=job,
        request=request,
        detail={"pdf": "batch", "documents": numbers},
    )
    if any(d.states_bank_account for d in documents):
        log_action(
            actor=actor,
            action=AuditAction.UNMASK,
            obj=job,
            request=request,
            detail={"field": "account_number", "pdf": "batch", "documents": numbers},
        )


def seal_image_copy_log(*, actor, body: IssuingBody, request=None) -> None:
    """A body's seal image is what makes a printout look issued: who looked at it is kept."""
    log_action(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=body,
        request=request,
        detail={"seal_image": body.seal_image.name},
    )


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


# 行政强制法 第三十八条: a 催告书 and an enforcement decision are served directly (直接送达), and
# only when the party refuses it or it cannot be served directly by the other methods of the
# Civil Procedure Law; 行政处罚法 第六十一条 likewise hands a penalty decision over in person and
# serves it under that law only when the party is absent. The 事先告知书 and the 听证通知书 go
# with the penalty procedure they belong to.
DIRECT_FIRST = frozenset(
    {
        DocumentType.REMINDER,
        DocumentType.RECTIFICATION_ORDER,  # the retired 催告书: issued ones are still served
        DocumentType.TRANSFER_DECISION,
        DocumentType.PENALTY_NOTICE,
        DocumentType.HEARING_NOTICE,
        DocumentType.PENALTY_DECISION,
    }
)


def _service_refusals(
    *,
    document: Document,
    method: str,
    served_on,
    witness: str,
    note: str,
    proof,
    failed: bool,
    public_reason: str,
    electronic_consent: bool,
) -> dict[str, str]:
    """What is wrong with a service record, by form field; empty when it may be recorded.

    Public notice of any document records why direct, left-with-witness and postal service
    failed. For a 催告书 or an enforcement decision it takes the stricter of the two readings:
    both a recorded attempt at direct service that failed, on or before the day of publication,
    and the reason why direct, left-with-witness and postal service failed. 行政强制法 第三十八条
    makes direct service the first method for these documents, and 民事诉讼法 第九十五条 allows
    public notice only where the other methods cannot serve; a reason written down without an
    attempt on record would let the notice board replace the visit the law requires first.
    Electronic service, of any document, needs the enterprise's consent (民事诉讼法 第九十条;
    行政处罚法 第六十一条: the party agrees and signs a confirmation)."""
    errors: dict[str, str] = {}
    if served_on > today():
        errors["served_on"] = "送达日期不能晚于今天。"
    elif served_on < document.issued_on:
        errors["served_on"] = "送达日期不能早于成文日期。"
    if failed:
        if method == ServiceMethod.PUBLIC:
            errors["failed"] = "公告送达自公告之日起经过30日即视为送达，不存在“未能送达”。"
        elif method == ServiceMethod.LEFT:
            errors["failed"] = (
                "留置送达即视为送达；受送达人拒收又无法留置的，请按“直接送达”登记未能送达。"
            )
        elif not note:
            errors["note"] = "未能送达的，请在说明中写明情况，如查无此单位、无人签收、邮件退回。"
    elif method == ServiceMethod.LEFT and not (witness or proof):
        errors["witness"] = "留置送达须填写见证人或上传照片。"
    if method == ServiceMethod.ELECTRONIC and not electronic_consent:
        errors["electronic_consent"] = (
            "受送达人未同意电子送达的，不能电子送达（民事诉讼法第九十条）。"
            "请先取得其书面同意（送达地址确认书），或改用其他方式送达。"
        )
    title = RULES[document.doc_type].title
    if method == ServiceMethod.PUBLIC and not public_reason:
        # Any document: public notice only with the record of why the others failed (DESIGN
        # §3.8, 民事诉讼法 第九十五条).
        errors["public_reason"] = (
            f"{title}公告送达，须写明直接送达、留置送达、邮寄送达均未能送达的情况。"
        )
    if method == ServiceMethod.PUBLIC and document.doc_type in DIRECT_FIRST:
        attempted = document.services.filter(
            method=ServiceMethod.DIRECT, failed=True, served_on__lte=served_on
        ).exists()
        if not attempted:
            errors["method"] = (
                f"{title}应当先直接送达（行政强制法第三十八条）：请先登记一次未能送达的直接送达"
                "（勾选“未能送达”并写明情况），再公告送达。"
            )
    return errors


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
    failed: bool = False,
    public_reason: str = "",
    electronic_consent: bool = False,
    request=None,
) -> ServiceRecord:
    """Record how a document was served and set its deadline from the day after service.

    A failed attempt (`failed`) is recorded but serves nothing: the document's service date and
    deadline stay as they were. The rules on each method are in `_service_refusals`; a refusal
    names the form field it concerns."""
    lock_enterprise(document.enterprise_id)
    document = lock_row(Document, document.pk)
    if document.is_voided:
        raise ValidationError("作废的文书不能登记送达。")
    witness, note, public_reason = witness.strip(), note.strip(), public_reason.strip()
    errors = _service_refusals(
        document=document,
        method=method,
        served_on=served_on,
        witness=witness,
        note=note,
        proof=proof,
        failed=failed,
        public_reason=public_reason,
        electronic_consent=electronic_consent,
    )
    kind = None
    if proof:
        try:
            kind = proof_kind(proof)
        except ValidationError as error:
            errors["proof"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
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
        failed=failed,
        public_reason=public_reason if method == ServiceMethod.PUBLIC else "",
        electronic_consent=electronic_consent,
        effective_on=effective,
        recorded_by=actor,
    )
    if proof:
        # Under a random name with the extension of what the file is: the name the uploader
        # gave never reaches the disk, and no proof's address can be guessed from another's.
        record.proof.save(random_name(kind), proof, save=False)
    record.save()
    if not failed:
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
            "failed": failed,
            "deadline": str(document.deadline or ""),
        },
    )
    return record


@transaction.atomic
def office_update(*, actor, office: dict, bodies: dict[str, dict], request=None) -> None:
    """The county's settings and each body's, saved together and audited field by field."""
    office_settings()
    settings_update(actor=actor, model=OfficeSettings, data=office, request=request)
    for kind, data in bodies.items():
        body = lock_row(IssuingBody, issuing_body(kind).pk)
        changes = {
            k: [str(getattr(body, k)), str(v)] for k, v in data.items() if getattr(body, k) != v
        }
        for name, value in data.items():
            setattr(body, name, value)
        body.save()
        if changes:
            log_action(
                actor=actor,
                action=AuditAction.SETTINGS,
                obj=body,
                request=request,
                detail={"changes": changes},
            )
