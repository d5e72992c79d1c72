"""查询划拨 as the law has it: inquiry → the center's application → the 人社局's decision, served →
its notice to the bank, for no more than decided and not on a rest day → the transfer booked."""

from datetime import date

from arrears.models import Payment
from core.models import AuditEntry
from enforcement.stages import Stage
from notices.models import Document
from tests.cases import case_at

MONDAY = "2026-11-23T02:00:00Z"


def _post(client, case, **data):
    return client.post(f"/cases/{case.pk}/bank/", data, follow=True).content.decode()


def test_each_step_waits_for_the_one_before(client, county, frozen):
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    client.force_login(county.caseworker)

    assert "请先登记账户查询结果" in _post(client, case, action="application")
    _post(
        client, case, action="inquiry", findings="工行壶关支行基本户，余额 50 万元", sufficient="1"
    )
    assert case.events.filter(kind="inquiry", text__contains="余额 50 万元").exists()
    assert "尚无人社局的划拨社会保险费决定" in _post(client, case, action="notice")
    assert "请先出具划拨申请" in _post(client, case, action="decision", account=county.account.pk)

    _post(client, case, action="application")
    application = Document.objects.get(doc_type="transfer_application")
    assert application.issuing_body == "center"
    assert application.content["extra"]["decision_body"] == "壶关县人力资源和社会保障局"
    reminder = Document.objects.get(doc_type="reminder")
    assert application.content["extra"]["reminder_number"] == reminder.number_text
    assert "请等待人社局作出划拨决定" in _post(client, case, action="application")

    page = _post(client, case, action="decision", account=county.account.pk, amount="999999999")
    assert "不超过现欠本金及滞纳金" in page
    _post(client, case, action="decision", account=county.account.pk, amount="500.00")
    decision = Document.objects.get(doc_type="transfer_decision")
    assert decision.issuing_body == "bureau" and decision.number_text.startswith("壶人社划决")
    assert decision.content["extra"]["decided_amount"] == "500.00"
    assert decision.content["states_remedies"]

    assert "尚未送达企业" in _post(client, case, action="notice")
    Document.objects.filter(pk=decision.pk).update(served_on=date(2026, 11, 23))
    booked = {"amount": "300.00", "paid_on": "2026-11-23", "external_ref": "HB-1"}
    assert "请先依划拨决定出具协助划拨通知书" in _post(client, case, **booked)

    _post(client, case, action="notice")
    notice = Document.objects.get(doc_type="transfer_notice")
    extra = notice.content["extra"]
    assert notice.issuing_body == "bureau"
    assert (extra["decision_number"], extra["notified_amount"]) == (decision.number_text, "500.00")

    _post(client, case, **booked)
    payment = Payment.objects.get(external_ref="HB-1")
    assert payment.method == "bank_transfer"
    page = _post(client, case, amount="200.01", paid_on="2026-11-23", external_ref="HB-2")
    assert "尚可划拨的 200.00 元" in page and not Payment.objects.filter(external_ref="HB-2")


def test_no_notice_to_the_bank_on_a_rest_day(client, county, frozen):
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    client.force_login(county.caseworker)
    _post(client, case, action="inquiry", findings="工行，余额 3 万元", sufficient="0")
    _post(client, case, action="application")
    _post(client, case, action="decision", account=county.account.pk)
    Document.objects.filter(doc_type="transfer_decision").update(served_on=date(2026, 11, 23))
    frozen.move_to("2026-11-28T02:00:00Z")  # a Saturday
    client.force_login(county.caseworker)  # the idle session ended with the days
    page = _post(client, case, action="notice")
    assert "不得实施强制执行（行政强制法第四十三条）" in page
    assert not Document.objects.filter(doc_type="transfer_notice").exists()
    frozen.move_to("2026-11-30T02:00:00Z")
    client.force_login(county.caseworker)
    _post(client, case, action="notice")
    assert Document.objects.filter(doc_type="transfer_notice").exists()


def test_the_case_page_shows_where_the_transfer_stands(client, county, frozen):
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    client.force_login(county.caseworker)
    _post(client, case, action="inquiry", findings="工行，余额 3 万元", sufficient="0")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "账户查询结果（余额少于应缴数额）：工行，余额 3 万元" in page
    assert "出具划拨申请（报人社局）" in page and "出具协助划拨通知书" not in page


def test_an_outsider_cannot_touch_the_transfer(client, county, frozen):
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    client.force_login(county.outsider)
    response = client.post(f"/cases/{case.pk}/bank/", {"action": "application"})
    assert response.status_code == 404
    assert not Document.objects.filter(doc_type="transfer_application").exists()


def test_an_account_number_in_the_findings_stays_out_of_the_audit_log(client, county, frozen):
    """The auditor reads the log and may not unmask: the findings are logged masked."""
    frozen.move_to(MONDAY)
    case = case_at(county, Stage.BANK)
    client.force_login(county.caseworker)
    _post(
        client,
        case,
        action="inquiry",
        findings="工行 6222 0212 3456 7890，余额 3 万元",
        sufficient="1",
    )
    entry = AuditEntry.objects.filter(object_id=str(case.pk), detail__has_key="inquiry").get()
    assert entry.detail["inquiry"] == "工行 622202******7890，余额 3 万元"
