"""The 查询划拨 documents name the enterprise's bank account. The issued act keeps the number in
clear — it is what the bank searches and debits (社会保险法 第六十三条; 行政强制法 第四十七条) — so
the act itself (its PDF, the scans of its service) goes only to roles that may unmask, each copy
audited as an unmasking; pages show the number masked, to everyone (DESIGN §5)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader

from core.masking import mask_account_numbers, mask_middle
from core.models import AuditEntry
from enforcement import transfers
from enforcement.stages import Stage
from notices.accounts import masked_content, states_bank_account
from notices.models import Document, ServiceRecord
from notices.services import document_issue
from tests.cases import case_at

MONDAY = "2026-11-23T02:00:00Z"
TYPES = ("account_inquiry", "transfer_application", "transfer_decision", "transfer_notice")
MAY_UNMASK = ("caseworker", "group_leader", "leader")


@pytest.fixture
def chain(county, frozen):
    """A case through 查询划拨: the inquiry to the bank, its findings as the caseworker typed
    them (with the account number), the application, the decision (served) and the notice."""
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    actor = county.caseworker
    number = county.account.account_number
    documents = {
        "account_inquiry": document_issue(
            from_case=True,
            actor=actor,
            doc_type="account_inquiry",
            enterprise=county.enterprise,
            render=False,
        )
    }
    transfers.bank_inquiry_record(
        actor=actor, case=case, findings=f"工行壶关支行基本户 {number}，余额 50 万元"
    )
    documents["transfer_application"] = transfers.transfer_application_issue(actor=actor, case=case)
    decision = transfers.transfer_decision_issue(
        actor=actor, case=case, account_id=county.account.pk, amount=Decimal("500.00")
    )
    Document.objects.filter(pk=decision.pk).update(served_on=date(2026, 11, 23))
    documents["transfer_decision"] = decision
    documents["transfer_notice"] = transfers.transfer_notice_issue(actor=actor, case=case)
    return case, documents, number


def _pdf_text(response) -> str:
    pdf = b"".join(response.streaming_content)
    return "".join("".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)


# -- the PDF, the act sent to the bank ----------------------------------------------------------


@pytest.mark.parametrize("role", MAY_UNMASK)
def test_roles_that_may_unmask_get_the_act_with_the_number_each_copy_audited(
    client, county, chain, role
):
    _, documents, number = chain
    user = getattr(county, role)
    client.force_login(user)
    for doc_type, document in documents.items():
        response = client.get(f"/notices/{document.pk}/pdf/", {"download": "1"})
        assert response.status_code == 200, doc_type
        assert number in _pdf_text(response), doc_type
        unmask = AuditEntry.objects.get(action="unmask", actor=user, object_id=str(document.pk))
        assert unmask.detail == {
            "field": "account_number",
            "document": document.number_text,
            "pdf": "download",
        }
        assert AuditEntry.objects.filter(
            action="export", actor=user, object_id=str(document.pk)
        ).exists()


def test_the_supervisor_is_refused_the_act_and_the_refusal_is_logged(client, county, chain):
    _, documents, _ = chain
    client.force_login(county.supervisor)
    for doc_type, document in documents.items():
        for query in ({}, {"download": "1"}):
            assert client.get(f"/notices/{document.pk}/pdf/", query).status_code == 403, doc_type
    assert not AuditEntry.objects.filter(
        actor=county.supervisor, action__in=("export", "unmask")
    ).exists()
    assert AuditEntry.objects.filter(actor=county.supervisor, action="access_refused").count() == 8


def test_the_supervisor_still_reads_documents_without_an_account(client, county, chain):
    client.force_login(county.supervisor)
    response = client.get(f"/notices/{county.document.pk}/pdf/")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(actor=county.supervisor, action="export").exists()
    assert not AuditEntry.objects.filter(actor=county.supervisor, action="unmask").exists()


def test_an_outsider_does_not_find_them(client, county, chain):
    _, documents, _ = chain
    client.force_login(county.outsider)
    for document in documents.values():
        assert client.get(f"/notices/{document.pk}/pdf/").status_code == 404
        assert client.get(f"/notices/{document.pk}/").status_code == 404


# -- the pages ----------------------------------------------------------------------------------


def test_the_supervisor_reads_the_text_with_the_number_masked(client, county, chain):
    _, documents, number = chain
    client.force_login(county.supervisor)
    for doc_type, document in documents.items():
        page = client.get(f"/notices/{document.pk}/").content.decode()
        assert number not in page, doc_type
        assert mask_middle(number) in page, doc_type  # in the sandboxed frame's srcdoc
        assert "文书内容（银行账号已遮蔽）" in page
        assert "PDF 仅限有权查看明文的人员" in page
        assert f"/notices/{document.pk}/pdf/" not in page
    # The center's own collection account is on every demand for payment: it stays.
    decision = client.get(f"/notices/{documents['transfer_decision'].pk}/").content.decode()
    assert documents["transfer_decision"].content["office"]["account_number"] in decision


@pytest.mark.parametrize("role", ["caseworker", "group_leader"])
def test_the_owner_and_the_teammate_get_the_pdf_links_and_no_number_on_the_page(
    client, county, chain, role
):
    _, documents, number = chain
    client.force_login(getattr(county, role))
    for document in documents.values():
        page = client.get(f"/notices/{document.pk}/").content.decode()
        assert number not in page
        assert f'href="/notices/{document.pk}/pdf/?download=1"' in page
        assert "查看、下载均记入审计日志" in page
        assert "srcdoc=" not in page
    # Looking at the page unmasks nothing: only a copy of the act does.
    assert not AuditEntry.objects.filter(action="unmask").exists()


@pytest.mark.parametrize("role", ["caseworker", "group_leader", "leader", "supervisor"])
def test_the_case_page_masks_the_findings_for_everyone(client, county, chain, role):
    case, documents, number = chain
    client.force_login(getattr(county, role))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert number not in page
    assert f"账户查询结果：工行壶关支行基本户 {mask_middle(number)}，余额 50 万元" in page
    # The timeline links the documents its steps issued: the application, decision and notice.
    chained = [
        documents[t] for t in ("transfer_application", "transfer_decision", "transfer_notice")
    ]
    links = [f'href="/notices/{d.pk}/pdf/"' in page for d in chained]
    assert all(links) if role in MAY_UNMASK else not any(links)


def test_the_documents_tab_links_the_pdf_only_for_who_may_have_it(client, county, chain):
    _, documents, _ = chain
    url = f"/notices/enterprise/{county.enterprise.pk}/"
    client.force_login(county.supervisor)
    page = client.get(url).content.decode()
    assert not any(f"/notices/{d.pk}/pdf/" in page for d in documents.values())
    assert f"/notices/{county.document.pk}/pdf/" in page
    client.force_login(county.caseworker)
    page = client.get(url).content.decode()
    assert all(f"/notices/{d.pk}/pdf/" in page for d in documents.values())


# -- the scans of their service -----------------------------------------------------------------


def _served(county, document) -> ServiceRecord:
    return ServiceRecord.objects.create(
        document=document,
        method="left",
        witness="村委会主任",
        served_on=date(2026, 11, 23),
        effective_on=date(2026, 11, 23),
        recorded_by=county.caseworker,
        proof=default_storage.save("service/2026/p.png", ContentFile(b"\x89PNG\r\n\x1a\n")),
    )


@pytest.mark.parametrize("role", [*MAY_UNMASK, "supervisor", "outsider"])
def test_the_photo_of_a_decision_left_at_the_door_goes_where_its_pdf_goes(
    client, county, chain, role
):
    """A photo of the decision posted on the enterprise's door shows the number too."""
    _, documents, _ = chain
    record = _served(county, documents["transfer_decision"])
    user = getattr(county, role)
    client.force_login(user)
    status = client.get(f"/notices/proof/{record.pk}/").status_code
    expected = {"supervisor": 403, "outsider": 404}.get(role, 200)
    assert status == expected
    logged = AuditEntry.objects.filter(actor=user, action="unmask", detail__proof=record.pk)
    assert logged.exists() == (expected == 200)
    if role == "supervisor":
        page = client.get(f"/notices/{documents['transfer_decision'].pk}/").content.decode()
        assert "已上传送达回证" in page and f"/notices/proof/{record.pk}/" not in page


# -- the rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("工行 6222021234000000007，余额 3 万元", "工行 622202*********0007，余额 3 万元"),
        ("账号 6222 0212 3400 0000 007", "账号 622202*********0007"),
        ("账号６２２２０２１２３４００００００００７", "账号６２２２０２*********０００７"),
        ("农商行 1401-2345-6789-01", "农商行 140123****8901"),
        # Not accounts: a phone number, a date, an amount, a credit code.
        ("联系 13912345678，2026-11-23 查询", "联系 13912345678，2026-11-23 查询"),
        ("余额 123,456,789.00 元", "余额 123,456,789.00 元"),
        ("91140527MA0K12345X", "91140527MA0K12345X"),
    ],
)
def test_account_numbers_in_free_text(typed, shown):
    assert mask_account_numbers(typed) == shown


def test_a_court_application_falls_under_the_rule_when_its_findings_hold_a_number():
    content = {"extra": {"property": "经查询，工行账户 6222021234000000007 余额 3 万元"}}
    assert states_bank_account("court_application", content)
    assert not states_bank_account("court_application", {"extra": {"property": "经查询，无存款"}})
    assert not states_bank_account("deadline_notice", {"bank": {"account": "6222021234000000007"}})
    assert all(states_bank_account(doc_type, {}) for doc_type in TYPES)
    masked = masked_content(content)
    assert masked["extra"]["property"] == "经查询，工行账户 622202*********0007 余额 3 万元"
    assert content["extra"]["property"].endswith("6222021234000000007 余额 3 万元")  # a copy


def test_the_stored_act_keeps_the_number(county, chain):
    _, documents, number = chain
    assert documents["account_inquiry"].content["bank"]["account"] == number
    assert documents["transfer_decision"].content["extra"]["account"] == number
    assert documents["transfer_notice"].content["extra"]["account"] == number
    assert number in documents["transfer_application"].content["extra"]["findings"]
