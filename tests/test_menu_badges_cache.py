"""The menu's badges come from the cache between changes, and every change made through the
application shows on the next page (core.menu)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.services import suspension_decide
from enforcement.services import approval_decide, case_move
from enforcement.stages import Stage
from tests.cases import case_at


def _badge_queries(client, path="/cases/approvals/"):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(path).content.decode()
    # The rejected requests are read as one UNION ALL of rows with a kind (row_kind).
    unions = [q for q in queries.captured_queries if "row_kind" in q["sql"]]
    return page, len(unions)


def test_the_badges_are_counted_once_then_served_from_the_cache(client, county):
    client.force_login(county.group_leader)
    _, first = _badge_queries(client, "/cases/today/")
    _, second = _badge_queries(client, "/cases/today/")
    assert first >= 1 and second == 0


def test_a_new_request_and_a_decision_show_at_once(
    client, county, django_capture_on_commit_callbacks
):
    client.force_login(county.group_leader)
    client.get("/cases/today/")  # cached: the fixture's suspension waits for him
    before = client.get("/cases/today/").content.decode()
    assert 'id="badge-waiting"' in before
    case = case_at(county, Stage.RECTIFICATION)
    with django_capture_on_commit_callbacks(execute=True):
        approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="逾期")
    waiting = client.get("/cases/approvals/").content.decode()
    assert waiting.count("待审批 </span>2") == 1  # the suspension and the new request
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(
            actor=county.group_leader, approval=approval, approve=False, comment="材料不全"
        )
        suspension_decide(
            actor=county.group_leader, suspension=county.suspension, approve=False, comment="缺件"
        )
    assert 'id="badge-waiting"' not in client.get("/cases/today/").content.decode()
    client.force_login(county.caseworker)
    assert "材料不全" in client.get("/cases/today/").content.decode()  # his rejected request
