"""Deferral agreements (社会保险法 第六十三条): terms within the configured maximum, the agreement
and the fee suspension an approval starts, and the nightly sweep that notices a missed
instalment, ends the suspension and returns the case to enforcement."""

import re
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from arrears.models import Suspension
from arrears.services import payment_post
from enforcement.models import Approval, Case, CaseEvent, CaseworkSettings, Deferral
from enforcement.services import approval_decide, case_move, case_open
from enforcement.stages import Stage
from enforcement.timeline import amounts_owed
from notices.models import Document
from notices.services import document_issue

TERMS = {
    "months": "3",
    "guarantee_kind": "mortgage",
    "guarantee_value": "8000.00",
    "guarantee_document": "抵押合同 壶抵〔2026〕17号",
}


@pytest.fixture
def rectification_case(county, frozen):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    order = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="reminder",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=order.pk).update(
        served_on=date(2026, 10, 1), deadline=date(2026, 10, 15)
    )
    Case.objects.filter(pk=case.pk).update(stage=Stage.RECTIFICATION, current_document=order)
    case.refresh_from_db()
    # What allows a deferral at all (社会保险法 第六十三条): the balance was found short.
    CaseEvent.objects.create(case=case, kind="inquiry_short", text="账户查询结果：余额 3,000 元")
    return case


def _agree(county, case, terms=TERMS) -> Deferral:
    approval = case_move(
        actor=county.caseworker,
        case=case,
        to_stage=Stage.DEFERRAL,
        reason="账户余额不足，申请分期",
        payload=terms,
    )
    assert isinstance(approval, Approval)
    approval_decide(actor=county.group_leader, approval=approval, approve=True, comment="同意")
    return Deferral.objects.get(case=case)


def _pay(county, amount, day, ref):
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D(amount),
        paid_on=day,
        method="self",
        external_ref=ref,
    )


def _sweep(as_of: str) -> str:
    out = StringIO()
    call_command("sweep_cases", "--as-of", as_of, stdout=out)
    return out.getvalue().strip()


def test_an_approved_agreement_issues_the_plan_and_suspends_the_fee(county, rectification_case):
    principal, _ = amounts_owed(county.enterprise)
    deferral = _agree(county, rectification_case)
    rectification_case.refresh_from_db()
    assert rectification_case.stage == Stage.DEFERRAL
    assert rectification_case.current_document.doc_type == "deferral_agreement"
    instalments = list(deferral.instalments.all())
    assert [i.due_on for i in instalments] == [
        date(2026, 12, 25),
        date(2027, 1, 25),
        date(2027, 2, 25),
    ]
    assert sum(i.amount for i in instalments) == principal == deferral.total
    schedule = rectification_case.current_document.content["extra"]["schedule"]
    assert [row["due"] for row in schedule] == ["2026年12月25日", "2027年1月25日", "2027年2月25日"]
    suspension = deferral.suspension
    assert (suspension.kind, suspension.status) == ("deferral", "approved")
    assert (suspension.start, suspension.end) == (date(2026, 11, 22), date(2027, 2, 25))
    assert suspension.requested_by == county.caseworker
    assert suspension.decided_by == county.group_leader
    assert deferral.resume_stage == Stage.RECTIFICATION
    assert "暂停计收滞纳金" in rectification_case.events.last().text


def test_terms_are_checked_before_anyone_approves(county, rectification_case):
    with pytest.raises(ValidationError) as error:
        case_move(
            actor=county.caseworker,
            case=rectification_case,
            to_stage=Stage.DEFERRAL,
            reason="分期",
            payload={**TERMS, "months": "7", "guarantee_document": " "},
        )
    assert error.value.message_dict["months"] == ["分期月数须为 1 至 6 个月。"]
    assert "guarantee_document" in error.value.message_dict
    assert not Approval.objects.exists()
    # The maximum is the administrator's setting, not a constant.
    CaseworkSettings.objects.update_or_create(pk=1, defaults={"deferral_max_months": 12})
    deferral = _agree(county, rectification_case, {**TERMS, "months": "7"})
    assert deferral.instalments.count() == 7


def test_a_missed_instalment_ends_the_suspension_and_returns_the_case(
    client, county, rectification_case, frozen
):
    deferral = _agree(county, rectification_case)
    first, second, _ = deferral.instalments.all()
    frozen.move_to("2026-12-20T02:00:00Z")
    _pay(county, first.amount, date(2026, 12, 20), "INST-1")
    assert "0 deferrals broken" in _sweep("2026-12-26")  # the first was honoured
    frozen.move_to("2027-01-20T02:00:00Z")
    _pay(county, second.amount - D("0.01"), date(2027, 1, 20), "INST-2")  # a fen short
    frozen.move_to("2027-01-26T02:00:00Z")
    assert "1 deferrals broken" in _sweep("2027-01-26")
    deferral.refresh_from_db()
    assert (deferral.status, deferral.ended_on) == ("broken", date(2027, 1, 26))
    assert Suspension.objects.get(pk=deferral.suspension_id).end == date(2027, 1, 25)
    case = Case.objects.get(pk=rectification_case.pk)
    assert case.stage == Stage.RECTIFICATION
    assert case.current_document == deferral.resume_document  # enforcement resumes where it was
    assert case.events.filter(text__contains="第2期").exists()
    # Idempotent: a second run finds nothing more.
    assert "0 deferrals broken" in _sweep("2027-01-26")
    assert case.events.filter(text__contains="延期缴费协议未履行").count() == 1
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "未按期履行（已终止）" in page
    assert page.count('class="table-danger"') == 1  # the second instalment, a fen short


def test_every_instalment_paid_completes_the_agreement(county, rectification_case, frozen):
    deferral = _agree(county, rectification_case)
    for n, instalment in enumerate(deferral.instalments.all(), start=1):
        frozen.move_to(f"{instalment.due_on.isoformat()}T02:00:00Z")
        _pay(county, instalment.amount, instalment.due_on, f"INST-{n}")
        assert "0 deferrals broken" in _sweep(instalment.due_on.isoformat())
    frozen.move_to("2027-02-26T02:00:00Z")
    principal, fee = amounts_owed(county.enterprise)
    case = Case.objects.get(pk=rectification_case.pk)
    if principal + fee == 0:  # allocated to everything: the payment closed the case itself
        assert case.closing_reason == "paid"
    else:
        assert "1 deferrals completed" in _sweep("2027-02-26")
        case.refresh_from_db()
        assert case.stage == Stage.RECTIFICATION
        assert case.events.filter(text__startswith="延期缴费协议已履行完毕").exists()
    deferral.refresh_from_db()
    assert deferral.status == "completed"
    assert Suspension.objects.get(pk=deferral.suspension_id).end == date(2027, 2, 25)


def test_no_agreement_without_principal_owed(county, rectification_case):
    from arrears.models import LedgerItem
    from tests.factories import approved_adjustment

    for item in LedgerItem.objects.filter(enterprise=county.enterprise):
        approved_adjustment(
            requester=county.caseworker,
            approver=county.group_leader,
            item=item,
            unit_amount=D("0"),
            individual_amount=D("0"),
            reason="核减",
        )
    with pytest.raises(ValidationError, match="无需签订延期缴费协议"):
        case_move(
            actor=county.caseworker,
            case=rectification_case,
            to_stage=Stage.DEFERRAL,
            reason="分期",
            payload=TERMS,
        )


def test_no_deferral_before_an_inquiry_found_the_balance_short(county, rectification_case):
    from enforcement.services import IllegalMove

    rectification_case.events.filter(kind="inquiry_short").delete()
    with pytest.raises(IllegalMove, match="余额少于应缴数额之后"):
        case_move(
            actor=county.caseworker,
            case=rectification_case,
            to_stage=Stage.DEFERRAL,
            reason="申请分期",
            payload=TERMS,
        )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"guarantee_kind": "surety"}, "抵押或质押"),
        ({"guarantee_kind": "deposit"}, "抵押或质押"),
        ({"guarantee_value": "1699.99"}, "不低于缓缴数额 1,700.00 元"),
    ],
)
def test_the_guarantee_is_a_mortgage_or_pledge_worth_the_deferred_amount(
    county, rectification_case, change, message
):
    with pytest.raises(ValidationError, match=message):
        case_move(
            actor=county.caseworker,
            case=rectification_case,
            to_stage=Stage.DEFERRAL,
            reason="申请分期",
            payload={**TERMS, **change},
        )


def test_the_agreement_covers_pension_and_says_when_the_fee_is_due(county, rectification_case):
    deferral = _agree(county, rectification_case)
    extra = deferral.agreement.content["extra"]
    assert extra["insurance"] == "养老" and extra["deferred"] == "1,700.00"
    last = deferral.instalments.order_by("number").last()
    assert (last.number, extra["fee_due_on"]) == (3, "2027年2月25日")  # with the last instalment
    assert deferral.suspension.insurance_type == "pension"
    from notices.rendering import render_html

    html = render_html(doc_type="deferral_agreement", content=deferral.agreement.content)
    assert "医疗保险费不适用延期缴费" in html and "2027年2月25日前与最后一期一并缴纳" in html


def _worklist_lines(client, user, heading: str) -> str:
    """The lines under one heading of 今日待办, as text (logged in afresh: the clock moves by
    weeks between two looks, and a session idle for 30 minutes ends)."""
    client.force_login(user)
    response = client.get("/cases/today/")
    assert response.status_code == 200, response
    page = response.content.decode()
    section = page.split(heading, 1)[1].split("</ul>", 1)[0]
    return re.sub(r"<[^>]+>", "", section)


def test_the_worklist_lists_instalments_due_this_week_and_agreements_broken_this_month(
    client, county, rectification_case, frozen
):
    deferral = _agree(county, rectification_case)
    first, second, third = deferral.instalments.all()
    name = county.enterprise.name
    assert "没有" in _worklist_lines(
        client, county.caseworker, "7 日内到期的分期"
    )  # 25 December is weeks away
    frozen.move_to("2026-12-18T02:00:00Z")
    lines = _worklist_lines(client, county.caseworker, "7 日内到期的分期")
    assert f"{name} — 第 1 期 {first.amount:,.2f} 元，12月25日 到期" in lines
    _pay(county, first.amount, date(2026, 12, 18), "INST-1")
    frozen.move_to("2027-01-20T02:00:00Z")
    assert "第 2 期" in _worklist_lines(client, county.caseworker, "7 日内到期的分期")
    _pay(county, second.amount - D("0.01"), date(2027, 1, 20), "INST-2")  # a fen short
    frozen.move_to("2027-01-26T02:00:00Z")
    assert "1 deferrals broken" in _sweep("2027-01-26")
    # Broken: the agreement is listed for 30 days, its last instalment no more, though due soon.
    frozen.move_to("2027-02-20T02:00:00Z")
    assert f"{name} — 1月26日 终止，已退回催告" in _worklist_lines(
        client, county.caseworker, "延期缴费协议未履行（30 日内）"
    )
    assert third.due_on == date(2027, 2, 25)
    assert "没有" in _worklist_lines(client, county.caseworker, "7 日内到期的分期")
    frozen.move_to("2027-02-26T02:00:00Z")
    assert "没有" in _worklist_lines(client, county.caseworker, "延期缴费协议未履行（30 日内）")
