"""The 送达回证 of a document: printed from the document's page, signed at service, scanned and
attached to the service record (民事诉讼法 第八十七条: the date signed on it is the service date)."""

from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader


def _receipt(client, document, **query):
    return client.get(f"/notices/{document.pk}/receipt/", query)


def _text(response) -> tuple[str, int]:
    pdf = b"".join(response.streaming_content)
    reader = PdfReader(BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages), len(reader.pages)


@pytest.mark.parametrize("role", ["caseworker", "group_leader", "supervisor"])
def test_the_receipt_is_a_one_page_pdf_stating_the_document(client, county, role):
    from notices.services import document_issue

    county.enterprise.address = "壶关县龙泉镇南环路 18 号"
    county.enterprise.save()
    reminder = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="reminder",
        enterprise=county.enterprise,
        render=False,
    )
    client.force_login(getattr(county, role))
    response = _receipt(client, reminder)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    text, pages = _text(response)
    assert pages == 1
    assert "送达回证" in text
    assert reminder.number_text in text  # 壶人社催告〔2026〕1号
    assert "催告书" in text
    assert "壶关县社会保险中心" in text  # the issuing body, content["office"]["name"]
    assert county.enterprise.name in text
    assert "壶关县龙泉镇南环路18号" in text
    for column in ("送达方式", "送达地点", "受送达人签名或盖章", "送达日期", "送达人", "见证人"):
        assert column in text, column
    assert "备注" in text.replace("　", "")


def test_the_receipt_names_the_body_that_issued_the_document(client, county):
    from notices.services import document_issue

    decision = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="penalty_decision",
        enterprise=county.enterprise,
        extra={"fine_multiple": "1"},
        render=False,
    )
    client.force_login(county.caseworker)
    text, _ = _text(_receipt(client, decision))
    assert "壶关县人力资源和社会保障局" in text and decision.number_text in text


def test_the_receipt_downloads_as_a_file(client, county):
    client.force_login(county.caseworker)
    response = _receipt(client, county.document, download="1")
    disposition = response["Content-Disposition"]
    assert "attachment" in disposition
    assert quote(f"{county.document.number_text}送达回证.pdf") in disposition


def test_printing_a_receipt_or_a_document_is_in_the_audit_log(client, county):
    from core.models import AuditEntry

    client.force_login(county.caseworker)
    _receipt(client, county.document)
    client.get(f"/notices/{county.document.pk}/pdf/", {"download": "1"})
    entries = AuditEntry.objects.filter(action="export", actor=county.caseworker)
    assert sorted(e.detail["pdf"] for e in entries) == ["download", "receipt"]
    assert {e.detail["document"] for e in entries} == {county.document.number_text}


def test_an_outsider_gets_not_found(client, county):
    client.force_login(county.outsider)
    assert _receipt(client, county.document).status_code == 404


def test_anonymous_is_sent_to_login(client, county):
    response = _receipt(client, county.document)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_voided_documents_receipt_is_marked(client, county):
    from notices.services import document_void

    document_void(actor=county.caseworker, document=county.document, reason="送错单位")
    client.force_login(county.caseworker)
    text, _ = _text(_receipt(client, county.document))
    assert "已作废" in text
    page = client.get(f"/notices/{county.document.pk}/").content.decode()
    assert "打印送达回证" not in page


def test_the_detail_page_links_the_receipt_and_lists_the_signed_one(client, county):
    client.force_login(county.caseworker)
    url = f"/notices/{county.document.pk}/"
    page = client.get(url).content.decode()
    assert "打印送达回证" in page and f'href="/notices/{county.document.pk}/receipt/"' in page
    assert "送达回证（签收后扫描）" in page
    scan = SimpleUploadedFile("回证.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(
        f"{url}service/",
        {"method": "direct", "served_on": "2026-11-22", "recipient": "王会计", "proof": scan},
    )
    assert response.status_code == 302
    record = county.document.services.get()
    assert record.proof.name.startswith("service/2026/")
    page = client.get(url).content.decode()
    # Through the view that checks who asks (MEDIA is not served): notices.views.service_proof.
    assert f'href="/notices/proof/{record.pk}/"' in page and "送达回证</a>" in page
    assert "/media/" not in page
    # The teammate sees the same record and its scan.
    client.force_login(county.group_leader)
    assert f'href="/notices/proof/{record.pk}/"' in client.get(url).content.decode()


def test_a_service_without_the_scan_says_so(client, county):
    client.force_login(county.caseworker)
    url = f"/notices/{county.document.pk}/"
    client.post(
        f"{url}service/", {"method": "direct", "served_on": "2026-11-22", "recipient": "王会计"}
    )
    assert "未上传送达回证" in client.get(url).content.decode()
