from io import BytesIO

from openpyxl import load_workbook

from core.models import AuditEntry
from tests.factories import EnterpriseFactory


def test_caseworker_lists_only_own_townships(client, county):
    client.force_login(county.caseworker)
    page = client.get("/enterprises/").content.decode()
    assert county.enterprise.name in page
    assert county.other_enterprise.name not in page


def test_teammate_sees_the_same_and_outsider_the_other(client, county):
    client.force_login(county.group_leader)
    assert county.enterprise.name in client.get("/enterprises/").content.decode()
    client.force_login(county.outsider)
    page = client.get("/enterprises/").content.decode()
    assert county.other_enterprise.name in page
    assert county.enterprise.name not in page


def test_leader_and_supervisor_see_every_township(client, county):
    for user in (county.leader, county.supervisor):
        client.force_login(user)
        page = client.get("/enterprises/").content.decode()
        assert county.enterprise.name in page and county.other_enterprise.name in page


def test_search_by_name_or_code_start(client, county):
    client.force_login(county.leader)
    page = client.get("/enterprises/", {"q": "恒达"}).content.decode()
    assert county.other_enterprise.name in page and county.enterprise.name not in page
    page = client.get("/enterprises/", {"q": county.enterprise.credit_code[:12]}).content.decode()
    assert county.enterprise.name in page


def test_search_cannot_reach_outside_the_jurisdiction(client, county):
    client.force_login(county.caseworker)
    page = client.get("/enterprises/", {"q": county.other_enterprise.credit_code}).content.decode()
    assert county.other_enterprise.name not in page
    assert "没有符合条件的企业" in page


def test_filters_by_status_industry_and_group(client, county):
    EnterpriseFactory(
        region=county.region_a,
        name="破产的厂",
        status="bankrupt",
        bankruptcy_accepted_on="2024-01-01",
        bankruptcy_declared_on="2024-06-01",
        industry="B",
    )
    client.force_login(county.leader)
    page = client.get("/enterprises/", {"status": "bankrupt"}).content.decode()
    assert "破产的厂" in page and county.enterprise.name not in page
    page = client.get("/enterprises/", {"industry": "B"}).content.decode()
    assert "破产的厂" in page
    page = client.get("/enterprises/", {"task_group": county.group_b.pk}).content.decode()
    assert county.other_enterprise.name in page and "破产的厂" not in page


def test_caseworker_cannot_filter_by_another_groups_township(client, county):
    client.force_login(county.caseworker)
    page = client.get("/enterprises/", {"region": county.region_b.pk}).content.decode()
    # An invalid choice is ignored as a filter, and the other township's data never appears.
    assert county.other_enterprise.name not in page


def test_pagination_shows_fifty_a_page(client, county):
    EnterpriseFactory.create_batch(60, region=county.region_a)
    client.force_login(county.caseworker)
    first = client.get("/enterprises/").content.decode()
    assert "共 61 条，第 1 / 2 页" in first
    assert "共 61 条，第 2 / 2 页" in client.get("/enterprises/", {"page": 2}).content.decode()
    # A page number out of range shows the last page instead of an error.
    assert client.get("/enterprises/", {"page": 99}).status_code == 200


def test_export_holds_the_filtered_scoped_list_and_is_audited(client, county):
    client.force_login(county.caseworker)
    response = client.get("/enterprises/export/", {"q": "壶关"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "单位名称")
    assert [r[1] for r in rows[1:]] == [county.enterprise.name]
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail["rows"] == 1 and entry.actor == county.caseworker


def test_export_never_carries_a_live_formula(client, county):
    EnterpriseFactory(
        region=county.region_a,
        name='=HYPERLINK("http://x","点我")',
        address="+86 打电话",
        legal_representative="@SUM(1)",
    )
    client.force_login(county.caseworker)
    content = client.get("/enterprises/export/").content
    sheet = load_workbook(BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert len(risky) == 3
    assert all(c.data_type == "s" for c in risky)
    assert all(c.quotePrefix for c in risky)


def test_empty_jurisdiction_says_so(client, county):
    county.group_a.regions.update(task_group=None)
    client.force_login(county.caseworker)
    assert "您的辖区还没有登记企业" in client.get("/enterprises/").content.decode()


def test_each_row_shows_the_operating_status_in_its_colour(client, county):
    EnterpriseFactory(
        region=county.region_a,
        name="甲破产企业",
        status="bankrupt",
        bankruptcy_declared_on="2026-01-05",
    )
    EnterpriseFactory(region=county.region_a, name="乙注销企业", status="deregistered")
    EnterpriseFactory(region=county.region_a, name="丙停产企业", status="suspended")
    client.force_login(county.caseworker)
    page = client.get("/enterprises/").content.decode()
    assert '<span class="badge text-bg-danger">破产宣告</span>' in page
    assert '<span class="badge text-bg-dark">注销</span>' in page
    assert '<span class="badge text-bg-warning">停产</span>' in page
    assert '<span class="badge text-bg-success">正常</span>' in page  # county.enterprise
