"""The fine follows the 行政处罚法: referred by the center, filed and notified by the enforcement
unit, the party heard, reviewed, decided by the head once, on what the order named."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from arrears.services import payment_post
from enforcement.fines import fine_decide
from enforcement.models import CaseworkSettings
from enforcement.services import approval_decide, case_close, case_move
from enforcement.stages import Stage
from enforcement.timeline import amounts_owed
from notices.models import Document
from tests.cases import case_at, case_ready_for_fine
from tests.factories import LedgerItemFactory


def _step(client, case, **data) -> str:
    return client.post(f"/cases/{case.pk}/penalty/", data, follow=True).content.decode()


def _decide(client, case, multiple) -> str:
    return client.post(
        f"/cases/{case.pk}/fine/decide/", {"multiple": multiple}, follow=True
    ).content.decode()


def test_the_center_refers_and_the_unit_decides(county):
    case = case_at(county, Stage.BANK)
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 5, 11))
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.PENALTY, reason="拒缴")
    approval_decide(actor=county.leader, approval=approval, approve=True)
    case.refresh_from_db()
    referral = case.current_document
    assert (referral.doc_type, referral.issuing_body) == ("referral", "center")
    extra = referral.content["extra"]
    assert extra["unit_name"] == "壶关县人力资源和社会保障局"
    assert case.order.number_text in extra["evidence"][0]


def test_the_whole_procedure_from_the_case_page(client, county, frozen):
    CaseworkSettings.objects.update_or_create(pk=1, defaults={"hearing_threshold": D("1000")})
    case = case_at(county, Stage.PENALTY)
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 5, 11))
    from enforcement.penalty_procedure import referral_extra
    from notices.services import document_issue

    document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="referral",
        enterprise=county.enterprise,
        extra=referral_extra(case),
        render=False,
    )
    worker, leader = client, None
    worker.force_login(county.caseworker)
    assert "请先登记处罚立案" in _step(worker, case, action="notice", multiple="2")
    _step(worker, case, action="file", filed_on="2026-11-22")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "应于 2027-02-20 前作出决定" in page  # 90 days from 立案
    _step(worker, case, action="notice", multiple="2")
    notice = Document.objects.get(doc_type="penalty_notice")
    assert notice.issuing_body == "enforcement" and notice.content["extra"]["hearing_right"]
    assert notice.content["extra"]["fine"] == "3,400.00"  # 2 × the order's unpaid 1,700.00

    leader = client.__class__()
    leader.force_login(county.leader)
    assert "尚未送达" in _decide(leader, case, "2")
    Document.objects.filter(pk=notice.pk).update(
        served_on=date(2026, 11, 22), deadline=date(2026, 11, 27)
    )
    assert "陈述申辩期限至2026年11月27日届满" in _decide(leader, case, "2")

    _step(worker, case, action="hearing_request", requested_on="2026-11-22")
    assert "听证结束前不得作出决定" in _decide(leader, case, "2")
    page = _step(
        worker,
        case,
        action="hearing_notice",
        hearing_on="2026-12-10",
        hearing_time="09:30",
        place="301 室",
        chair=county.caseworker.pk,
    )
    assert "不得由本案调查人员担任" in page
    page = _step(
        worker,
        case,
        action="hearing_notice",
        hearing_on="2026-11-25",
        hearing_time="09:30",
        place="301 室",
        chair=county.group_leader.pk,
    )
    assert "7日之后" in page
    _step(
        worker,
        case,
        action="hearing_notice",
        hearing_on="2026-12-10",
        hearing_time="09:30",
        place="301 室",
        chair=county.group_leader.pk,
    )
    hearing = Document.objects.get(doc_type="hearing_notice")
    assert hearing.issuing_body == "enforcement"
    assert hearing.content["extra"]["chair"] == str(county.group_leader)
    assert hearing.content["extra"]["hearing_time"] == "9时30分"

    frozen.move_to("2026-12-10T08:00:00Z")
    worker.force_login(county.caseworker)
    leader.force_login(county.leader)
    _step(worker, case, action="hearing_held", held_on="2026-12-10", record="当事人称资金困难")
    assert "须先经法制审核" in _decide(leader, case, "2")
    assert "不得由本案调查人员进行" in _step(worker, case, action="legal_review", opinion="同意")
    reviewer = client.__class__()
    reviewer.force_login(county.group_leader)
    _step(reviewer, case, action="legal_review", opinion="事实清楚，证据确凿，程序合法")

    assert "须重新告知" in _decide(leader, case, "3")
    assert worker.post(f"/cases/{case.pk}/fine/decide/", {"multiple": "2"}).status_code == 403
    _decide(leader, case, "2")
    fine = case.fines.get()
    assert (fine.principal_base, fine.amount) == (D("1700.00"), D("3400.00"))
    decision = fine.decision
    assert decision.issuing_body == "enforcement" and decision.issued_by == county.leader
    assert "听证" in decision.content["extra"]["procedure"]
    assert "不得再次处罚" in _decide(leader, case, "1")


def test_the_fine_is_on_what_the_order_named_still_unpaid(county):
    case = case_ready_for_fine(county, "1")
    # A month that fell due after the order was never ordered: it is not in the fine's base.
    LedgerItemFactory(enterprise=county.enterprise, period=date(2026, 9, 1))
    fine = fine_decide(actor=county.leader, case=case, multiple=D("1"))
    assert fine.principal_base == D("1700.00")


def test_a_caseworker_cannot_decide_a_fine(county):
    case = case_ready_for_fine(county, "1")
    with pytest.raises(ValidationError, match="负责人作出"):
        fine_decide(actor=county.caseworker, case=case, multiple=D("1"))


def test_an_unpaid_fine_keeps_the_case_open(county):
    case = case_ready_for_fine(county, "1")
    fine_decide(actor=county.leader, case=case, multiple=D("1"))
    principal, fee = amounts_owed(county.enterprise)
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=principal + fee,
        paid_on=date(2026, 11, 22),
        method="bank",
        external_ref="QJ-1",
    )
    case.refresh_from_db()
    assert case.closed_at is None
    assert case.events.filter(text__contains="案件不结案").exists()
    with pytest.raises(ValidationError, match="不能以全额清缴结案"):
        case_close(actor=county.caseworker, case=case, reason="paid")


def test_the_penalty_clocks_show_in_todays_list(client, county):
    case = case_ready_for_fine(county, "1")
    client.force_login(county.caseworker)
    page = client.get("/cases/today/").content.decode()
    assert "应于 2027年2月20日 前作出处罚决定" in page  # 立案 2026-11-22 + 90 days
    fine_decide(actor=county.leader, case=case, multiple=D("1"))
    page = client.get("/cases/today/").content.decode()
    # Decided on Sunday 2026-11-22: 7 working days end on Tuesday 2026-12-01.
    assert "应于 2026年12月1日 前送达处罚决定书" in page and "作出处罚决定" not in page


def test_the_referral_lists_every_step_with_its_service_and_the_defence(county):
    from enforcement.due_process import defence_record, defence_review
    from enforcement.transfers import bank_inquiry_record

    case = case_at(county, Stage.BANK)
    reminder = Document.objects.get(doc_type="reminder")
    defence_record(
        actor=county.caseworker,
        case=case,
        document=reminder,
        received_on=date(2026, 11, 22),
        text="资金困难",
    )
    defence_review(
        actor=county.group_leader, case=case, document=reminder, accepted=False, conclusion="不采纳"
    )
    bank_inquiry_record(actor=county.caseworker, case=case, findings="基本户余额 12.00 元")
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D("12.00"),
        paid_on=date(2026, 11, 22),
        method="bank_transfer",
        external_ref="HB-9",
    )
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.PENALTY, reason="拒缴")
    approval_decide(actor=county.leader, approval=approval, approve=True)
    case.refresh_from_db()
    evidence = case.current_document.content["extra"]["evidence"]
    assert evidence[0] == f"社会保险费限期补缴通知书（{case.order.number_text}）及送达回证"
    assert f"催告书（{reminder.number_text}）及送达回证" in evidence
    assert f"对{reminder.number_text}的陈述申辩记录" in evidence
    assert f"对{reminder.number_text}的陈述申辩复核意见" in evidence
    assert "存款账户查询结果记录（1次）" in evidence
    assert "划拨入账凭证（1笔）" in evidence
    assert evidence[-1] == "欠费明细（社会保险费征收台账）"
