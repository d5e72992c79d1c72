"""Every export goes through one registry (core.exports). Each file is read back with openpyxl:
bold frozen header, column widths, number formats, local dates, the totals row, text that can
never become a formula, the Chinese file name; and what it holds: the list's rows in the
viewer's townships, audited, in the background when large, refused to a role without
export_data."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.utils.html import escape
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from arrears.balances import balances_refresh
from arrears.models import Payment
from arrears.services import payment_post, payment_reverse
from core import exports
from core.models import AuditEntry, Job
from enforcement.models import Case
from enforcement.services import case_open
from enterprises.models import Enterprise
from tests.factories import EnterpriseFactory, LedgerItemFactory

URLS = {
    "enterprises": "/enterprises/export/",
    "arrears": "/arrears/export/",
    "payments": "/arrears/payments/export/",
    "cases": "/cases/export/",
    "documents": "/notices/export/",
}
TITLES = {
    "enterprises": "企业名册",
    "arrears": "欠费台账",
    "payments": "缴款记录",
    "cases": "清欠案件",
    "documents": "文书清单",
}
HOSTILE = '=HYPERLINK("http://x","点我")'
TODAY = date(2026, 11, 22)  # the tests' frozen clock (tests/conftest.py)


@pytest.fixture
def town(county):
    """The county with something in every list: a case for each enterprise, the one of group A
    opened at 07:30 local time (23:30 UTC the day before); a second enterprise in A's township
    that owes and paid; the enterprise of A renamed to a formula."""
    Enterprise.objects.filter(pk=county.enterprise.pk).update(name=HOSTILE)
    county.enterprise.refresh_from_db()
    second = EnterpriseFactory(region=county.region_a, name="壶关县宏达商贸有限公司")
    LedgerItemFactory(enterprise=second, period=date(2025, 3, 1))
    payment_post(
        actor=None,
        enterprise=second,
        amount=Decimal("234.56"),
        paid_on=date(2025, 7, 1),
        method="bank_transfer",
        external_ref="HD-2025-07",
    )
    balances_refresh(as_of=TODAY, enterprise_ids=[second.pk])
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    Case.objects.filter(pk=case.pk).update(opened_at=datetime(2026, 11, 21, 23, 30, tzinfo=UTC))
    case_open(actor=county.outsider, enterprise=county.other_enterprise)
    county.second = second
    return county


def _get(client, name, params=None):
    response = client.get(URLS[name], params or {})
    assert response.status_code == 200, response
    return response


def _sheet(response):
    return load_workbook(BytesIO(response.content)).active


def _values(sheet):
    return list(sheet.iter_rows(values_only=True))


def _data_rows(sheet, exporter):
    """The rows between the header and the totals row."""
    rows = list(sheet.iter_rows())[1:]
    return rows[:-1] if exporter.totals else rows


def test_every_export_is_registered():
    # The audit log's export is the auditor's, not a business list's: tests/test_audit_page.py.
    assert set(exports.EXPORTERS) == set(URLS) | {"audit_log"}
    assert exports.get("arrears").title == "欠费台账"
    with pytest.raises(LookupError):
        exports.get("nothing")


@pytest.mark.parametrize("name", list(URLS))
def test_the_file_reads_back_with_its_layout(client, town, name):
    exporter = exports.get(name)
    client.force_login(town.caseworker)
    response = _get(client, name)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = _sheet(response)

    header = next(sheet.iter_rows(max_row=1))
    assert [c.value for c in header] == exporter.headers
    assert all(c.font.b for c in header)
    assert sheet.freeze_panes == "A2"
    for number, column in enumerate(exporter.columns, start=1):
        assert sheet.column_dimensions[get_column_letter(number)].width == column.width

    rows = _data_rows(sheet, exporter)
    assert rows, name
    for i, column in enumerate(exporter.columns):
        filled = [row[i] for row in rows if row[i].value is not None]
        if column.kind == exports.MONEY:
            assert filled and all(c.number_format == "#,##0.00" for c in filled), column.header
        if column.kind == exports.DATE:
            assert all(c.number_format == "yyyy-mm-dd" for c in filled), column.header
            assert all(isinstance(c.value, datetime) for c in filled), column.header

    # The enterprise named like a formula is text in every export, never a live formula.
    hostile = [c for row in rows for c in row if c.value == HOSTILE]
    assert hostile, name
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)


@pytest.mark.parametrize("name", ["arrears", "payments"])
def test_totals_row_is_the_sum_of_the_rows(client, town, name):
    exporter = exports.get(name)
    client.force_login(town.caseworker)
    sheet = _sheet(_get(client, name))
    *rows, totals = _values(sheet)[1:]
    assert totals[0] == exporter.total_label
    money = [i for i, c in enumerate(exporter.columns) if c.kind == exports.MONEY]
    assert money
    for i in money:
        assert totals[i] == pytest.approx(sum(r[i] for r in rows if r[i] is not None))
        assert sheet.cell(row=len(rows) + 2, column=i + 1).number_format == "#,##0.00"
    assert sheet.cell(row=len(rows) + 2, column=1).font.b


def test_arrears_ledger_holds_each_enterprise_account(client, town):
    client.force_login(town.caseworker)
    rows = _values(_sheet(_get(client, "arrears")))
    by_name = {r[1]: r for r in rows[1:-1]}
    assert set(by_name) == {HOSTILE, town.second.name}
    account = town.second.ledger_account
    row = by_name[town.second.name]
    assert row[5] == pytest.approx(float(account.principal_outstanding))
    assert row[6] == pytest.approx(float(account.fee_outstanding))
    assert row[7] == pytest.approx(float(account.principal_outstanding + account.fee_outstanding))
    assert rows[-1][5] == pytest.approx(
        float(sum(a.principal_outstanding for a in (account, town.enterprise.ledger_account)))
    )


def test_a_reversed_payment_is_listed_but_not_counted(client, town):
    reversed_payment = Payment.objects.get(enterprise=town.second)
    payment_reverse(actor=town.caseworker, payment=reversed_payment, reason="银行退票")
    Payment.objects.filter(pk=reversed_payment.pk).update(
        reversed_at=datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    )
    client.force_login(town.caseworker)
    rows = _values(_sheet(_get(client, "payments")))
    header, *data, totals = rows
    status, amount, undone = (
        header.index("状态"),
        header.index("金额（元）"),
        header.index("冲正日期"),
    )
    reversed_row = next(r for r in data if r[7] == "HD-2025-07")
    assert reversed_row[status] == "已冲正" and reversed_row[undone] == datetime(2026, 11, 22)
    assert reversed_row[header.index("缴款日期")] == datetime(2025, 7, 1)
    assert totals[0] == "合计（不含已冲正）"
    assert totals[amount] == pytest.approx(sum(r[amount] for r in data if r[status] != "已冲正"))
    assert totals[amount] == 300.00  # the fixture's payment of A's first enterprise


def test_a_case_opened_at_0730_shows_that_local_day(client, town):
    client.force_login(town.caseworker)
    rows = _values(_sheet(_get(client, "cases")))
    opened = rows[0].index("立案日期")
    assert [r[opened] for r in rows[1:]] == [datetime(2026, 11, 22)]


def test_a_moment_late_on_30_november_utc_is_1_december(client, town, frozen):
    frozen.move_to("2026-12-01T02:00:00Z")  # 10:00 in Asia/Shanghai
    Case.objects.filter(enterprise=town.enterprise).update(
        opened_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    )
    client.force_login(town.caseworker)
    response = _get(client, "cases")
    rows = _values(_sheet(response))
    assert rows[1][rows[0].index("立案日期")] == datetime(2026, 12, 1)
    assert quote("清欠案件_2026-12-01.xlsx") in response["Content-Disposition"]


@pytest.mark.parametrize("name", list(URLS))
def test_chinese_file_name_in_content_disposition(client, town, name):
    client.force_login(town.supervisor)
    disposition = _get(client, name)["Content-Disposition"]
    file_name = f"{TITLES[name]}_2026-11-22.xlsx"
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(file_name)}" in disposition
    assert f'filename="{name}_2026-11-22.xlsx"' in disposition  # for clients without filename*


@pytest.mark.parametrize("name", list(URLS))
def test_a_caseworker_exports_only_their_townships(client, town, name):
    client.force_login(town.caseworker)
    cells = {v for row in _values(_sheet(_get(client, name))) for v in row}
    assert town.other_enterprise.name not in cells
    assert town.other_enterprise.credit_code not in cells
    assert HOSTILE in cells
    assert town.region_b.name not in cells
    client.force_login(town.outsider)
    cells = {v for row in _values(_sheet(_get(client, name))) for v in row}
    assert HOSTILE not in cells and town.second.name not in cells


def test_a_leader_exports_every_township(client, town):
    client.force_login(town.leader)
    names = [r[0] for r in _values(_sheet(_get(client, "cases")))[1:]]
    assert sorted(names) == sorted([HOSTILE, town.other_enterprise.name])


def test_payments_of_another_townships_enterprise_are_not_there(client, town):
    client.force_login(town.caseworker)
    rows = _values(_sheet(_get(client, "payments", {"enterprise": town.other_enterprise.pk})))
    assert rows[1:] == [("合计（不含已冲正）", *[None] * 4, 0, *[None] * 6)]
    rows = _values(_sheet(_get(client, "payments", {"enterprise": town.second.pk})))
    assert [r[0] for r in rows[1:-1]] == [town.second.name]


@pytest.mark.parametrize(
    ("name", "list_url", "params"),
    [
        ("enterprises", "/enterprises/", {"q": "宏达"}),
        ("arrears", "/arrears/", {"q": "宏达"}),
        ("documents", "/notices/", {"served": "no"}),
        ("cases", "/cases/", {"stage": "opened"}),
    ],
)
def test_the_export_holds_what_the_filtered_list_shows(client, town, name, list_url, params):
    client.force_login(town.caseworker)
    page = client.get(list_url, params).content.decode()
    exporter = exports.get(name)
    rows = [[c.value for c in r] for r in _data_rows(_sheet(_get(client, name, params)), exporter)]
    assert rows
    column = 1 if name in ("enterprises", "arrears") else 0  # the name, or the number
    for row in rows:
        assert escape(row[column]) in page
    unfiltered = _data_rows(_sheet(_get(client, name)), exporter)
    assert len(unfiltered) >= len(rows)


def test_documents_export_lists_number_type_body_and_dates(client, town):
    from notices.models import Document

    Document.objects.filter(pk=town.document.pk).update(
        served_on=date(2026, 11, 3), deadline=date(2026, 11, 18)
    )
    client.force_login(town.caseworker)
    rows = _values(_sheet(_get(client, "documents")))
    row = next(r for r in rows if r[0] == town.document.number_text)
    assert row[1:4] == (
        town.document.get_doc_type_display(),
        town.document.get_issuing_body_display(),
        HOSTILE,
    )
    assert row[4] == datetime.combine(town.document.issued_on, datetime.min.time())
    assert row[5:] == (datetime(2026, 11, 3), datetime(2026, 11, 18), "有效")


@pytest.mark.parametrize("name", list(URLS))
def test_every_export_is_audited_with_exporter_and_rows(client, town, name):
    client.force_login(town.caseworker)
    exporter = exports.get(name)
    rows = _data_rows(_sheet(_get(client, name, {"q": "宏达"})), exporter)
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == town.caseworker and entry.ip == "127.0.0.1"
    assert entry.detail["exporter"] == name and entry.detail["export"] == exporter.title
    assert entry.detail["rows"] == len(rows)


@pytest.mark.parametrize("name", list(URLS))
def test_a_role_without_export_data_is_refused(client, town, name):
    for user in (town.sysadmin, town.auditor):
        client.force_login(user)
        assert client.get(URLS[name]).status_code == 403
        assert client.get(URLS[name], {"job": "1"}).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_large_export_runs_in_the_background(
    client, town, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(town.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URLS["arrears"], {"sort": "name", "page": "2"})
    job = Job.objects.get(kind="export:arrears")
    assert response.status_code == 302
    assert response["Location"] == f"/arrears/export/?job={job.pk}"
    assert job.status == "done" and job.total == 2 and job.result["rows"] == 2
    assert job.result["query"] == "sort=name"  # the list's filters, not its page
    # Nothing left the system yet: the audit entry is written when the file is downloaded.
    assert not AuditEntry.objects.filter(action="export").exists()

    page = client.get(response["Location"]).content.decode()
    assert "已生成 欠费台账_2026-11-22.xlsx，共 2 行" in page
    download = client.get(response["Location"] + "&download=1")
    assert quote("欠费台账_2026-11-22.xlsx") in download["Content-Disposition"]
    rows = _values(load_workbook(BytesIO(b"".join(download.streaming_content))).active)
    assert [r[1] for r in rows[1:-1]] == sorted([HOSTILE, town.second.name])
    entry = AuditEntry.objects.get(action="export")
    assert entry.detail["job"] == job.pk and entry.detail["rows"] == 2
    assert entry.detail["filters"] == {"sort": "name"}

    # Only the one who asked sees the job; another export's URL does not serve it.
    client.force_login(town.group_leader)
    assert client.get(response["Location"]).status_code == 404
    client.force_login(town.caseworker)
    assert client.get(URLS["cases"], {"job": job.pk}).status_code == 404
    assert client.get(URLS["arrears"], {"job": "x"}).status_code == 404


def test_the_background_file_is_scoped_like_the_list(
    client, town, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    client.force_login(town.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.get(URLS["enterprises"])["Location"]
    download = client.get(location + "&download=1")
    rows = _values(load_workbook(BytesIO(b"".join(download.streaming_content))).active)
    assert [r[1] for r in rows[1:]] == [town.other_enterprise.name]


def test_the_job_page_shows_progress_while_it_waits(client, town, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client.force_login(town.caseworker)
    # Without the commit the job stays queued: the page polls and offers no download yet.
    location = client.get(URLS["payments"])["Location"]
    page = client.get(location).content.decode()
    assert "排队等待后台处理" in page and "hx-get" in page
    assert client.get(location + "&download=1")["Location"] == location


def test_list_pages_carry_the_export_buttons(client, town):
    client.force_login(town.caseworker)
    page = client.get("/notices/", {"served": "no"}).content.decode()
    assert 'href="/notices/export/?served=no"' in page
    page = client.get("/arrears/", {"q": "宏达", "band": "lt10k"}).content.decode()
    assert 'href="/arrears/payments/export/?q=%E5%AE%8F%E8%BE%BE"' in page
    page = client.get(f"/arrears/enterprise/{town.second.pk}/").content.decode()
    assert f'href="/arrears/payments/export/?enterprise={town.second.pk}"' in page


def test_a_formula_in_a_money_or_date_column_never_reaches_the_file():
    """export_xlsx on its own: None stays empty, text stays text whatever the column."""
    exporter = exports.Exporter(
        name="t",
        title="测试",
        columns=(
            exports.Column("名称", 10),
            exports.Column("金额", 10, exports.MONEY),
            exports.Column("日期", 10, exports.DATE),
            exports.Column("人数", 10, exports.COUNT),
        ),
        select=None,
        rows=None,
        totals=True,
    )
    content = exports.export_xlsx(
        exporter,
        [
            ("-1+1", Decimal("1.10"), datetime(2026, 11, 30, 23, 30, tzinfo=UTC), 3),
            ("@A1", None, None, 4),
        ],
        as_of=TODAY,
    )
    sheet = load_workbook(BytesIO(content)).active
    assert _values(sheet)[1:] == [
        ("-1+1", 1.1, datetime(2026, 12, 1), 3),
        ("@A1", None, None, 4),
        ("合计", 1.1, None, 7),
    ]
    assert sheet["A2"].data_type == "s" and sheet["A3"].quotePrefix
    assert sheet["D4"].number_format == "#,##0"
    with pytest.raises(ValueError):
        exports.export_xlsx(exporter, [("短",)], as_of=TODAY)
