"""A document's HTML, for the PDF and for pages. Nothing here loads WeasyPrint: a server
missing its libraries still shows every page (notices.rendering makes the PDFs)."""

from functools import cache

from django.conf import settings
from django.template.loader import render_to_string

from notices.accounts import masked_content


@cache
def document_css() -> str:
    return (settings.BASE_DIR / "static" / "notices" / "document.css").read_text()


def document_html(*, doc_type: str, content: dict, voided: bool = False, seal_url: str = "") -> str:
    return render_to_string(
        "notices/document.html",
        {
            "content": content,
            "css": document_css(),
            "voided": voided,
            "seal_url": seal_url,
            "type_template": f"notices/types/{doc_type}.html",
        },
    )


def screen_html(*, doc_type: str, content: dict, voided: bool = False) -> str:
    """The document as a page shows it (the issue preview, the document's page): the
    enterprise's account numbers masked, for everyone — the clear number is in the issued PDF,
    whose every copy is audited (notices.accounts) — and no seal image: its address is a path
    on the server, and a page on screen is no sealed copy."""
    return document_html(doc_type=doc_type, content=masked_content(content), voided=voided)
