"""The enterprise is heard before the next step, and its review or lawsuit holds the court and
pauses a fine's surcharge (行政强制法 第三十六条、第五十三条, 行政处罚法 第七十三条)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from enforcement.due_process import (
    challenge_conclude,
    challenge_record,
    defence_record,
    defence_review,
)
from enforcement.fines import fine_decide, fine_status
from enforcement.models import Approval
from enforcement.services import IllegalMove, case_move
from enforcement.stages import Stage
from notices.models import Document
from tests.cases import case_at, case_ready_for_fine


def test_a_defence_on_the_reminder_holds_the_next_step_until_reviewed(county):
    case = case_at(county, Stage.RECTIFICATION)
    reminder = Document.objects.get(doc_type="reminder")
    defence_record(
        actor=county.caseworker,
        case=case,
        document=reminder,
        received_on=date(2026, 11, 22),
        text="已于十月补缴部分，请求核减",
    )
    with pytest.raises(IllegalMove, match=f"{reminder.number_text}的陈述申辩尚未复核"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="逾期未缴")
    defence_review(
        actor=county.group_leader,
        case=case,
        document=reminder,
        accepted=False,
        conclusion="经核对缴费记录，未见补缴。",
    )
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="逾期未缴")
    assert isinstance(approval, Approval)
    texts = list(case.events.values_list("text", flat=True))
    assert any("不成立，不予采纳" in text for text in texts)


def test_a_defence_needs_its_facts_and_a_document_that_hears_one(county):
    case = case_at(county, Stage.RECTIFICATION)
    notice = Document.objects.filter(doc_type="deadline_notice").first()
    with pytest.raises(ValidationError, match="只能对本案的催告书"):
        defence_record(
            actor=county.caseworker,
            case=case,
            document=notice,
            received_on=date(2026, 11, 22),
            text="x",
        )
    reminder = Document.objects.get(doc_type="reminder")
    with pytest.raises(ValidationError, match="请填写当事人陈述申辩"):
        defence_record(
            actor=county.caseworker,
            case=case,
            document=reminder,
            received_on=date(2026, 11, 22),
            text="  ",
        )
    with pytest.raises(ValidationError, match="没有待复核的陈述申辩"):
        defence_review(
            actor=county.group_leader, case=case, document=reminder, accepted=True, conclusion="x"
        )


def test_a_pending_review_holds_the_court_and_its_end_moves_the_window(county):
    case = case_at(county, Stage.BANK)
    order = case.order
    challenge = challenge_record(
        actor=county.caseworker,
        case=case,
        decision=order,
        kind="review",
        filed_on=date(2026, 6, 1),
    )
    with pytest.raises(IllegalMove, match="审理期间不能申请法院强制执行"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.COURT, reason="x")
    # The review upheld the decision on 2026-11-20: the party may still sue for 15 days, to
    # 2026-12-05, a Saturday, so 2026-12-07; the court may be asked from 2026-12-08.
    challenge_conclude(
        actor=county.caseworker,
        challenge=challenge,
        concluded_on=date(2026, 11, 20),
        outcome="维持原决定",
    )
    with pytest.raises(IllegalMove, match="2026年12月8日起方可申请"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.COURT, reason="x")


def test_without_a_challenge_the_court_may_be_asked(county):
    case = case_at(county, Stage.BANK)
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.COURT, reason="x")
    assert isinstance(approval, Approval)


def test_a_challenge_must_follow_service_and_be_concluded_once(county):
    case = case_at(county, Stage.BANK)
    with pytest.raises(ValidationError, match="决定送达之后"):
        challenge_record(
            actor=county.caseworker,
            case=case,
            decision=case.order,
            kind="lawsuit",
            filed_on=date(2026, 5, 1),
        )
    with pytest.raises(ValidationError, match="决定类文书"):
        challenge_record(
            actor=county.caseworker,
            case=case,
            decision=Document.objects.get(doc_type="reminder"),
            kind="lawsuit",
            filed_on=date(2026, 11, 1),
        )
    challenge = challenge_record(
        actor=county.caseworker,
        case=case,
        decision=case.order,
        kind="lawsuit",
        filed_on=date(2026, 6, 1),
    )
    with pytest.raises(ValidationError, match="尚未审结"):
        challenge_record(
            actor=county.caseworker,
            case=case,
            decision=case.order,
            kind="review",
            filed_on=date(2026, 6, 2),
        )
    challenge_conclude(
        actor=county.caseworker,
        challenge=challenge,
        concluded_on=date(2026, 11, 1),
        outcome="驳回诉讼请求",
    )
    with pytest.raises(ValidationError, match="已登记结果"):
        challenge_conclude(
            actor=county.caseworker,
            challenge=challenge,
            concluded_on=date(2026, 11, 2),
            outcome="x",
        )


def test_a_review_of_the_fine_pauses_its_surcharge(county):
    case = case_ready_for_fine(county, "1")
    fine = fine_decide(actor=county.leader, case=case, multiple=D("1"))  # 1,700.00
    Document.objects.filter(pk=fine.decision_id).update(
        served_on=date(2026, 11, 1), deadline=date(2026, 11, 16)
    )
    fine.refresh_from_db()
    # Due 2026-11-16; review filed 2026-11-18 and still running: 2 days late (11-17, and the
    # filing day is paused) → 6 % instead of 18 % on 2026-11-22.
    challenge_record(
        actor=county.caseworker,
        case=case,
        decision=fine.decision,
        kind="review",
        filed_on=date(2026, 11, 18),
    )
    status = fine_status(fine, as_of=date(2026, 11, 22))
    assert status.surcharge.amount < D("306.00")
    assert status.surcharge.amount == D("1700.00") * D("0.03") * status.surcharge.days


def test_the_case_page_records_a_defence_and_its_review(client, county):
    case = case_at(county, Stage.RECTIFICATION)
    reminder = Document.objects.get(doc_type="reminder")
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "登记陈述申辩" in page and reminder.number_text in page
    client.post(
        f"/cases/{case.pk}/defence/",
        {"document": reminder.pk, "received_on": "2026-11-22", "text": "资金困难，请求分期"},
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"对 {reminder.number_text} 的陈述申辩尚未复核" in page
    client.post(
        f"/cases/{case.pk}/defence/",
        {"action": "review", "document": reminder.pk, "accepted": "0", "conclusion": "无证据"},
    )
    assert "尚未复核" not in client.get(f"/cases/{case.pk}/").content.decode()
    assert case.events.filter(kind="defence_review").count() == 1


def test_the_case_page_records_a_challenge_and_its_end(client, county):
    case = case_at(county, Stage.BANK)
    client.force_login(county.caseworker)
    client.post(
        f"/cases/{case.pk}/challenge/",
        {"decision": case.order.pk, "kind": "lawsuit", "filed_on": "2026-06-01"},
    )
    challenge = case.challenges.get()
    assert "审理中" in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.post(
        f"/cases/{case.pk}/challenge/",
        {"challenge": challenge.pk, "concluded_on": "2026-05-01", "outcome": "驳回"},
        follow=True,
    ).content.decode()
    assert "结果日期应在申请 / 起诉之后" in page
    client.post(
        f"/cases/{case.pk}/challenge/",
        {"challenge": challenge.pk, "concluded_on": "2026-10-01", "outcome": "驳回诉讼请求"},
    )
    challenge.refresh_from_db()
    assert challenge.concluded_on == date(2026, 10, 1)


def test_an_outsider_records_nothing_on_another_townships_case(client, county):
    case = case_at(county, Stage.RECTIFICATION)
    reminder = Document.objects.get(doc_type="reminder")
    client.force_login(county.outsider)
    response = client.post(
        f"/cases/{case.pk}/defence/",
        {"document": reminder.pk, "received_on": "2026-11-22", "text": "x"},
    )
    assert response.status_code == 404 and not case.events.filter(kind="defence").exists()


def test_exposure_only_after_the_decision_is_final(county):
    case = case_at(county, Stage.BANK)
    # The order was served 2026-05-11: final since 2026-11-12. Served later, it is not yet.
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 6, 1))
    case.refresh_from_db()
    with pytest.raises(IllegalMove, match="决定生效后仍不履行的方可社会公布"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.DISCIPLINE, reason="x")
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 5, 11))
    case.refresh_from_db()
    approval = case_move(
        actor=county.caseworker, case=case, to_stage=Stage.DISCIPLINE, reason="拒不履行"
    )
    from enforcement.services import approval_decide

    approval_decide(actor=county.leader, approval=approval, approve=True)
    case.refresh_from_db()
    notice = case.current_document
    assert (notice.doc_type, notice.issuing_body) == ("exposure_notice", "bureau")
    assert notice.content["extra"]["decision_number"] == case.order.number_text
    assert "逾期未申请行政复议" in notice.content["extra"]["handling"]
