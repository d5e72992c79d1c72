"""The queries of the pages every user opens all day — the dashboard and 今日待办 — are pinned.

Under load (bench/load.py, docs/benchmarks.md) every query is CPU in Django and PostgreSQL that
twenty users wait for: a selector that starts reading case by case (今日待办 once made a query
per case for the court and penalty clocks), or a jurisdiction rebuilt as nested subqueries in
each query, fails here first. The worklist's count must also not grow with the cases listed.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from arrears.services import enterprise_rebuild
from enforcement.court import case_court_window, case_court_windows
from enforcement.due_process import challenge_conclude, challenge_record
from enforcement.models import Case, CaseEvent
from enforcement.penalty_procedure import penalty_clocks_of, penalty_state
from enforcement.stages import Stage
from enterprises.selectors import visible_region_ids
from notices.models import Document
from tests.cases import case_at
from tests.factories import EnterpriseFactory, LedgerItemFactory

# What the pages may cost, with the cases of _cases_on_every_list. The dashboard: session,
# user, the user's permissions and role names (their own and their roles', one query:
# core.backends), the groups it may pick, its townships (the county's: and its groups); its
# figures come from the cache. 今日待办: session, user, permissions and roles, the holiday
# calendar (2: read once for every deadline of the page), the township ids, the open cases (as
# rows, then the ones listed), deferrals, instalments, unserved documents, the user's requests
# waiting; the court clocks (served reminders, orders, challenges, the casework settings), the
# penalty clocks (filings, fines); for a leader the approvals and the ledger requests (3)
# waiting for him. Before core.calendar.one_reading the calendar was read afresh for each
# deadline, the permissions and the roles took three queries, and the approvals were read for
# caseworkers too: 33 and 35 queries with these cases, and more with each court window.
DASHBOARD_QUERIES = {"leader": 6, "group_leader": 5}
WORKLIST_QUERIES = {"caseworker": 17, "group_leader": 20}


def _owing_enterprise(county):
    enterprise = EnterpriseFactory(region=county.region_a)
    LedgerItemFactory(enterprise=enterprise, period=date(2025, 3, 1))
    return enterprise


def _cases_on_every_list(county):
    """One case on each list of 今日待办: deadline passed, deadline near, review due, the court's
    window ending within the month (at 查询划拨 and at 移送处罚), the fine's decision due."""
    cases = [
        case_at(county, stage, enterprise=_owing_enterprise(county))
        for stage in (Stage.RECTIFICATION, Stage.DEMAND, Stage.TRACKING, Stage.BANK, Stage.PENALTY)
    ]
    _overdue, near, tracking, court, penalty = cases  # the first is overdue as built
    Document.objects.filter(pk=near.current_document_id).update(deadline=date(2026, 11, 24))
    Case.objects.filter(pk=tracking.pk).update(review_due=date(2026, 11, 20))
    # The decision served 2026-03-01: the last day to apply is 2026-12-01, within the 30 days.
    Document.objects.filter(pk__in=[court.order_id, penalty.order_id]).update(
        served_on=date(2026, 3, 1)
    )
    CaseEvent.objects.create(
        case=penalty, kind=CaseEvent.Kind.PENALTY_FILED, text="处罚立案", on_date=date(2026, 11, 2)
    )
    return cases


def _page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["leader", "group_leader"])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, county, who, django_assert_max_num_queries
):
    client.force_login(getattr(county, who))
    cache.clear()
    _page(client, "/dashboard/")  # fills the figures' and the badges' cache
    with django_assert_max_num_queries(DASHBOARD_QUERIES[who]):
        _page(client, "/dashboard/")


@pytest.mark.parametrize("who", ["caseworker", "group_leader"])
def test_the_worklist_runs_a_fixed_number_of_queries_however_many_cases(
    client, county, who, django_assert_max_num_queries, django_assert_num_queries
):
    user = getattr(county, who)
    cases = _cases_on_every_list(county)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(assigned_to=user)
    client.force_login(user)
    cache.clear()
    page = _page(client, "/cases/today/")  # fills the badges' cache
    assert page.count("应于 2026年12月1日 前申请") == 2 and "前作出处罚决定" in page
    with django_assert_max_num_queries(WORKLIST_QUERIES[who]) as first:
        _page(client, "/cases/today/")
    # As many cases again on every list, court windows included: not one query more.
    more = _cases_on_every_list(county)
    Case.objects.filter(pk__in=[c.pk for c in more]).update(assigned_to=user)
    with django_assert_num_queries(len(first.captured_queries)):
        page = _page(client, "/cases/today/")
    assert page.count("应于 2026年12月1日 前申请") == 4 and page.count("前作出处罚决定") == 2
    assert all(case.enterprise.name in page for case in [*cases, *more])


def test_the_township_ids_are_read_once_a_request(county, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=county.caseworker.pk)
    assert visible_region_ids(user) == [county.region_a.pk]
    with django_assert_num_queries(0):
        assert visible_region_ids(user) == [county.region_a.pk]
    leader = get_user_model().objects.get(pk=county.leader.pk)
    assert visible_region_ids(leader) is None  # every township: no filter at all


def test_the_court_windows_of_many_cases_are_each_cases_window(county):
    cases = [
        case_at(county, stage, enterprise=_owing_enterprise(county))
        for stage in (Stage.BANK, Stage.BANK, Stage.PENALTY, Stage.DISCIPLINE, Stage.BANK)
    ]
    plain, no_order, challenged, pending, unserved = cases
    Case.objects.filter(pk=no_order.pk).update(order=None)  # the 催告书 is the decision then
    Document.objects.filter(pk=unserved.order_id).update(served_on=None)
    order = Document.objects.get(pk=challenged.order_id)
    challenge = challenge_record(
        actor=county.caseworker,
        case=challenged,
        decision=order,
        kind="review",
        filed_on=date(2026, 6, 1),
    )
    challenge_conclude(
        actor=county.caseworker,
        challenge=challenge,
        concluded_on=date(2026, 9, 30),
        outcome="维持",
    )
    challenge_record(
        actor=county.caseworker,
        case=pending,
        decision=Document.objects.get(pk=pending.order_id),
        kind="lawsuit",
        filed_on=date(2026, 6, 1),
    )
    # A case opened after its enterprise's 催告书 was issued: that one is not the case's.
    late = case_at(county, Stage.BANK, enterprise=_owing_enterprise(county))
    Case.objects.filter(pk=late.pk).update(opened_at=late.opened_at + timedelta(days=1))
    cases = list(Case.objects.filter(pk__in=[c.pk for c in [*cases, late]]))
    one_by_one = {}
    for case in cases:
        window, _ = case_court_window(case)
        if window is not None:
            one_by_one[case.pk] = window
    assert case_court_windows(cases) == one_by_one
    assert set(one_by_one) == {plain.pk, no_order.pk, challenged.pk}


def test_the_penalty_clocks_of_many_cases_are_each_cases_clocks(county):
    cases = [case_at(county, Stage.PENALTY, enterprise=_owing_enterprise(county)) for _ in range(3)]
    filed, refiled, not_filed = cases
    CaseEvent.objects.create(
        case=filed, kind=CaseEvent.Kind.PENALTY_FILED, text="处罚立案", on_date=date(2026, 11, 2)
    )
    for day in (date(2026, 10, 1), date(2026, 10, 9)):
        CaseEvent.objects.create(
            case=refiled, kind=CaseEvent.Kind.PENALTY_FILED, text="处罚立案", on_date=day
        )
    clocks = penalty_clocks_of(cases)
    for case in cases:
        state = penalty_state(case)
        assert clocks[case.pk] == {k: state[k] for k in ("decide_by", "fine", "serve_by")}
    assert clocks[refiled.pk]["decide_by"] == date(2026, 10, 9) + timedelta(days=90)
    assert clocks[not_filed.pk]["decide_by"] is None


@pytest.mark.parametrize("path", ["/arrears/", "/enterprises/", "/cases/"])
def test_the_lists_read_their_rows_in_a_fixed_number_of_queries(
    client, county, path, django_assert_num_queries
):
    # The lists read only the columns their rows show (arrears.selectors.OVERVIEW_FIELDS,
    # enterprises.selectors.REGISTER_FIELDS, enforcement.selectors.CASE_LIST_FIELDS): a column
    # a row shows that is not among them would be read row by row, a query each.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county.caseworker)
    case_at(county, Stage.DEMAND)
    _page(client, path)
    with CaptureQueriesContext(connection) as first:
        one = _page(client, path)
    more = [_owing_enterprise(county) for _ in range(3)]
    for enterprise in more:
        case_at(county, Stage.RECTIFICATION, enterprise=enterprise)
        enterprise_rebuild(enterprise_id=enterprise.pk)  # its account, which the overview reads
    with django_assert_num_queries(len(first.captured_queries)):
        page = _page(client, path)
    assert all(e.name in page for e in more) and county.enterprise.name in one
    if path == "/cases/":  # the current documents' numbers and deadlines are shown too
        assert page.count("2026-10-15") == 4
