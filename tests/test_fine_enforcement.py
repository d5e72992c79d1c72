"""An unpaid fine goes to the court in the enforcement unit's name: its own 催告书 after the 15
days to pay, then the head's application once the time to challenge and the 催告书's ten working
days have run (行政处罚法 第六十七条、第七十二条, 行政强制法 第五十三条至第五十五条)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from enforcement.fine_enforcement import fine_court_apply, fine_reminder_issue
from enforcement.fines import fine_decide, fine_keeps_case_open
from notices.rendering import render_html
from notices.services import service_record
from tests.cases import case_ready_for_fine


def _serve(county, document, on):
    service_record(
        actor=county.caseworker,
        document=document,
        method="direct",
        served_on=on,
        recipient="张会计",
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def fined(county):
    """A fine of 3 × the 1,700.00 the order named and left unpaid = 5,100.00, decided today
    (2026-11-22) and served the same day: 15 days to pay, from 11-23 to 12-07 (a Monday)."""
    case = case_ready_for_fine(county, "3")
    fine = fine_decide(actor=county.leader, case=case, multiple=D("3"))
    _serve(county, fine.decision, date(2026, 11, 22))
    fine.refresh_from_db()
    return case, fine


def test_the_reminder_waits_for_the_fifteen_days_to_pay(county, fined, frozen):
    case, fine = fined
    assert fine.amount == D("5100.00")
    assert fine.decision.deadline == date(2026, 12, 7)
    frozen.move_to("2026-12-07T02:00:00Z")
    with pytest.raises(ValidationError, match="罚款缴纳期限至2026年12月7日届满"):
        fine_reminder_issue(actor=county.caseworker, case=case)


def test_the_unit_reminds_of_the_fine_and_its_surcharge(county, fined, frozen):
    case, fine = fined
    # 2026-12-09 is the second day past the deadline: 2 × 3 % × 5,100.00 = 306.00.
    frozen.move_to("2026-12-09T02:00:00Z")
    reminder = fine_reminder_issue(actor=county.caseworker, case=case)
    assert reminder.issuing_body == "enforcement"
    extra = reminder.content["extra"]
    assert (extra["fine_unpaid"], extra["surcharge"], extra["total"]) == (
        "5,100.00",
        "306.00",
        "5,406.00",
    )
    html = render_html(doc_type="reminder", content=reminder.content)
    assert fine.decision.number_text in html
    assert "应缴罚款 5,100.00 元" in html and "加处罚款 306.00 元" in html
    assert "伍仟肆佰零陆元整" in html
    assert "欠缴本金" not in html  # a fine's 催告书 claims no contributions
    with pytest.raises(ValidationError, match=f"已出具罚款催告书 {reminder.number_text}"):
        fine_reminder_issue(actor=county.caseworker, case=case)


def test_the_court_waits_for_the_time_to_challenge_and_the_head_signs(county, fined, frozen):
    case, fine = fined
    frozen.move_to("2026-12-08T02:00:00Z")
    with pytest.raises(ValidationError, match="罚款催告书尚未送达"):
        fine_court_apply(actor=county.leader, case=case)
    reminder = _serve(
        county, fine_reminder_issue(actor=county.caseworker, case=case), date(2026, 12, 8)
    )
    # The decision was served on 2026-11-22: six months to sue end on 2027-05-22, a Saturday,
    # so on Monday 2027-05-24; the court may be asked from 2027-05-25 (the 催告书's ten working
    # days ended on 2026-12-22 long before).
    frozen.move_to("2026-12-23T02:00:00Z")
    with pytest.raises(ValidationError, match="2027年5月25日起方可申请"):
        fine_court_apply(actor=county.leader, case=case)
    frozen.move_to("2027-05-25T02:00:00Z")
    with pytest.raises(ValidationError, match="须由行政机关负责人签名"):
        fine_court_apply(actor=county.caseworker, case=case)
    assert fine_keeps_case_open(case, as_of=date(2027, 5, 25))
    application = fine_court_apply(actor=county.leader, case=case)
    fine.refresh_from_db()
    assert fine.court_application == application
    assert application.issuing_body == "enforcement"
    extra = application.content["extra"]
    # The surcharge reached the fine itself long ago: 5,100.00 + 5,100.00.
    assert (extra["surcharge"], extra["total"]) == ("5,100.00", "10,200.00")
    html = render_html(doc_type="court_application", content=application.content)
    assert f"催告书（{reminder.number_text}）" in html
    assert "行政处罚法》第七十二条" in html
    assert "壹万零贰佰元整" in html
    assert "依据：" not in html  # the articles stand in the text, not between 此致 and signature
    assert fine_keeps_case_open(case, as_of=date(2027, 5, 25)) == ""
    with pytest.raises(ValidationError, match="已申请法院强制执行"):
        fine_court_apply(actor=county.leader, case=case)


def test_a_paid_fine_is_neither_reminded_nor_sent_to_court(county, fined, frozen):
    from enforcement.fines import fine_payment_record

    case, fine = fined
    frozen.move_to("2026-12-09T02:00:00Z")
    fine_payment_record(
        actor=county.caseworker,
        fine=fine,
        amount=D("5100.00"),
        paid_on=date(2026, 11, 30),
        external_ref="FS-1",
    )
    with pytest.raises(ValidationError, match="已缴清，无须催告"):
        fine_reminder_issue(actor=county.caseworker, case=case)


def test_from_the_case_page_the_caseworker_reminds_and_the_head_applies(
    county, fined, frozen, login
):
    case, fine = fined
    frozen.move_to("2026-12-09T02:00:00Z")
    page = login(county.caseworker).get(f"/cases/{case.pk}/").content.decode()
    assert "出具罚款催告书" in page and "申请法院强制执行罚款" not in page
    # Another group's caseworker cannot see the case, let alone remind.
    assert login(county.outsider).post(f"/cases/{case.pk}/fine/reminder/").status_code == 404
    page = (
        login(county.caseworker)
        .post(f"/cases/{case.pk}/fine/reminder/", follow=True)
        .content.decode()
    )
    reminder = fine.case.enterprise.documents.get(doc_type="reminder", issuing_body="enforcement")
    assert f"已出具罚款催告书 {reminder.number_text}" in page
    _serve(county, reminder, date(2026, 12, 9))
    # The caseworker may not sign the application; the head sees the button and the refusal.
    assert login(county.caseworker).post(f"/cases/{case.pk}/fine/court/").status_code == 403
    page = login(county.leader).post(f"/cases/{case.pk}/fine/court/", follow=True)
    assert "2027年5月25日起方可申请" in page.content.decode()
    frozen.move_to("2027-05-25T02:00:00Z")
    page = login(county.leader).post(f"/cases/{case.pk}/fine/court/", follow=True).content.decode()
    fine.refresh_from_db()
    assert "已申请法院强制执行：" in page and fine.court_application.number_text in page
