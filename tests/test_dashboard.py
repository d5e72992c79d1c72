"""The leaders' dashboard: every figure checked against a small county worked out by hand.

On 2026-11-22 (the frozen clock):
- 一组 has 东镇 and 西镇, 二组 has 南镇.
- 甲厂 (东镇, 制造业): 2024-01 of 1,000.00 and 2026-10 of 1,000.00; it paid 200.00 on 2026-02-10,
  which went to the oldest month's principal first → owes 800.00 + 1,000.00 = 1,800.00.
- 乙厂 (西镇, 建筑业): 2026-01 and 2026-10 of 1,000.00 each; it paid 1,000.00 on 2026-11-03
  for 2026-10 (named) → owes 1,000.00 (2026-01).
- 丙厂 (南镇, 制造业): 2025-06 of 1,200,000.00 → owes 1,200,000.00.
Outstanding principal 1,202,800.00 by 3 enterprises. Ageing (limits 2026-08-01, 2025-11-01,
2023-11-01): ≤3 months 1,000.00 (甲 2026-10); 3–12 months 1,000.00 (乙 2026-01); 1–3 years
800.00 + 1,200,000.00 = 1,200,800.00; over 3 years 0. Recovered: November 1,000.00 (principal,
no fee: 2026-10 is not due before 2026-11-30); the year 1,200.00. 征缴率 2026: due 3,000.00
(甲 2026-10, 乙 2026-01, 乙 2026-10), paid 1,000.00 → 33.33 %, below the line. Targets 东镇
1,000.00 + 西镇 2,000.00 = 3,000.00 → 40.00 % done.
"""

import re
from datetime import date
from decimal import Decimal as D
from unittest.mock import patch

import pytest

from arrears.services import enterprise_rebuild, payment_post, payment_reverse
from core import roles
from enforcement.models import Case
from enforcement.services import case_open
from notices.models import Document
from notices.services import document_issue
from reports import dashboard, selectors
from reports.balances import region_balances_refresh
from reports.models import RegionBalance, Target
from tests.factories import (
    EnterpriseFactory,
    LedgerItemFactory,
    RegionFactory,
    TaskGroupFactory,
    UserFactory,
)

TODAY = date(2026, 11, 22)


def _item(enterprise, period, unit="700.00", individual="300.00"):
    LedgerItemFactory(
        enterprise=enterprise, period=period, unit_amount=D(unit), individual_amount=D(individual)
    )


@pytest.fixture
def town(db):
    one, two = TaskGroupFactory(name="一组"), TaskGroupFactory(name="二组")
    east = RegionFactory(name="东镇", task_group=one)
    west = RegionFactory(name="西镇", task_group=one)
    south = RegionFactory(name="南镇", task_group=two)
    jia = EnterpriseFactory(name="甲厂", region=east, industry="C")
    yi = EnterpriseFactory(name="乙厂", region=west, industry="E")
    bing = EnterpriseFactory(name="丙厂", region=south, industry="C")
    _item(jia, date(2024, 1, 1))
    _item(jia, date(2026, 10, 1))
    _item(yi, date(2026, 1, 1))
    _item(yi, date(2026, 10, 1))
    _item(bing, date(2025, 6, 1), unit="1000000.00", individual="200000.00")
    for enterprise in (jia, yi, bing):
        enterprise_rebuild(enterprise_id=enterprise.pk)
    payment_post(
        actor=None,
        enterprise=jia,
        amount=D("200.00"),
        paid_on=date(2026, 2, 10),
        method="self",
        external_ref="J-1",
    )
    payment_post(
        actor=None,
        enterprise=yi,
        amount=D("1000.00"),
        paid_on=date(2026, 11, 3),
        method="self",
        external_ref="Y-1",
        periods=[date(2026, 10, 1)],
    )
    leader = UserFactory(username="lingdao", role=roles.TASKFORCE_LEADER)
    Target.objects.create(year=2026, region=east, amount=D("1000.00"), updated_by=leader)
    Target.objects.create(year=2026, region=west, amount=D("2000.00"), updated_by=leader)
    group_leader = UserFactory(username="zuzhang", role=roles.GROUP_LEADER)
    one.leader = group_leader
    one.save()
    one.members.add(group_leader)
    return {
        "one": one,
        "two": two,
        "east": east,
        "south": south,
        "jia": jia,
        "bing": bing,
        "leader": leader,
        "group_leader": group_leader,
    }


def test_outstanding_and_ageing(town):
    county = selectors.county_scope()
    assert selectors.outstanding(county)["principal"] == D("1202800.00")
    assert selectors.outstanding(county)["enterprises"] == 3
    assert [a["principal"] for a in selectors.ageing(county)] == [
        D("1000.00"),
        D("1000.00"),
        D("1200800.00"),
        D("0.00"),
    ]
    fee = selectors.outstanding(county)["fee"]
    assert fee == sum(a.fee_outstanding for a in selectors.top_debtors(county))


def test_outstanding_by_township_group_and_industry(town):
    county = selectors.county_scope()
    assert [(r["name"], r["principal"]) for r in selectors.outstanding_by_region(county)] == [
        ("南镇", D("1200000.00")),
        ("东镇", D("1800.00")),
        ("西镇", D("1000.00")),
    ]
    assert [(r["name"], r["principal"]) for r in selectors.outstanding_by_group(county)] == [
        ("二组", D("1200000.00")),
        ("一组", D("2800.00")),
    ]
    assert [(r["name"], r["principal"]) for r in selectors.outstanding_by_industry(county)] == [
        ("制造业", D("1201800.00")),
        ("建筑业", D("1000.00")),
    ]
    assert [a.enterprise.name for a in selectors.top_debtors(county)] == ["丙厂", "甲厂", "乙厂"]
    assert [f["count"] for f in selectors.flagged_debtors(county)] == [1, 0]


def test_recoveries_trend_rate_and_target(town):
    county = selectors.county_scope()
    month = selectors.recovered(county, date(2026, 11, 1), TODAY)
    assert (month["principal"], month["fee"], month["total"]) == (
        D("1000.00"),
        D("0.00"),
        D("1000.00"),
    )
    assert selectors.recovered(county, date(2026, 1, 1), TODAY)["total"] == D("1200.00")
    trend = {
        f"{m['month']:%Y-%m}": m["principal"] + m["fee"]
        for m in selectors.recovery_trend(county, as_of=TODAY)
    }
    assert len(trend) == 12 and trend["2026-02"] == D("200.00") and trend["2026-11"] == D("1000.00")
    assert trend["2025-12"] == D("0.00")
    rate = selectors.collection_rate(county, year=2026, as_of=TODAY)
    assert (rate["due"], rate["paid"], rate["rate"]) == (D("3000.00"), D("1000.00"), D("0.3333"))
    assert rate["below_line"]
    target = selectors.target_progress(county, year=2026, as_of=TODAY)
    assert (target["target"], target["recovered"], target["share"]) == (
        D("3000.00"),
        D("1200.00"),
        D("0.4000"),
    )


def test_a_groups_scope_counts_only_its_townships(town):
    group = selectors.group_scope(town["one"])
    assert selectors.outstanding(group)["principal"] == D("2800.00")
    assert selectors.recovered(group, date(2026, 1, 1), TODAY)["total"] == D("1200.00")
    assert selectors.target_progress(group, year=2026, as_of=TODAY)["target"] == D("3000.00")
    assert selectors.group_scope(town["two"]) and selectors.outstanding(
        selectors.group_scope(town["two"])
    )["principal"] == D("1200000.00")


def test_cases_funnel_and_overdue(town):
    case_open(actor=town["group_leader"], enterprise=town["jia"])
    stages = {s["stage"]: s["count"] for s in selectors.cases_by_stage(selectors.county_scope())}
    assert stages["opened"] == 1 and stages["demand"] == 0


def test_growth_warning_compares_with_last_month(town):
    # Last month 东镇 owed 1,000.00, now 1,800.00: +80 %, above 5 %. 南镇 did not grow.
    RegionBalance.objects.create(
        month=date(2026, 10, 1), region=town["east"], principal=D("1000.00"), fee=D("0")
    )
    RegionBalance.objects.create(
        month=date(2026, 10, 1), region=town["south"], principal=D("1200000.00"), fee=D("0")
    )
    region_balances_refresh(as_of=TODAY)
    warnings = selectors.growth_warnings(selectors.county_scope(), as_of=TODAY)
    assert [(w["region"].name, w["growth"]) for w in warnings] == [("东镇", D("0.8000"))]


# -- the page -------------------------------------------------------------------------------


def test_the_task_force_sees_the_county_with_its_figures_and_links(client, town, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(town["leader"])
    page = client.get("/dashboard/").content.decode()
    assert "清欠工作驾驶舱 · 全县" in page
    assert "1,202,800.00" in page and "33.33%" in page and "40.00%" in page
    assert "/arrears/?band=gte1m" in page  # 100 万元以上：1 户, linked to its list
    assert 'id="dashboard-data"' in page and "echarts.min.js" in page
    assert "<script>" not in page.replace('<script id="dashboard-data"', "")


def test_a_group_leader_sees_his_group_and_his_members(client, town, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client.force_login(town["group_leader"])
    page = client.get("/dashboard/").content.decode()
    assert "清欠工作驾驶舱 · 一组" in page and "2,800.00" in page
    assert "丙厂" not in page and "组员情况" in page
    # Another group is not his to pick.
    assert client.get(f"/dashboard/?group={town['two'].pk}").status_code == 404


def test_the_figures_are_drawn_once_and_served_drawn_from_the_cache(client, town, settings):
    # Twenty leaders at nine o'clock: the first computes and draws the figures; the others get
    # them drawn, the same page, until the cache lets them go.
    settings.DASHBOARD_CACHE_SECONDS = 300
    client.force_login(town["leader"])
    first = client.get("/dashboard/")
    second = client.get("/dashboard/")
    drawn = "reports/_dashboard_figures.html"
    assert drawn in [t.name for t in first.templates]
    assert drawn not in [t.name for t in second.templates]
    page = second.content.decode()

    def figures(html):  # from the first card to the end of the page's content
        return html[html.index('<div class="row g-3 mb-3">') : html.index("</main>")]

    assert figures(first.content.decode()) == figures(page)
    assert "1,202,800.00" in page and 'id="dashboard-data"' in page
    assert "{#" not in page and "{%" not in page  # the template's own notes stay in it


def test_figures_cached_before_an_upgrade_are_not_served_after_it(client, town, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client.force_login(town["leader"])
    drawn = "reports/_dashboard_figures.html"
    assert drawn in [t.name for t in client.get("/dashboard/").templates]
    # The same code: served from the cache. Code that computes or draws them changed (a digest
    # of its files): computed and drawn again.
    assert drawn not in [t.name for t in client.get("/dashboard/").templates]
    assert len(dashboard.CODE_VERSION) == 12
    with patch.object(dashboard, "CODE_VERSION", "after-upgrade"):
        assert drawn in [t.name for t in client.get("/dashboard/").templates]


def test_the_code_digest_follows_the_template_that_draws_the_figures(settings, tmp_path):
    drawn = tmp_path / "templates" / dashboard.DRAWN
    drawn.parent.mkdir(parents=True)
    drawn.write_bytes((settings.BASE_DIR / "templates" / dashboard.DRAWN).read_bytes())
    settings.BASE_DIR = tmp_path
    assert dashboard._code_version() == dashboard.CODE_VERSION  # the same files
    drawn.write_bytes(drawn.read_bytes() + b"\n")
    assert dashboard._code_version() != dashboard.CODE_VERSION


def test_caseworkers_and_supervisors_have_no_dashboard(client, town):
    for role in (roles.CASEWORKER, roles.SUPERVISOR):
        client.force_login(UserFactory(role=role))
        assert client.get("/dashboard/").status_code == 403


# -- targets --------------------------------------------------------------------------------


def test_the_task_force_sets_targets_and_a_bad_amount_loses_nothing(client, town):
    client.force_login(town["leader"])
    east, south = town["east"], town["south"]
    response = client.post(
        "/dashboard/targets/?year=2027",
        {"year": "2027", f"region-{east.pk}": "5,000", f"region-{south.pk}": "一万"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "南镇" in page and 'value="5,000"' in page and 'value="一万"' in page
    assert not Target.objects.filter(year=2027).exists()
    client.post(
        "/dashboard/targets/?year=2027",
        {"year": "2027", f"region-{east.pk}": "5,000", f"group-{town['two'].pk}": "80000.5"},
    )
    assert sorted(Target.objects.filter(year=2027).values_list("amount", flat=True)) == [
        D("5000.00"),
        D("80000.50"),
    ]


def test_only_the_task_force_sets_targets(client, town):
    client.force_login(town["group_leader"])
    assert client.get("/dashboard/targets/").status_code == 403


def test_leaders_land_on_their_dashboard(client, town):
    for user in (town["leader"], town["group_leader"]):
        client.force_login(user)
        assert client.get("/").url == "/dashboard/"
    # A group leader who leads no group does his casework from 今日待办.
    client.force_login(UserFactory(role=roles.GROUP_LEADER))
    assert client.get("/").url == "/cases/today/"


def test_a_caseworker_sees_his_own_figures_on_his_worklist(client, town):
    worker = UserFactory(username="jingban", role=roles.CASEWORKER)
    town["one"].members.add(worker)
    yi = EnterpriseFactory._meta.model.objects.get(name="乙厂")
    case_open(actor=worker, enterprise=yi)
    client.force_login(worker)
    assert 'hx-get="/dashboard/mine/"' in client.get("/cases/today/").content.decode()
    fragment = client.get("/dashboard/mine/").content.decode()
    # 乙厂 paid 1,000.00 on 2026-11-03: this month and this year; one open case, not overdue.
    assert "1 件" in fragment and fragment.count("1,000.00 元") == 2


def _figures(fragment: str) -> list[str]:
    """The four figures of the caseworker's row, in their order on the page."""
    return re.findall(r'<div class="fs-5 fw-bold[^"]*">([^<]+)</div>', fragment)


def test_a_caseworkers_figures_count_overdue_actions_and_this_years_payments(client, town):
    worker = UserFactory(username="jingban", role=roles.CASEWORKER)
    town["one"].members.add(worker)
    yi = EnterpriseFactory._meta.model.objects.get(name="乙厂")
    case_open(actor=worker, enterprise=yi)
    # 甲厂 paid 200.00 on 2026-02-10: this year, not this month. Its case waits on an order
    # whose deadline passed on 20 November: an overdue action.
    overdue = case_open(actor=worker, enterprise=town["jia"])
    order = document_issue(
        from_case=True, actor=worker, doc_type="reminder", enterprise=town["jia"], render=False
    )
    Document.objects.filter(pk=order.pk).update(
        served_on=date(2026, 11, 5), deadline=date(2026, 11, 20)
    )
    Case.objects.filter(pk=overdue.pk).update(current_document=order)
    # A payment reversed counts nowhere.
    reversed_payment, _ = payment_post(
        actor=None,
        enterprise=yi,
        amount=D("50.00"),
        paid_on=date(2026, 11, 10),
        method="self",
        external_ref="Y-2",
    )
    payment_reverse(actor=town["leader"], payment=reversed_payment, reason="银行退票")
    client.force_login(worker)
    fragment = client.get("/dashboard/mine/").content.decode()
    assert _figures(fragment) == ["2 件", "1 件", "1,000.00 元", "1,200.00 元"]
