"""Documents to HTML and PDF. WeasyPrint is imported here, once, when a worker loads the
module — not per document."""

from functools import cache
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfWriter
from weasyprint import HTML

from notices.models import Document


@cache
def _css() -> str:
    return (settings.BASE_DIR / "static" / "notices" / "document.css").read_text()


def render_html(*, doc_type: str, content: dict, voided: bool = False) -> str:
    return render_to_string(
        "notices/document.html",
        {
            "content": content,
            "css": _css(),
            "voided": voided,
            "type_template": f"notices/types/{doc_type}.html",
        },
    )


def render_pdf(document: Document) -> bytes:
    html = render_html(
        doc_type=document.doc_type, content=document.content, voided=document.is_voided
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_merged_pdf(documents: list[Document], progress=None) -> bytes:
    """One PDF of many documents: each is laid out on its own (its pages numbered from 1), then
    all pages are written at once, so the fonts are subset and embedded once, not per document."""
    laid_out = []
    for count, document in enumerate(documents, start=1):
        html = render_html(
            doc_type=document.doc_type, content=document.content, voided=document.is_voided
        )
        laid_out.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
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
