"""The escalation chain (DESIGN §3.9): every move of the table, illegal moves, guards and
maker-checker approvals."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.services import enterprise_rebuild, payment_post
from enforcement.models import Approval, Case, CaseEvent
from enforcement.services import IllegalMove, approval_decide, case_close, case_move, case_open
from enforcement.stages import MOVES, Stage
from notices.models import Document
from tests.cases import case_at, case_ready_for_fine
from tests.factories import EnterpriseFactory, LedgerItemFactory

DEFERRAL_TERMS = {
    "months": "3",
    "guarantee_kind": "mortgage",
    "guarantee_value": "5000",
    "guarantee_document": "抵押合同 2026-017",
}


def _audit_done(county, case):
    """What the audit stage leaves behind: a record by two auditors and its result document."""
    from enforcement.audits import audit_record

    Document.objects.filter(pk=case.current_document_id).update(doc_type="audit_notice")
    audit_record(
        actor=county.caseworker,
        case=case,
        audited_on=date(2026, 11, 20),
        auditor_1=county.caseworker,
        auditor_2=county.group_leader,
        credentials="稽核证 001、002",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 10, 1),
        headcount_found=12,
        headcount_declared=12,
        base_found=D("48000.00"),
        base_declared=D("48000.00"),
        shortfall=D("0"),
        findings="工资表与申报一致",
        violation=False,
        signature="signed",
    )
    case.refresh_from_db()


USER_MOVES = sorted(m for m, rule in MOVES.items() if not rule.automatic)


@pytest.mark.parametrize("move", USER_MOVES, ids=lambda m: f"{m[0]}->{m[1]}")
def test_every_move_of_the_table(county, move):
    from_stage, to_stage = move
    rule = MOVES[move]
    case = case_at(county, from_stage)
    if rule.needs_audit:
        _audit_done(county, case)
    if rule.needs_short_balance:
        CaseEvent.objects.create(case=case, kind="inquiry_short", text="账户查询结果：余额不足")
    result = case_move(
        actor=county.caseworker,
        case=case,
        to_stage=to_stage,
        reason="逾期未缴",
        payload=DEFERRAL_TERMS,
    )
    if rule.approval:
        assert isinstance(result, Approval) and result.status == "pending"
        case.refresh_from_db()
        assert case.stage == from_stage  # nothing happens before the approval
        approval_decide(actor=county.leader, approval=result, approve=True, comment="同意")
    case.refresh_from_db()
    assert case.stage == to_stage
    if rule.document:
        assert case.current_document.doc_type == rule.document
        assert case.events.filter(kind="document", document=case.current_document).exists()
    assert case.events.filter(kind="moved", from_stage=from_stage, to_stage=to_stage).exists()


@pytest.mark.parametrize(
    "from_stage, to_stage",
    [
        (Stage.OPENED, Stage.BANK),
        (Stage.DEMAND, Stage.COURT),
        (Stage.RECTIFICATION, Stage.DEMAND),
        (Stage.TRACKING, Stage.BANK),
        (Stage.COURT, Stage.OPENED),
        (Stage.DEFERRAL, Stage.OPENED),
        (Stage.TRACKING, Stage.DEFERRAL),
    ],
)
def test_moves_outside_the_table_are_refused(county, from_stage, to_stage):
    case = case_at(county, from_stage)
    with pytest.raises(IllegalMove, match="不能从"):
        case_move(actor=county.caseworker, case=case, to_stage=to_stage, reason="x")


@pytest.mark.parametrize(
    "move", sorted(m for m, rule in MOVES.items() if rule.automatic), ids=lambda m: m[1]
)
def test_leaving_a_deferral_is_the_sweeps_alone(county, move):
    case = case_at(county, move[0])
    with pytest.raises(IllegalMove, match="不能手动转出"):
        case_move(actor=county.caseworker, case=case, to_stage=move[1], reason="x")


def test_guard_document_not_served(county):
    case = case_at(county, Stage.DEMAND, served=None, deadline=None)
    with pytest.raises(IllegalMove, match="尚未送达"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION)


def test_guard_deadline_not_passed(county):
    case = case_at(county, Stage.DEMAND, served=date(2026, 11, 18), deadline=date(2026, 11, 25))
    with pytest.raises(IllegalMove, match="期限尚未届满"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION)


def test_guard_money_still_owed(county):
    from arrears.models import LedgerItem
    from tests.factories import approved_adjustment

    case = case_at(county, Stage.DEMAND)
    # Corrected to nothing by adjustments (a payment that clears everything closes the case instead).
    for item in LedgerItem.objects.filter(enterprise=county.enterprise):
        approved_adjustment(
            requester=county.caseworker,
            approver=county.group_leader,
            item=item,
            unit_amount=D("0"),
            individual_amount=D("0"),
            reason="稽核更正",
        )
    with pytest.raises(IllegalMove, match="已无欠费"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION)


def test_court_needs_the_reminder_served_ten_days_before(county):
    case = case_at(county, Stage.BANK, rectified=date(2026, 11, 15))
    with pytest.raises(IllegalMove, match="十个工作日"):
        case_move(actor=county.caseworker, case=case, to_stage=Stage.COURT, reason="x")


def test_the_requester_cannot_approve_and_the_role_must_fit(county):
    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(
        actor=county.group_leader, case=case, to_stage=Stage.BANK, reason="逾期未缴"
    )
    with pytest.raises(ValidationError, match="申请人不能审批"):
        approval_decide(actor=county.group_leader, approval=approval, approve=True)
    with pytest.raises(ValidationError, match="无权审批"):
        approval_decide(actor=county.caseworker, approval=approval, approve=True)
    approval_decide(actor=county.leader, approval=approval, approve=False, comment="先核实账户")
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    assert case.events.filter(kind="approval", text__contains="驳回").exists()


def test_high_risk_steps_need_a_taskforce_leader(county):
    case = case_at(county, Stage.BANK)
    approval = case_move(
        actor=county.caseworker, case=case, to_stage=Stage.PENALTY, reason="拒不缴纳"
    )
    with pytest.raises(ValidationError, match="无权审批"):
        approval_decide(actor=county.group_leader, approval=approval, approve=True)


def test_one_open_case_per_enterprise(county):
    case_open(actor=county.caseworker, enterprise=county.enterprise)
    with pytest.raises(ValidationError, match="已有未结案件"):
        case_open(actor=county.caseworker, enterprise=county.enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            year=2026,
            number=99,
            number_text="壶清欠〔2026〕99号",
            enterprise=county.enterprise,
            assigned_to=county.caseworker,
            principal_at_opening=1,
            fee_at_opening=0,
        )


def test_closing_as_paid_in_full_is_refused_while_money_is_owed(county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    with pytest.raises(ValidationError, match="不能以全额清缴结案"):
        case_close(actor=county.caseworker, case=case, reason="paid")
    case.refresh_from_db()
    assert case.closed_at is None
    case_open(actor=county.caseworker, enterprise=county.other_enterprise)  # others unaffected


def test_any_other_closing_needs_approval(county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    approval = case_close(
        actor=county.caseworker, case=case, reason="deregistered", note="已注销，无财产"
    )
    assert isinstance(approval, Approval) and approval.capability == "approve_high_risk"
    approval_decide(actor=county.leader, approval=approval, approve=True, comment="同意")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closing_reason == "deregistered"
    assert list(case.events.values_list("kind", flat=True)) == [
        "opened",
        "approval",
        "approval",
        "closed",
    ]
    assert CaseEvent.objects.filter(
        case=case, kind="closed", text="结案：注销且无财产可供执行"
    ).exists()


def test_a_payment_that_clears_everything_closes_the_case(county):
    case = case_at(county, Stage.RECTIFICATION)
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D("100.00"),
        paid_on=date(2026, 11, 22),
        method="self",
        external_ref="PART",
    )
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    assert case.events.filter(kind="payment", text__contains="尚欠本金").exists()
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D("100000.00"),
        paid_on=date(2026, 11, 22),
        method="bank_transfer",
        external_ref="REST",
    )
    case.refresh_from_db()
    assert (case.stage, case.closing_reason) == (Stage.CLOSED, "paid")
    assert case.events.filter(kind="payment", text__contains="已全额清缴").exists()
    assert case.events.filter(kind="closed", text="结案：全额清缴").exists()


def test_a_move_without_a_target_is_refused_in_chinese(county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    with pytest.raises(IllegalMove, match="请选择要转入的阶段"):
        case_move(actor=county.caseworker, case=case, to_stage="")


def test_worklist_shows_overdue_cases_and_approvals_waiting(client, county):
    overdue = case_at(county, Stage.DEMAND)  # deadline 2026-10-15, long passed
    client.force_login(county.caseworker)
    page = client.get("/cases/today/").content.decode()
    assert "期限已届满" in page and county.enterprise.name in page
    approval = case_move(
        actor=county.caseworker,
        case=_case_rectification(county, overdue),
        to_stage=Stage.BANK,
        reason="逾期",
    )
    client.force_login(county.group_leader)
    page = client.get("/cases/today/").content.decode()
    assert "申请查询划拨" in page
    assert approval.status == "pending"


def test_worklist_lists_deadlines_due_within_three_working_days_and_unserved_documents(county):
    from enforcement.selectors import worklist

    soon = case_at(county, Stage.DEMAND, served=date(2026, 11, 18), deadline=date(2026, 11, 25))
    lists = worklist(county.caseworker, day=date(2026, 11, 22))
    assert lists["due_soon"] == [soon] and lists["overdue"] == []
    Document.objects.filter(pk=soon.current_document_id).update(served_on=None, deadline=None)
    lists = worklist(county.caseworker, day=date(2026, 11, 22))
    assert lists["due_soon"] == []
    assert lists["unserved_count"] == len(lists["unserved"])
    # Every unserved document the caseworker can see, the fixture's notice too, not only the
    # case's current one; none of the other township's.
    unserved = set(lists["unserved"])
    assert {soon.current_document, county.document} <= unserved
    assert county.other_document not in unserved
    assert all(d.served_on is None and d.status == "issued" for d in unserved)


def test_the_worklist_page_costs_the_same_queries_for_one_case_or_many(
    client, county, django_assert_max_num_queries
):
    # The page every caseworker opens first: a line more must not be a query more (each list
    # was counted and then read; each line read its enterprise and document one by one).
    def owing_case(deadline):
        enterprise = EnterpriseFactory(region=county.region_a)
        LedgerItemFactory(enterprise=enterprise, period=date(2026, 5, 1))
        enterprise_rebuild(enterprise_id=enterprise.pk)
        case_at(county, Stage.DEMAND, enterprise=enterprise, deadline=deadline)

    owing_case(date(2026, 11, 25))
    owing_case(date(2026, 11, 2))
    client.force_login(county.caseworker)
    client.get("/cases/today/")  # the session's first request does more (its start, caches)
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/today/")
    for deadline in (date(2026, 11, 24), date(2026, 11, 3), date(2026, 11, 25), date(2026, 11, 4)):
        owing_case(deadline)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/cases/today/").content.decode()
    assert page.count("届满</li>") >= 5
    # 26 when each list was counted and then read; the menu and the figures take most of the 20.
    assert len(many) == len(few) <= 20, [q["sql"][:200] for q in many.captured_queries]


def _case_rectification(county, case):
    Case.objects.filter(pk=case.pk).update(stage=Stage.RECTIFICATION)
    case.refresh_from_db()
    return case


def test_nightly_sweep_notes_passed_deadlines_once_and_closes_paid_cases(county):
    from io import StringIO

    from django.core.management import call_command

    case = case_at(county, Stage.DEMAND)  # deadline 2026-10-15
    out = StringIO()
    call_command("sweep_cases", "--as-of", "2026-11-22", stdout=out)
    assert out.getvalue().strip().startswith("1 deadlines passed, 0 cases closed as paid,")
    call_command("sweep_cases", "--as-of", "2026-11-22", stdout=out)  # twice: nothing more
    assert case.events.filter(text__startswith="期限届满").count() == 1
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
    out = StringIO()
    call_command("sweep_cases", "--as-of", "2026-11-22", stdout=out)
    assert out.getvalue().strip().startswith("0 deadlines passed, 1 cases closed as paid,")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED


def test_case_list_filters_overdue_and_exports_the_same(client, county):
    from io import BytesIO

    from openpyxl import load_workbook

    overdue = case_at(county, Stage.DEMAND)
    client.force_login(county.caseworker)
    page = client.get("/cases/", {"overdue": "on"}).content.decode()
    assert county.enterprise.name in page
    rows = list(
        load_workbook(
            BytesIO(client.get("/cases/export/", {"overdue": "on"}).content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "单位名称" and [r[0] for r in rows[1:]] == [county.enterprise.name]
    assert rows[1][4] == "催缴" and rows[1][5] == overdue.current_document.number_text
    Document.objects.filter(pk=overdue.current_document_id).update(deadline=date(2026, 12, 1))
    assert county.enterprise.name not in client.get("/cases/", {"overdue": "on"}).content.decode()


def test_bank_results_only_at_the_bank_stage(client, county):
    case = case_at(county, Stage.DEMAND)
    client.force_login(county.caseworker)
    page = client.post(
        f"/cases/{case.pk}/bank/",
        {"action": "inquiry", "findings": "x", "sufficient": "1"},
        follow=True,
    ).content.decode()
    assert "只有在“查询划拨”阶段才能登记查询结果" in page


def test_fine_is_one_to_three_times_the_principal_and_paid_separately(county):
    from arrears.models import Payment
    from enforcement.fines import fine_decide, fine_payment_record

    case = case_ready_for_fine(county, "3")
    for wrong in ("0.5", "3.5"):
        with pytest.raises(ValidationError, match="一倍以上三倍以下"):
            fine_decide(actor=county.leader, case=case, multiple=D(wrong))
    principal = (
        case.enterprise.ledger_items.first().principal
    )  # fixture: 2 × 1000.00 owed, 300 paid
    fine = fine_decide(actor=county.leader, case=case, multiple=D("2"))
    assert fine.principal_base == D("1700.00") and fine.amount == D("3400.00")
    assert (
        fine.decision.doc_type == "penalty_decision"
        and fine.decision.content["extra"]["fine"] == "3,400.00"
    )
    payments_before = Payment.objects.count()
    fine_payment_record(
        actor=county.caseworker,
        fine=fine,
        amount=D("3000.00"),
        paid_on=date(2026, 11, 22),
        external_ref="FK-1",
    )
    with pytest.raises(ValidationError, match=r"罚款尚欠 400\.00 元"):
        fine_payment_record(
            actor=county.caseworker,
            fine=fine,
            amount=D("500.00"),
            paid_on=date(2026, 11, 22),
            external_ref="FK-2",
        )
    _, created = fine_payment_record(
        actor=county.caseworker,
        fine=fine,
        amount=D("3000.00"),
        paid_on=date(2026, 11, 22),
        external_ref="FK-1",
    )
    assert not created  # the same receipt twice records one payment
    assert Payment.objects.count() == payments_before  # a fine never pays contributions
    assert principal == D("1000.00")
    assert case.events.filter(text__contains="尚欠 400.00 元").exists()


def test_an_approved_step_is_executed_and_audited_in_the_approvers_name(county):
    from core.models import AuditEntry

    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="拒不缴纳")
    approval_decide(actor=county.group_leader, approval=approval, approve=True)
    entry = AuditEntry.objects.filter(action="transition", object_id=str(case.pk)).latest("id")
    assert entry.actor == county.group_leader
    assert entry.detail["requested_by"] == county.caseworker.username
    case.refresh_from_db()
    assert case.current_document.issued_by == county.group_leader
    moved = case.events.filter(kind=CaseEvent.Kind.MOVED).latest("id")
    assert moved.actor == county.group_leader


def test_cases_are_numbered_per_year_and_the_page_shows_the_chain(client, county, frozen):
    first = case_open(actor=county.caseworker, enterprise=county.enterprise)
    second = case_open(actor=county.outsider, enterprise=county.other_enterprise)
    assert (first.number_text, second.number_text) == ("壶清欠〔2026〕1号", "壶清欠〔2026〕2号")
    case_move(actor=county.caseworker, case=first, to_stage=Stage.DEMAND)
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{first.pk}/").content.decode()
    assert "案号 壶清欠〔2026〕1号" in page
    assert "chain-done" in page and 'aria-current="step">催缴' in page
    # A new year starts again at 1.
    frozen.move_to("2027-01-04T02:00:00Z")
    Case.objects.filter(pk=first.pk).update(
        stage=Stage.CLOSED, closed_at="2027-01-04T02:00:00Z", closing_reason="other"
    )
    third = case_open(actor=county.caseworker, enterprise=county.enterprise)
    assert third.number_text == "壶清欠〔2027〕1号"
