"""`manage.py document_pdf ID --output FILE.pdf` (DESIGN §4): the very PDF a user downloads."""

import re
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from notices.services import document_void


def _download(client, document) -> bytes:
    response = client.get(reverse("notices:pdf", args=[document.pk]), {"download": "1"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages))


def test_writes_the_bytes_the_download_returns(county, login, tmp_path):
    output = tmp_path / "notice.pdf"
    assert not county.document.pdf  # issued without rendering: the command renders and stores
    call_command("document_pdf", str(county.document.pk), "--output", str(output))
    written = output.read_bytes()
    assert written.startswith(b"%PDF")
    assert written == _download(login(county.caseworker), county.document)
    county.document.refresh_from_db()
    assert county.document.pdf  # stored, so both read the same file


def test_a_document_downloaded_first_is_written_unchanged(county, login, tmp_path):
    downloaded = _download(login(county.caseworker), county.document)
    output = tmp_path / "notice.pdf"
    call_command("document_pdf", str(county.document.pk), "--output", str(output))
    assert output.read_bytes() == downloaded
    assert county.document.number_text in _text(downloaded)


def test_a_voided_document_is_written_with_its_mark(county, login, tmp_path):
    client = login(county.caseworker)
    valid = _download(client, county.document)  # stored while valid
    document_void(actor=county.caseworker, document=county.document, reason="送错单位")
    output = tmp_path / "voided.pdf"
    call_command("document_pdf", str(county.document.pk), "--output", str(output))
    written = output.read_bytes()
    assert "已作废" in _text(written) and "已作废" not in _text(valid)
    assert written == _download(client, county.document)


def test_an_unknown_document_is_refused_in_chinese(county, tmp_path):
    output = tmp_path / "none.pdf"
    with pytest.raises(CommandError, match="文书不存在：ID 999999"):
        call_command("document_pdf", "999999", "--output", str(output))
    assert not output.exists()


def test_an_output_directory_that_does_not_exist_is_refused(county, tmp_path):
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command(
            "document_pdf", str(county.document.pk), "--output", str(tmp_path / "no" / "x.pdf")
        )
