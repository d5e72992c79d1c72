"""The center's 强制执行申请书 tells the court what 行政强制法 第五十五条 asks for: the decision
and the 催告书 with their service, the party's defence and its review, what was performed, the
property found, the head who signs, and no month the decision did not order paid."""

from datetime import date
from decimal import Decimal as D

from arrears.services import payment_post
from enforcement.due_process import defence_record, defence_review
from enforcement.services import approval_decide, case_move
from enforcement.stages import Stage
from enforcement.transfers import bank_inquiry_record
from notices.models import Document, IssuingBody
from notices.rendering import render_html
from notices.services import issuing_body
from tests.cases import case_at
from tests.factories import LedgerItemFactory


def _apply(county, case):
    approval = case_move(
        actor=county.caseworker, case=case, to_stage=Stage.COURT, reason="逾期未缴"
    )
    approval_decide(actor=county.leader, approval=approval, approve=True, comment="同意")
    case.refresh_from_db()
    return case.current_document


def test_the_application_claims_only_what_the_decision_ordered(county):
    case = case_at(county, Stage.BANK)
    # The order named 2025-01 (700.00 left after the 300.00 paid) and 2025-02 (1,000.00). A
    # month that fell due after it was never ordered paid, so the court is not asked for it.
    LedgerItemFactory(enterprise=county.enterprise, period=date(2026, 9, 1))
    application = _apply(county, case)
    assert application.doc_type == "court_application"
    assert [row["period"] for row in application.content["items"]] == ["2025年1月", "2025年2月"]
    totals = application.content["totals"]
    assert totals["principal"] == "1,700.00"
    html = render_html(doc_type="court_application", content=application.content)
    assert "本金 1,700.00 元（大写：人民币壹仟柒佰元整）" in html
    assert f"滞纳金 {totals['fee']} 元（大写：人民币{totals['fee_capitals']}）" in html
    assert f"共计 {totals['total']} 元（大写：人民币{totals['total_capitals']}）" in html
    assert "2026年9月" not in html


def test_the_application_recounts_defence_performance_property_and_head(county):
    case = case_at(county, Stage.BANK)
    reminder = Document.objects.get(doc_type="reminder")
    defence_record(
        actor=county.caseworker,
        case=case,
        document=reminder,
        received_on=date(2026, 11, 22),
        text="资金周转困难，请求宽限",
    )
    defence_review(
        actor=county.group_leader,
        case=case,
        document=reminder,
        accepted=False,
        conclusion="资金困难不免除缴费义务。",
    )
    bank_inquiry_record(
        actor=county.caseworker,
        case=case,
        findings="中国工商银行壶关支行基本户，余额 1,200.00 元",
        sufficient=False,
    )
    # 500.00 transferred from the account: it pays the oldest month first, 2025-01.
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D("500.00"),
        paid_on=date(2026, 11, 22),
        method="bank_transfer",
        external_ref="HB-1",
    )
    IssuingBody.objects.filter(pk=issuing_body("center").pk).update(head_name="王建国")
    application = _apply(county, case)
    html = render_html(doc_type="court_application", content=application.content)
    assert (
        "被申请人于2026年11月22日提出陈述、申辩，称：资金周转困难，请求宽限。"
        "申请人已记录并复核，认为不成立，不予采纳。资金困难不免除缴费义务。"
    ) in html
    assert "已缴纳其所列本金 500.00 元（其中经银行划拨 500.00 元），尚欠本金 1,200.00 元" in html
    assert "经查询，中国工商银行壶关支行基本户，余额 1,200.00 元" in html
    assert "负责人：王建国（主任）" in html
    # The articles stand in the text; no 依据 note between 此致 and the signature.
    assert "依据：" not in html
    assert (
        html.index("此致") < html.index("负责人：王建国（主任）") < html.index('class="signature"')
    )


def test_the_reminder_claims_only_what_its_decision_ordered(county):
    case = case_at(county, Stage.DEMAND)
    LedgerItemFactory(enterprise=county.enterprise, period=date(2026, 9, 1))
    case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION, reason="逾期未缴")
    case.refresh_from_db()
    reminder = case.current_document
    assert reminder.doc_type == "reminder"
    assert [row["period"] for row in reminder.content["items"]] == ["2025年1月", "2025年2月"]


def test_a_letter_to_the_court_never_waits_to_be_served(client, county):
    from notices.selectors import document_search

    case = case_at(county, Stage.BANK)
    application = _apply(county, case)
    unserved = document_search(user=county.caseworker, served="no")
    assert application not in unserved
    assert Document.objects.get(doc_type="reminder") not in unserved  # served by case_at
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "不向单位送达" in page
