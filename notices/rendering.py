"""Documents to HTML and PDF. WeasyPrint is imported here, once, when a worker loads the
module — not per document."""

import logging
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from pypdf import PdfWriter
from weasyprint import HTML

from notices.models import Document, ServiceMethod
from notices.screen import document_html

logger = logging.getLogger(__name__)


def seal_url(content: dict) -> str:
    """The file URL of the seal image the content names (a storage name under MEDIA_ROOT), or ""
    when it names none or the file is gone: the document then prints without it, to be sealed
    by hand, rather than not at all."""
    name = (content.get("office") or {}).get("seal_image") or ""
    if not name:
        return ""
    try:
        path = Path(default_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation) as error:
        logger.warning("印章图片 %s 无法读取（%s），文书不加印章图片。", name, error)
        return ""
    if not path.is_file():
        logger.warning("印章图片 %s 不存在，文书不加印章图片。", name)
        return ""
    return path.resolve().as_uri()


def render_html(*, doc_type: str, content: dict, voided: bool = False) -> str:
    """The document as issued, for its PDF: every number in clear, the seal printed."""
    return document_html(
        doc_type=doc_type, content=content, voided=voided, seal_url=seal_url(content)
    )


def lay_out(*, doc_type: str, content: dict, voided: bool = False):
    """The document's pages as WeasyPrint lays them out (not yet written as PDF)."""
    html = render_html(doc_type=doc_type, content=content, voided=voided)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def render_pdf(document: Document) -> bytes:
    return lay_out(
        doc_type=document.doc_type, content=document.content, voided=document.is_voided
    ).write_pdf()


def render_merged_pdf(documents: list[Document], progress=None) -> bytes:
    """One PDF of many documents: each is laid out on its own (its pages numbered from 1), then
    all pages are written at once, so the fonts are subset and embedded once, not per document."""
    laid_out = []
    for count, document in enumerate(documents, start=1):
        laid_out.append(
            lay_out(doc_type=document.doc_type, content=document.content, voided=document.is_voided)
        )
        if progress:
            progress(count)
    pages = [page for rendered in laid_out for page in rendered.pages]
    return laid_out[0].copy(pages).write_pdf()


def merge_pdfs(parts: list[bytes]) -> bytes:
    writer = PdfWriter()
    for part in parts:
        writer.append(BytesIO(part))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


# The methods a 送达回证 is filled in for by hand: electronic service and public notice leave
# their own record (the delivery receipt, the notice) and no signature.
RECEIPT_METHODS = (ServiceMethod.DIRECT, ServiceMethod.LEFT, ServiceMethod.POST)


def render_receipt_html(document: Document) -> str:
    return render_to_string(
        "notices/receipt.html",
        {
            "content": document.content,
            "voided": document.is_voided,
            "methods": [ServiceMethod(m).label for m in RECEIPT_METHODS],
        },
    )


def render_receipt_pdf(document: Document) -> bytes:
    """The 送达回证 of a document, to print, have signed at service and scan back in. Rendered on
    each request from the frozen content (one page, a fraction of a second), never stored."""
    html = render_receipt_html(document)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
