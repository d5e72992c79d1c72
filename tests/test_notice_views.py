"""Issuing, printing, serving and voiding documents from the browser's side."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.models import AuditEntry, Job
from notices.models import Document


def test_issue_shows_a_preview_then_numbers_on_confirmation(client, county):
    client.force_login(county.caseworker)
    url = f"/notices/enterprise/{county.enterprise.pk}/issue/"
    before = Document.objects.count()
    page = client.get(url, {"doc_type": "statement"}).content.decode()
    assert "srcdoc=" in page and "（出具时编号）" in page
    # The preview is the document's HTML with the enterprise's own words in it: sandboxed, it
    # runs no script and has no access to the page or the session (issue 13 §3).
    assert '<iframe title="文书预览" sandbox=""' in page
    assert Document.objects.count() == before  # a preview issues nothing
    response = client.post(url, {"doc_type": "statement", "confirm": "1"})
    document = Document.objects.get(doc_type="statement")
    assert response["Location"] == f"/notices/{document.pk}/"
    assert document.number_text == "壶人社对〔2026〕1号"
    assert document.issuing_body == "center"
    assert AuditEntry.objects.filter(action="issue", object_id=str(document.pk)).exists()


def test_the_tab_refuses_chain_documents(client, county):
    """A fine or a 催告书 comes only from a case move: the tab neither previews nor issues one."""
    client.force_login(county.caseworker)
    url = f"/notices/enterprise/{county.enterprise.pk}/issue/"
    for doc_type in ("penalty_decision", "reminder", "transfer_decision", "rectification_order"):
        page = client.get(url, {"doc_type": doc_type}).content.decode()
        assert "srcdoc=" not in page and "选择一个有效的选项" in page
        client.post(url, {"doc_type": doc_type, "confirm": "1"})
        assert not Document.objects.filter(doc_type=doc_type).exists()


def test_a_deadline_notice_from_the_tab_opens_the_case(client, county):
    from enforcement.models import Case

    client.force_login(county.caseworker)
    url = f"/notices/enterprise/{county.enterprise.pk}/issue/"
    client.post(url, {"doc_type": "deadline_notice", "confirm": "1"})
    case = Case.objects.get(enterprise=county.enterprise)
    notice = Document.objects.filter(doc_type="deadline_notice").latest("pk")
    assert case.stage == "demand" and case.events.filter(document=notice).exists()
    # The case is now past 立案: a second notice from the tab is refused and takes no number.
    page = client.post(url, {"doc_type": "deadline_notice", "confirm": "1"}).content.decode()
    assert "不再单独出具限期补缴通知书" in page
    assert Document.objects.filter(doc_type="deadline_notice").latest("pk") == notice


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
        {
            "method": "public",
            "served_on": "2025-08-27",
            "recipient": "",
            "public_reason": "直接送达无人签收，邮件退回",
        },
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
            from_case=True,
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


def _office_form(**changes) -> dict:
    """The office page's whole form as the browser posts it: common settings, then each body."""
    from notices.services import DEFAULT_BODIES

    form = {
        "office-account_name": "壶关县社会保险中心",
        "office-account_number": "1234567890",
        "office-account_bank": "工行",
        "office-fine_channel": "壶关县非税收入汇缴结算户（工行壶关支行）",
        "office-review_body": "壶关县人民政府",
        "office-court": "壶关县人民法院",
    }
    for kind, body in DEFAULT_BODIES.items():
        form.update({f"{kind}-{field}": value for field, value in body.items()})
        form[f"{kind}-contact"] = ""
        form[f"{kind}-codes"] = ""
    return {**form, **changes}


def test_administrator_sets_the_code_of_a_document_type(client, county):
    from notices.services import document_issue

    client.force_login(county.sysadmin)
    page = client.get("/notices/office/").content.decode()
    assert "限期补缴通知书=壶人社催" in page and "行政处罚决定书=壶人社监罚" in page
    form = _office_form(**{"center-codes": "限期补缴通知书=壶社保催"})
    assert client.post("/notices/office/", form).status_code == 302
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    # The counter is per body, type and year: the fixture issued 1号 and 2号 under the old code.
    assert document.number_text == "壶社保催〔2026〕3号"
    assert document.content["office"]["account_number"] == "1234567890"
    bad = client.post(
        "/notices/office/", {**form, "center-codes": "限期补缴通知书=壶社保〔催〕"}
    ).content.decode()
    assert "不能含数字、空格或括号" in bad
    # The center does not decide fines: their code is not the center's to set.
    foreign = client.post(
        "/notices/office/", {**form, "center-codes": "行政处罚决定书=壶社保罚"}
    ).content.decode()
    assert "不是本机关出具的文书" in foreign


def test_each_body_signs_its_own_documents(county):
    from notices.services import document_issue

    decision = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="penalty_decision",
        enterprise=county.enterprise,
        extra={"fine_multiple": "1"},
        render=False,
    )
    assert decision.issuing_body == "enforcement"
    assert decision.content["office"]["name"] == "壶关县人力资源和社会保障局"
    assert decision.number_text.startswith("壶人社监")
    with pytest.raises(ValidationError, match="无权出具"):
        document_issue(
            from_case=True,
            actor=county.caseworker,
            doc_type="penalty_decision",
            enterprise=county.enterprise,
            body="center",
            render=False,
        )


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
