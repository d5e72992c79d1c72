"""待我审批 in the menu with its badge, the requester's badge for rejected requests, the list with
the case and what is owed, the reason a reject needs, and the buttons on the case page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from arrears.models import LedgerAccount
from core import roles
from core.templatetags.qq import yuan
from enforcement.models import Approval, Case
from enforcement.selectors import approval_badges, approvals_decidable_by
from enforcement.services import approval_decide, case_move, case_open
from enforcement.stages import Stage
from enterprises.selectors import enterprises_visible_to
from tests.cases import case_at
from tests.factories import EnterpriseFactory, LedgerItemFactory, UserFactory

REASON = "催告期满仍未缴纳"


def _requested(county, *, by=None):
    """A case at 催告 whose move to 查询划拨 waits for a group leader."""
    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(
        actor=by or county.caseworker, case=case, to_stage=Stage.BANK, reason=REASON
    )
    assert isinstance(approval, Approval)
    return case, approval


def _badge(html: str, name: str):
    found = re.search(rf'id="badge-{name}">(.*?)</span>\s*</a>', html, re.S)
    if not found:
        return None
    return re.sub(r"<[^>]+>|待审批|件|\s", "", found.group(1))


def _menu(html: str) -> str:
    return html.split("</nav>")[0]


def _page(client, user, path="/cases/today/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


# ---- the menu -------------------------------------------------------------------------------


def test_leaders_badge_counts_what_they_may_decide(client, county):
    _requested(county)
    # group A's leader: the case step and group A's suspension request.
    assert approval_badges(county.group_leader)["waiting"] == 2
    html = _page(client, county.group_leader)
    assert "待我审批" in _menu(html) and _badge(html, "waiting") == "2"
    # the task-force leader sees every township: the step and both suspension requests.
    assert approval_badges(county.leader)["waiting"] == 3
    assert _badge(_page(client, county.leader), "waiting") == "3"
    # a caseworker decides nothing: no menu entry, no badge.
    html = _page(client, county.caseworker)
    assert "待我审批" not in _menu(html) and _badge(html, "waiting") is None


def test_high_risk_steps_count_only_for_those_who_may_decide_them(client, county):
    case = case_at(county, Stage.BANK)
    approval = case_move(
        actor=county.caseworker, case=case, to_stage=Stage.PENALTY, reason="拒不缴纳"
    )
    assert approval.capability == "approve_high_risk"
    assert approval_badges(county.group_leader)["waiting"] == 1  # its suspension request only
    assert approval_badges(county.leader)["waiting"] == 3
    assert list(approvals_decidable_by(county.group_leader)) == []
    assert f'href="/cases/{case.pk}/"' not in _page(
        client, county.group_leader, "/cases/approvals/"
    )


def test_the_requester_is_told_of_a_rejection_until_it_is_old_or_taken_up(client, county, frozen):
    case, approval = _requested(county)
    assert approval_badges(county.caseworker)["rejected_count"] == 0
    approval_decide(
        actor=county.group_leader, approval=approval, approve=False, comment="未附银行查询线索"
    )
    badges = approval_badges(county.caseworker)
    assert badges["rejected_count"] == 1
    row = badges["rejected"][0]
    assert row["case_id"] == case.pk and row["label"] == "申请查询划拨"
    assert row["comment"] == "未附银行查询线索" and row["decided_by"] == str(county.group_leader)
    html = _page(client, county.caseworker)
    assert _badge(html, "rejected") == "1"
    assert "未附银行查询线索" in html and f"/cases/{case.pk}/#approval-{approval.pk}" in html
    # Not the decider's business, nor anyone else's.
    assert approval_badges(county.group_leader)["rejected_count"] == 0
    assert _badge(_page(client, county.group_leader), "rejected") is None

    # 14 days on it is still there; on the 15th it is gone.
    frozen.move_to("2026-12-06T01:00:00Z")
    assert approval_badges(county.caseworker)["rejected_count"] == 1
    frozen.move_to("2026-12-07T03:00:00Z")
    assert approval_badges(county.caseworker)["rejected_count"] == 0


def test_a_new_request_on_the_case_clears_the_rejection(county, frozen):
    case, approval = _requested(county)
    approval_decide(actor=county.group_leader, approval=approval, approve=False, comment="补充材料")
    assert approval_badges(county.caseworker)["rejected_count"] == 1
    frozen.move_to("2026-11-22T03:00:00Z")
    case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="已补充材料")
    assert approval_badges(county.caseworker)["rejected_count"] == 0


def test_ledger_rejections_reach_the_requester_too(client, county):
    client.force_login(county.group_leader)
    client.post(
        f"/arrears/suspensions/{county.suspension.pk}/decide/",
        {"decision": "reject", "comment": "缺少批准文件原件"},
    )
    county.suspension.refresh_from_db()
    assert county.suspension.status == "rejected"
    badges = approval_badges(county.caseworker)
    assert badges["rejected_count"] == 1
    assert badges["rejected"][0]["label"].startswith("停止计收")
    assert badges["rejected"][0]["comment"] == "缺少批准文件原件"
    # The group leader's own badge lost the request it decided.
    assert approval_badges(county.group_leader)["waiting"] == 0


def test_the_dashboard_link_is_for_those_who_may_see_it(client, county):
    assert 'href="/dashboard/">工作驾驶舱' in _menu(_page(client, county.leader))
    assert "工作驾驶舱" in _menu(_page(client, county.group_leader))
    assert "工作驾驶舱" not in _menu(_page(client, county.caseworker))


# ---- cost -----------------------------------------------------------------------------------


def _warm(user):
    """The permission cache, which the context processor's `can` fills before the badges."""
    roles.has_capability(user, "view_enterprises")
    return user


def test_the_badges_cost_two_queries(county, django_assert_max_num_queries):
    _requested(county)
    for user in (county.group_leader, county.leader, county.caseworker):
        user = _warm(type(user).objects.get(pk=user.pk))
        with django_assert_max_num_queries(2):
            approval_badges(user)


def _more_requests(county, n):
    """n more enterprises of township A, each with a case waiting for approval, and a rejected
    request of the caseworker on each."""
    for _ in range(n):
        enterprise = EnterpriseFactory(region=county.region_a)
        LedgerItemFactory(enterprise=enterprise, period=date(2025, 3, 1))
        case = case_open(actor=county.caseworker, enterprise=enterprise)
        Case.objects.filter(pk=case.pk).update(stage=Stage.RECTIFICATION)
        Approval.objects.create(
            case=case,
            to_stage=Stage.BANK,
            capability="approve_actions",
            reason="拒不缴纳",
            requested_by=county.caseworker,
            status="rejected",
            decided_by=county.leader,
            decided_at="2026-11-21T02:00:00Z",
            comment="证据不足",
        )
        waiting = Approval.objects.create(
            case=case,
            to_stage=Stage.BANK,
            capability="approve_actions",
            reason="拒不缴纳，已补证据",
            requested_by=county.group_leader,
        )
        # Asked before the rejection above was decided: it does not clear it.
        Approval.objects.filter(pk=waiting.pk).update(requested_at="2026-11-20T02:00:00Z")


def test_pages_with_badges_do_not_grow_with_the_requests(
    client, county, django_assert_max_num_queries
):
    _requested(county)
    client.force_login(county.group_leader)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/cases/approvals/")
    _more_requests(county, 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/cases/approvals/").content.decode()
    assert _badge(html, "waiting") == "2"  # the others were asked by this leader: not his
    client.force_login(county.leader)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        html = client.get("/cases/approvals/").content.decode()
    assert _badge(html, "waiting") == "8"  # 6 steps and 2 suspension requests
    client.force_login(county.caseworker)
    with django_assert_max_num_queries(30):
        html = client.get("/cases/today/").content.decode()
    assert _badge(html, "rejected") == "5"


# ---- 待我审批 --------------------------------------------------------------------------------


def test_the_list_shows_case_step_amount_requester_and_reason(client, county):
    case, _approval = _requested(county)
    account = LedgerAccount.objects.get(enterprise=county.enterprise)
    assert account.principal_outstanding > 0
    html = _page(client, county.group_leader, "/cases/approvals/")
    assert county.enterprise.name in html and f"/cases/{case.pk}/" in html
    assert case.number_text and case.number_text in html
    assert "催告" in html and "查询划拨" in html
    assert yuan(account.principal_outstanding) in html and yuan(account.fee_outstanding) in html
    assert str(county.caseworker) in html and REASON in html
    assert "2026-11-22" in html
    assert "驳回理由（必填" in html and 'name="decision" value="reject"' in html


def test_a_reject_without_reason_is_refused_by_the_service(county):
    _, approval = _requested(county)
    for comment in ("", "   "):
        with pytest.raises(ValidationError, match="驳回须填写理由"):
            approval_decide(
                actor=county.group_leader, approval=approval, approve=False, comment=comment
            )
    approval.refresh_from_db()
    assert approval.status == "pending"
    approval_decide(actor=county.group_leader, approval=approval, approve=True)  # no comment
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.comment == ""


def test_a_reject_without_reason_is_refused_on_the_form(client, county):
    _, approval = _requested(county)
    client.force_login(county.group_leader)
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "  ", "next": "/cases/approvals/"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "驳回须填写理由" in html
    assert f'id="reject-{approval.pk}" class="collapse show"' in html  # the box stays open
    # Every form of the page comes back to the list, not to the address it was posted to.
    assert f'name="next" value="/cases/approvals/{approval.pk}/decide/"' not in html
    assert html.count('name="next" value="/cases/approvals/"') == 3  # approve, reject, ledger
    approval.refresh_from_db()
    assert approval.status == "pending"
    # A reason: rejected, back to the list, the requester will read it.
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "请先核实开户行", "next": "/cases/approvals/"},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/approvals/"
    approval.refresh_from_db()
    assert approval.status == "rejected" and approval.comment == "请先核实开户行"
    # A second click on the decided request is told, not shown a 404.
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "请先核实开户行"},
        follow=True,
    )
    assert "已经审批过" in response.content.decode()


def test_too_long_a_comment_is_refused_and_kept(client, county):
    _, approval = _requested(county)
    client.force_login(county.group_leader)
    text = "理" * 301
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": text}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "不能超过 300 字" in html and text in html
    approval.refresh_from_db()
    assert approval.status == "pending"


# ---- the case page --------------------------------------------------------------------------


def test_approve_from_the_case_page(client, county):
    case, approval = _requested(county)
    html = _page(client, county.group_leader, f"/cases/{case.pk}/")
    assert f'action="/cases/approvals/{approval.pk}/decide/"' in html
    assert 'value="approve"' in html and 'value="reject"' in html
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "approve", "comment": "同意", "next": f"/cases/{case.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.stage == Stage.BANK
    html = _page(client, county.group_leader, f"/cases/{case.pk}/")
    assert "已批准" in html and f'action="/cases/approvals/{approval.pk}/decide/"' not in html


def test_reject_from_the_case_page_needs_a_reason_and_comes_back(client, county):
    case, approval = _requested(county)
    client.force_login(county.group_leader)
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "", "next": f"/cases/{case.pk}/"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "驳回须填写理由" in html and case.number_text in html  # the case page, at the form
    assert f'id="reject-{approval.pk}" class="collapse show"' in html
    assert html.count(f'name="next" value="/cases/{case.pk}/"') == 2
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "先核实账户", "next": f"/cases/{case.pk}/"},
    )
    assert response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    approval.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION and approval.status == "rejected"
    html = _page(client, county.caseworker, f"/cases/{case.pk}/")
    assert "已驳回" in html and "先核实账户" in html


def test_next_goes_only_to_this_site(client, county):
    case, approval = _requested(county)
    client.force_login(county.group_leader)
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "先核实", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/cases/approvals/"
    _, other = _requested_again(county, case)
    response = client.post(
        f"/cases/approvals/{other.pk}/decide/",
        {"decision": "reject", "comment": "再核实", "next": "//evil.example/cases/"},
    )
    assert response["Location"] == "/cases/approvals/"


def _requested_again(county, case):
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason=REASON)
    return case, approval


def test_who_sees_the_buttons(client, county):
    # The group leader asked: he may not decide his own request, and is told who will.
    case, approval = _requested(county, by=county.group_leader)
    form = f'action="/cases/approvals/{approval.pk}/decide/"'
    html = _page(client, county.group_leader, f"/cases/{case.pk}/")
    assert form not in html and "申请人不能审批自己的申请" in html
    assert form not in _page(client, county.caseworker, f"/cases/{case.pk}/")
    assert form in _page(client, county.leader, f"/cases/{case.pk}/")
    # A high-risk step: not the group leader's to decide.
    approval_decide(actor=county.leader, approval=approval, approve=True, comment="同意")
    high = case_move(actor=county.caseworker, case=case, to_stage=Stage.PENALTY, reason="拒不缴纳")
    form = f'action="/cases/approvals/{high.pk}/decide/"'
    assert form not in _page(client, county.group_leader, f"/cases/{case.pk}/")
    assert form in _page(client, county.leader, f"/cases/{case.pk}/")


def test_an_outsider_sees_nothing_of_another_township(client, county):
    case, approval = _requested(county)
    client.force_login(county.outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(
        f"/cases/approvals/{approval.pk}/decide/", {"decision": "approve"}
    ).status_code in (403, 404)
    assert approval_badges(county.outsider)["waiting"] == 0
    # The leader of the other township's group: not found either, and not counted.
    other_leader = UserFactory(username="zuzhang2", role=roles.GROUP_LEADER)
    county.group_b.leader = other_leader
    county.group_b.save()
    assert county.enterprise not in enterprises_visible_to(other_leader)
    client.force_login(other_leader)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    assert response.status_code == 404
    assert approval_badges(other_leader)["waiting"] == 1  # group B's suspension request
    approval.refresh_from_db()
    assert approval.status == "pending"
    assert county.enterprise.name not in client.get("/cases/approvals/").content.decode()


def test_amounts_on_the_list_are_the_ledger_account(client, county):
    _requested(county)
    LedgerAccount.objects.filter(enterprise=county.enterprise).update(
        principal_outstanding=Decimal("1234567.80"),
        fee_outstanding=Decimal("9876.50"),
        aged_under_3m=Decimal("0"),
        aged_3_12m=Decimal("1234567.80"),
        aged_1_3y=Decimal("0"),
        aged_over_3y=Decimal("0"),
    )
    html = _page(client, county.group_leader, "/cases/approvals/")
    assert "1,234,567.80" in html and "9,876.50" in html


def test_who_decides_nothing_sees_his_own_requests_on_his_worklist(client, county):
    case, _ = _requested(county)
    html = _page(client, county.caseworker)
    card = html.split("我提交、待审批", 1)[1].split("</ul>", 1)[0]
    assert f'<a href="/cases/{case.pk}/">{case.enterprise.name}</a> — 查询划拨' in card
    assert re.search(r'text-bg-primary">1</span> 我提交、待审批', html)
    assert "待我审批" not in html.split("</nav>", 1)[1]  # no card of decisions he cannot make
    # The group leader who decides it sees it waiting for him.
    html = _page(client, county.group_leader)
    assert re.search(r'text-bg-primary">1</span> 待我审批', html)
