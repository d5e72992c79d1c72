"""Content-Security-Policy without 'unsafe-inline' (issue 13 §3): scripts and styles only from
our own files. An injected <script> or onerror= would not run even if escaping ever failed."""

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Rendered to PDF by WeasyPrint only, never sent to a browser.
PDF_ONLY = {"notices/receipt.html", "reports/reports_exposure_pdf.html"}
# Shown in a sandboxed preview: its one <style> is the stylesheet allowed by its hash.
DOCUMENT = "notices/document.html"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style", re.I)


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield str(path.relative_to(TEMPLATES)), path.read_text()


def test_every_page_carries_the_policy_without_unsafe_inline(client, county):
    client.force_login(county.caseworker)
    for url in ("/login/", "/cases/today/", "/enterprises/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_a_handler_or_a_style_attribute():
    found = []
    for name, text in _templates():
        if name in PDF_ONLY:
            continue
        for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTRIBUTE):
            found += [f"{name}: {m.group(0)}" for m in pattern.finditer(text)]
        if name != DOCUMENT:
            found += [f"{name}: <style>" for _ in STYLE_ELEMENT.finditer(text)]
    assert found == []


def test_the_documents_stylesheet_is_allowed_by_its_exact_hash():
    css = (settings.BASE_DIR / "static" / "notices" / "document.css").read_bytes()
    digest = base64.b64encode(hashlib.sha256(css).digest()).decode()
    assert f"'sha256-{digest}'" == settings.DOCUMENT_CSS_HASH
    assert "<style>{{ css|safe }}</style>" in (TEMPLATES / DOCUMENT).read_text()
