"""After a bulk move, an approval or a ledger decision the user goes back where the form was —
only ever a page of this site (issue 13 §3: the Referer was followed wherever it pointed)."""

import pytest

from enforcement.models import Approval
from enforcement.services import case_move
from enforcement.stages import Stage
from tests.cases import case_at

ELSEWHERE = ["https://evil.example/cases/", "//evil.example/", "http://testserver.evil.example/"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_a_refused_bulk_move_never_follows_a_foreign_referer(client, county, target):
    client.force_login(county.caseworker)
    response = client.post("/cases/bulk/", {"to_stage": "court"}, HTTP_REFERER=target)
    assert response.status_code == 302 and response["Location"] == "/cases/"


def test_a_refused_bulk_move_goes_back_to_the_list_it_came_from(client, county):
    client.force_login(county.caseworker)
    response = client.post(
        "/cases/bulk/", {"to_stage": "court"}, HTTP_REFERER="http://testserver/cases/?stage=demand"
    )
    assert response["Location"] == "http://testserver/cases/?stage=demand"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_an_approval_never_sends_the_leader_elsewhere(client, county, target):
    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="逾期")
    client.force_login(county.group_leader)
    response = client.post(
        f"/cases/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "材料不全", "next": target},
    )
    assert response["Location"] == "/cases/approvals/"
    approval.refresh_from_db()
    assert approval.status == Approval.Status.REJECTED


@pytest.mark.parametrize("target", ELSEWHERE)
def test_a_ledger_decision_never_sends_the_leader_elsewhere(client, county, target):
    client.force_login(county.group_leader)
    response = client.post(
        f"/arrears/suspensions/{county.suspension.pk}/decide/",
        {"decision": "reject", "comment": "缺少批准文件", "next": target},
    )
    assert response["Location"] == f"/arrears/enterprise/{county.enterprise.pk}/"
