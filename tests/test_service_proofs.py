"""Scans and photos of service (送达回证、留置照片、邮寄回执), and every other stored file a page
links: MEDIA is not served, each file comes through a view that checks who asks and logs the
copy (等保 level 3). Uploads are known by their content, never by their name, and are stored
under a random name."""

import re
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEntry
from notices.models import ServiceRecord

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _png() -> bytes:
    output = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(output, "PNG")
    return output.getvalue()


def _jpeg() -> bytes:
    output = BytesIO()
    Image.new("RGB", (40, 20), (30, 30, 200)).save(output, "JPEG")
    return output.getvalue()


def _post(client, document, proof, **fields):
    form = {"method": "direct", "served_on": "2026-11-22", "recipient": "王会计", **fields}
    return client.post(f"/notices/{document.pk}/service/", {**form, "proof": proof})


def _media_files() -> list[Path]:
    """Every file stored but the county fixture's merged batch (batches/)."""
    root = Path(settings.MEDIA_ROOT)
    files = [path for path in root.rglob("*") if path.is_file()] if root.exists() else []
    return [path for path in files if path.relative_to(root).parts[0] != "batches"]


def _proof(county, content: bytes, name="service/2026/scan.bin", document=None, **fields):
    """A record whose proof is already on disk, as an upload before the checks left it."""
    return ServiceRecord.objects.create(
        document=document or county.document,
        method="direct",
        served_on="2026-11-22",
        effective_on="2026-11-22",
        recorded_by=county.caseworker,
        proof=default_storage.save(name, ContentFile(content)),
        **fields,
    )


# -- the upload ---------------------------------------------------------------------------------


def test_a_pdf_that_is_really_a_web_page_is_refused_and_nothing_else_is_lost(client, county):
    client.force_login(county.caseworker)
    fake = SimpleUploadedFile("回证.pdf", HTML, content_type="application/pdf")
    response = _post(client, county.document, fake, note="法定代表人本人签收")
    assert response.status_code == 200
    form = response.context["service_form"]
    assert list(form.errors) == ["proof"]
    assert "只能上传 PDF、JPEG 或 PNG 文件" in form.errors["proof"][0]
    assert "与文件名无关" in form.errors["proof"][0]
    page = response.content.decode()
    # Everything typed is still in the form; only the file has to be chosen again.
    assert 'value="王会计"' in page and 'value="法定代表人本人签收"' in page
    assert 'value="2026-11-22"' in page
    assert not county.document.services.exists()
    assert _media_files() == []


def test_an_eleven_megabyte_pdf_is_refused(client, county):
    client.force_login(county.caseworker)
    big = SimpleUploadedFile(
        "回证.pdf", PDF + b"0" * (11 * 1024 * 1024), content_type="application/pdf"
    )
    response = _post(client, county.document, big)
    assert response.status_code == 200
    message = response.context["service_form"].errors["proof"][0]
    assert "不能超过 10 MB" in message and "11.0 MB" in message
    assert not county.document.services.exists()
    assert _media_files() == []


def test_ten_megabytes_exactly_are_accepted(client, county):
    client.force_login(county.caseworker)
    exact = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    response = _post(client, county.document, SimpleUploadedFile("a.pdf", exact))
    assert response.status_code == 302
    assert county.document.services.get().proof.size == 10 * 1024 * 1024


def test_a_png_is_stored_under_a_random_name_with_png(client, county):
    client.force_login(county.caseworker)
    # Named and typed as a JPEG by the browser: the content decides.
    photo = SimpleUploadedFile("王会计签收照片.jpg", _png(), content_type="image/jpeg")
    assert _post(client, county.document, photo).status_code == 302
    record = county.document.services.get()
    assert re.fullmatch(r"service/2026/[0-9a-f]{32}\.png", record.proof.name)
    assert default_storage.open(record.proof.name).read() == _png()


def test_the_name_the_user_gave_never_reaches_the_file_system(client, county):
    client.force_login(county.caseworker)
    for name, content in (
        ("王会计签收照片.png", _png()),
        ("../../etc/cron.d/签收.pdf", PDF),
        ("回执 2026-11-22.jpeg", _jpeg()),
    ):
        assert _post(client, county.document, SimpleUploadedFile(name, content)).status_code == 302
    stored = _media_files()
    assert len(stored) == 3
    names = {path.name for path in stored}
    for given in ("王会计", "签收", "回执", "cron", "2026-11-22"):
        assert not any(given in name for name in names), given
    assert {path.suffix for path in stored} == {".png", ".pdf", ".jpg"}
    assert {path.parent.relative_to(settings.MEDIA_ROOT) for path in stored} == {
        Path("service/2026")
    }
    assert all(given not in r.proof.name for r in ServiceRecord.objects.all() for given in "王签回")


def test_the_service_itself_refuses_a_proof_that_is_not_one(county):
    """Whoever calls it, not only the form: the check and the naming are the service's."""
    from datetime import date

    from notices.services import service_record

    with pytest.raises(ValidationError) as refused:
        service_record(
            actor=county.caseworker,
            document=county.document,
            method="direct",
            served_on=date(2026, 11, 22),
            proof=SimpleUploadedFile("scan.png", HTML, content_type="image/png"),
        )
    assert "proof" in refused.value.message_dict
    assert not county.document.services.exists()


def test_the_file_chooser_offers_the_three_formats(client, county):
    client.force_login(county.caseworker)
    page = client.get(f"/notices/{county.document.pk}/").content.decode()
    assert 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"' in page
    assert "PDF、JPEG 或 PNG 格式，不超过 10 MB" in page


# -- the download -------------------------------------------------------------------------------


def _get(client, record, **query):
    return client.get(f"/notices/proof/{record.pk}/", query)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", ["caseworker", "group_leader"])
def test_the_owner_and_the_teammate_get_the_photo(client, county, role):
    client.force_login(county.caseworker)
    _post(client, county.document, SimpleUploadedFile("x.png", _png()))
    record = county.document.services.get()
    client.force_login(getattr(county, role))
    response = _get(client, record)
    assert response.status_code == 200
    assert _body(response) == _png()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; ")
    assert f'filename="service-proof-{record.pk}.png"' in disposition
    chinese = f"{county.document.number_text}送达凭证{record.pk}.png"
    assert f"filename*=UTF-8''{quote(chinese, safe='')}" in disposition
    assert "no-store" in response["Cache-Control"]


def test_an_outsider_gets_not_found_and_the_probe_is_logged(client, county):
    client.force_login(county.caseworker)
    _post(client, county.document, SimpleUploadedFile("x.png", _png()))
    record = county.document.services.get()
    client.force_login(county.outsider)
    assert _get(client, record).status_code == 404
    refused = AuditEntry.objects.get(action="access_refused", actor=county.outsider)
    assert refused.detail["path"] == f"/notices/proof/{record.pk}/"
    assert not AuditEntry.objects.filter(action="export", actor=county.outsider).exists()


def test_a_record_without_a_proof_or_a_file_gone_is_not_found(client, county):
    client.force_login(county.caseworker)
    _post(client, county.document, "")
    assert _get(client, county.document.services.get()).status_code == 404
    gone = _proof(county, _png(), name="service/2026/gone.png")
    default_storage.delete(gone.proof.name)
    assert _get(client, gone).status_code == 404


def test_anonymous_is_sent_to_login(client, county):
    record = _proof(county, _png())
    response = _get(client, record)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_pdf_is_saved_not_opened_in_the_application(client, county):
    record = _proof(county, PDF, name="service/2026/a.pdf")
    client.force_login(county.caseworker)
    response = _get(client, record)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert f'filename="service-proof-{record.pk}.pdf"' in response["Content-Disposition"]


def test_an_image_downloads_on_request(client, county):
    record = _proof(county, _jpeg(), name="service/2026/a.jpg")
    client.force_login(county.caseworker)
    response = _get(client, record, download="1")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment; ")


def test_a_file_stored_before_the_checks_is_only_ever_saved_as_data(client, county):
    """An old upload named .pdf that is a web page is neither shown nor typed as what its name
    says: it would otherwise run in the application's origin."""
    record = _proof(county, HTML, name="service/2025/回证.pdf")
    client.force_login(county.caseworker)
    response = _get(client, record)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert f'filename="service-proof-{record.pk}.bin"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_each_copy_is_in_the_audit_log(client, county):
    record = _proof(county, _png(), name="service/2026/a.png")
    client.force_login(county.group_leader)
    _body(_get(client, record))
    entry = AuditEntry.objects.get(action="export", actor=county.group_leader)
    assert entry.detail == {"document": county.document.number_text, "proof": record.pk}
    assert entry.object_id == str(county.document.pk)


def test_media_is_not_served(client, county):
    record = _proof(county, _png(), name="service/2026/a.png")
    client.force_login(county.caseworker)
    assert client.get(f"/media/{record.proof.name}").status_code == 404
    assert client.get(record.proof.url).status_code == 404


# -- the other stored files a page links ------------------------------------------------------


def _seal() -> bytes:
    output = BytesIO()
    Image.new("RGBA", (60, 60), (0, 0, 0, 0)).save(output, "PNG")
    return output.getvalue()


def test_the_office_page_links_the_seal_through_the_application(client, county):
    from tests.test_notice_views import _office_form

    client.force_login(county.sysadmin)
    form = _office_form(**{"center-seal_image": SimpleUploadedFile("我的公章.png", _seal())})
    assert client.post("/notices/office/", form).status_code == 302
    from notices.services import issuing_body

    stored = issuing_body("center").seal_image.name
    assert re.fullmatch(r"seals/[0-9a-f]{32}\.png", stored)
    page = client.get("/notices/office/").content.decode()
    assert 'href="/notices/office/seal/center/"' in page
    assert "/media/" not in page
    response = client.get("/notices/office/seal/center/")
    assert response.status_code == 200
    assert _body(response) == _seal()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(
        action="export", actor=county.sysadmin, detail__seal_image=stored
    ).exists()
    # Saving the page again without a new file keeps the seal.
    assert client.post("/notices/office/", _office_form()).status_code == 302
    assert issuing_body("center").seal_image.name == stored
    # A body without a seal, or no body at all.
    assert client.get("/notices/office/seal/bureau/").status_code == 404
    assert client.get("/notices/office/seal/nobody/").status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_only_the_administrator_gets_the_seal(client, county, role):
    from notices.services import issuing_body

    center = issuing_body("center")
    center.seal_image = default_storage.save("seals/s.png", ContentFile(_seal()))
    center.save()
    client.force_login(getattr(county, role))
    assert client.get("/notices/office/seal/center/").status_code == 403


def test_the_issue_preview_names_no_file_on_the_server(client, county):
    from notices.services import issuing_body

    center = issuing_body("center")
    center.seal_image = default_storage.save("seals/s.png", ContentFile(_seal()))
    center.save()
    client.force_login(county.caseworker)
    page = client.get(
        f"/notices/enterprise/{county.enterprise.pk}/issue/", {"doc_type": "statement"}
    ).content.decode()
    assert "srcdoc=" in page
    assert "file:" not in page and str(settings.MEDIA_ROOT) not in page


def test_the_merged_pdf_of_a_batch_is_in_the_audit_log(client, county):
    county.batch_job.result["documents"] = [county.document.pk]
    county.batch_job.save()
    client.force_login(county.caseworker)
    response = client.get(f"/notices/batch/{county.batch_job.pk}/pdf/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export", actor=county.caseworker)
    assert entry.detail == {"pdf": "batch", "documents": [county.document.number_text]}
