"""Issuing, printing, serving and voiding documents from the browser's side."""

from io import BytesIO

from pypdf import PdfReader

from core.models import AuditEntry, Job
from notices.models import Document


def test_issue_shows_a_preview_then_numbers_on_confirmation(client, county):
    client.force_login(county.caseworker)
    url = f"/notices/enterprise/{county.enterprise.pk}/issue/"
    before = Document.objects.count()
    page = client.get(url, {"doc_type": "rectification_order"}).content.decode()
    assert "srcdoc=" in page and "（出具时编号）" in page
    assert Document.objects.count() == before  # a preview issues nothing
    response = client.post(url, {"doc_type": "rectification_order", "confirm": "1"})
    document = Document.objects.get(doc_type="rectification_order")
    assert response["Location"] == f"/notices/{document.pk}/"
    assert document.number_text == "壶人社责〔2026〕1号"
    assert AuditEntry.objects.filter(action="issue", object_id=str(document.pk)).exists()


def test_penalty_fine_must_be_one_to_three_times(client, county):
    client.force_login(county.caseworker)
    url = f"/notices/enterprise/{county.enterprise.pk}/issue/"
    page = client.get(url, {"doc_type": "penalty_decision", "fine_multiple": "4"}).content.decode()
    assert "确保该值小于或等于3" in page or "小于或等于 3" in page
    client.post(url, {"doc_type": "penalty_decision", "fine_multiple": "2", "confirm": "1"})
    document = Document.objects.get(doc_type="penalty_decision")
    assert document.content["extra"]["fine_multiple"] == "2"


def test_pdf_inline_and_download(client, county):
    client.force_login(county.supervisor)
    response = client.get(f"/notices/{county.document.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    assert county.enterprise.name in PdfReader(BytesIO(pdf)).pages[0].extract_text().replace(
        "\n", ""
    )
    county.document.refresh_from_db()
    assert len(county.document.pdf_sha256) == 64  # stored with its checksum
    download = client.get(f"/notices/{county.document.pk}/pdf/", {"download": "1"})
    assert "attachment" in download["Content-Disposition"]


def test_service_by_public_notice_sets_the_deadline_from_deemed_service(client, county):
    client.force_login(county.caseworker)
    from datetime import date

    Document.objects.filter(pk=county.document.pk).update(issued_on=date(2025, 8, 1))
    response = client.post(
        f"/notices/{county.document.pk}/service/",
        {"method": "public", "served_on": "2025-08-27", "recipient": ""},
        follow=True,
    )
    assert "期限届满日：2025年10月10日" in response.content.decode()
    county.document.refresh_from_db()
    assert county.document.served_on == date(2025, 9, 26)


def test_void_needs_a_reason_and_keeps_the_number(client, county):
    client.force_login(county.caseworker)
    page = client.post(
        f"/notices/{county.document.pk}/void/", {"reason": ""}, follow=True
    ).content.decode()
    assert "作废必须填写原因" in page
    client.post(f"/notices/{county.document.pk}/void/", {"reason": "送错单位"})
    county.document.refresh_from_db()
    assert county.document.is_voided and county.document.number == 1


def test_batch_issue_merges_one_pdf(client, county, django_capture_on_commit_callbacks):
    client.force_login(county.caseworker)
    query = {"doc_type": "deadline_notice", "region": county.region_a.pk}
    page = client.get("/notices/batch/", query).content.decode()
    assert county.enterprise.name in page and county.other_enterprise.name not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/notices/batch/?" + "&".join(f"{k}={v}" for k, v in query.items()),
            {**query, "enterprise": [county.enterprise.pk, county.other_enterprise.pk]},
        )
    job = Job.objects.get(
        kind="notice_batch", pk=int(response["Location"].strip("/").split("/")[-1])
    )
    assert (
        job.status == "done" and len(job.result["documents"]) == 1
    )  # the other township is ignored
    merged = b"".join(client.get(f"/notices/batch/{job.pk}/pdf/").streaming_content)
    assert len(PdfReader(BytesIO(merged)).pages) >= 1


def test_merged_pdf_numbers_each_documents_pages_from_one(county):
    from notices.rendering import render_merged_pdf
    from notices.services import document_issue

    documents = [
        county.document,
        document_issue(
            actor=county.caseworker,
            doc_type="statement",
            enterprise=county.enterprise,
            render=False,
        ),
    ]
    reader = PdfReader(BytesIO(render_merged_pdf(documents)))
    texts = ["".join(page.extract_text().split()) for page in reader.pages]
    assert sum("—1—" in text for text in texts) == 2
    assert any(county.document.number_text in text for text in texts)


def test_administrator_sets_the_code_of_a_document_type(client, county):
    from notices.services import document_issue

    client.force_login(county.sysadmin)
    page = client.get("/notices/office/").content.decode()
    assert "限期补缴通知书=壶人社催" in page
    form = {
        "name": "壶关县社会保险中心",
        "seal_name": "壶关县社会保险中心",
        "address": "府前路 1 号",
        "phone": "0355-1",
        "contact": "",
        "account_name": "壶关县社会保险中心",
        "account_number": "1234567890",
        "account_bank": "工行",
        "code_base": "壶人社",
        "review_body": "壶关县人民政府",
        "court": "壶关县人民法院",
        "codes": "限期补缴通知书=壶社保催",
    }
    assert client.post("/notices/office/", form).status_code == 302
    document = document_issue(
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    # The counter is per type and year: the fixture issued 1号 and 2号 under the old code.
    assert document.number_text == "壶社保催〔2026〕3号"
    assert document.content["office"]["account_number"] == "1234567890"
    bad = client.post(
        "/notices/office/", {**form, "codes": "限期补缴通知书=壶社保〔催〕"}
    ).content.decode()
    assert "不能含数字、空格或括号" in bad


def _pdf_text(client, document) -> str:
    content = b"".join(client.get(f"/notices/{document.pk}/pdf/").streaming_content)
    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_download_of_a_voided_document_carries_the_mark(
    client, county, django_capture_on_commit_callbacks
):
    client.force_login(county.caseworker)
    before = _pdf_text(client, county.document)  # rendered and stored while valid
    county.document.refresh_from_db()
    assert county.document.pdf and "作废" not in before.replace(" ", "")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/notices/{county.document.pk}/void/", {"reason": "送错单位"})
    after = _pdf_text(client, county.document)
    assert "已作废" in after.replace(" ", "").replace("\n", "")
    assert county.document.number_text in after


def test_a_batch_whose_merge_fails_lists_its_documents_and_can_be_printed_again(
    client, county, django_capture_on_commit_callbacks, monkeypatch
):
    from notices import rendering

    client.force_login(county.caseworker)
    original = rendering.render_merged_pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rendering, "render_merged_pdf", broken)
    query = {"doc_type": "deadline_notice", "region": county.region_a.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/notices/batch/?" + "&".join(f"{k}={v}" for k, v in query.items()),
            {**query, "enterprise": [county.enterprise.pk]},
        )
    job = Job.objects.get(
        kind="notice_batch", pk=int(response["Location"].strip("/").split("/")[-1])
    )
    assert job.status == "failed" and len(job.result["documents"]) == 1
    page = client.get(response["Location"]).content.decode()
    issued = Document.objects.get(pk=job.result["documents"][0])
    assert issued.number_text in page and "重新生成合并 PDF" in page and "hx-get" not in page

    monkeypatch.setattr(rendering, "render_merged_pdf", original)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/notices/batch/{job.pk}/merge/")
    job.refresh_from_db()
    assert job.status == "done" and job.result["documents"] == [issued.pk]
    assert (
        Document.objects.filter(doc_type="deadline_notice", enterprise=county.enterprise).count()
        == 2
    )
    merged = b"".join(client.get(f"/notices/batch/{job.pk}/pdf/").streaming_content)
    assert len(PdfReader(BytesIO(merged)).pages) >= 1
