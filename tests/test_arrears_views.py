"""The ledger pages as the people using them see them."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from arrears.models import LateFeePolicy, LedgerItem, Payment, Suspension
from core.models import AuditEntry, Job
from tests.imports_web import confirm, page, upload
from tests.xlsx import make_xlsx


def test_overview_lists_own_townships_with_totals_and_exports_the_same(client, county):
    client.force_login(county.caseworker)
    page = client.get("/arrears/").content.decode()
    assert county.enterprise.name in page and county.other_enterprise.name not in page
    assert "欠费企业" in page and "1 家" in page
    sheet = load_workbook(BytesIO(client.get("/arrears/export/").content)).active
    *rows, totals = sheet.iter_rows(min_row=2, values_only=True)
    assert [row[1] for row in rows] == [county.enterprise.name]
    assert totals[0] == "合计"
    assert AuditEntry.objects.filter(action="export", detail__export="欠费台账").exists()


def test_overview_counts_and_sums_in_one_query(client, county):
    # The page did a COUNT for its paginator and another for its totals, then a SUM that joined
    # the accounts a second time; 20 caseworkers opening it at once paid for each.
    client.force_login(county.leader)
    client.get("/arrears/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/arrears/").content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    overview = [sql for sql in counts if "arrears_ledgeraccount" in sql]
    assert len(overview) == 1 and "SUM(" in overview[0].upper()
    assert "2 家" in page  # the county's enterprise and the other township's, both owing


def test_overview_amount_band_and_sort(client, county):
    client.force_login(county.leader)
    both = client.get("/arrears/", {"sort": "name"}).content.decode()
    assert county.enterprise.name in both and county.other_enterprise.name in both
    none = client.get("/arrears/", {"band": "gte10m"}).content.decode()
    assert "没有符合条件的欠费企业" in none


def test_ledger_tab_shows_items_payments_allocations_and_credit(client, county):
    client.force_login(county.caseworker)
    page = client.get(f"/arrears/enterprise/{county.enterprise.pk}/").content.decode()
    assert "2025年01月" in page and "BANK-001" in page
    assert "本金 300.00" in page  # the payment's allocation to January
    assert "预缴余额" in page


def test_fee_segments_on_click(client, county):
    client.force_login(county.caseworker)
    page = client.get(
        f"/arrears/items/{county.item.pk}/segments/", headers={"HX-Request": "true"}
    ).content.decode()
    # January 2025 (1000.00 due 2025-02-28): 300 paid on 2025-06-01, so two segments.
    assert "1,000.00" in page and "700.00" in page and "0.05%" in page


def test_calculator_answers_the_phone_call(client, county):
    client.force_login(county.caseworker)
    page = client.get(
        "/arrears/calculator/",
        {
            "principal": "1141.87",
            "due_date": "2016-05-31",
            "as_of": "2016-07-10",
            "payments": "",
            "suspensions": "",
        },
    ).content.decode()
    assert 'id="fee-total">22.84<' in page  # payment day counted (the default): 40 days
    assert "人民币贰拾贰元捌角肆分" in page
    assert "共计 40 天" in page


def test_calculator_explains_bad_lines(client, county):
    client.force_login(county.caseworker)
    page = client.get(
        "/arrears/calculator/",
        {
            "principal": "1000",
            "due_date": "2025-02-28",
            "as_of": "2025-03-21",
            "payments": "3月11日 400",
        },
    ).content.decode()
    assert "已缴本金第 1 行「3月11日 400」格式不对" in page


def _payment_form(**changes):
    data = {
        "amount": "1100.00",
        "paid_on": "2026-11-20",
        "method": "self",
        "external_ref": "POS-77",
        "note": "",
    }
    data.update(changes)
    return data


def test_payment_preview_writes_nothing_and_confirm_posts(client, county):
    client.force_login(county.caseworker)
    url = f"/arrears/enterprise/{county.enterprise.pk}/payments/new/"
    preview = client.post(url, _payment_form()).content.decode()
    assert "冲抵预览（尚未记账）" in preview and "人民币壹仟壹佰元整" in preview
    assert not Payment.objects.filter(external_ref="POS-77").exists()
    response = client.post(url, {**_payment_form(), "confirm": "1"})
    assert response.status_code == 302
    payment = Payment.objects.get(external_ref="POS-77")
    assert payment.created_by == county.caseworker
    assert AuditEntry.objects.filter(action="post_money", object_id=str(payment.pk)).exists()


def test_posting_the_same_reference_again_says_so(client, county):
    client.force_login(county.caseworker)
    url = f"/arrears/enterprise/{county.enterprise.pk}/payments/new/"
    # The fixture posted BANK-001: 300.00 paid on 2025-06-01. The same again is a double submit.
    same = _payment_form(external_ref="BANK-001", amount="300.00", paid_on="2025-06-01")
    page = client.post(url, {**same, "confirm": "1"}, follow=True).content.decode()
    assert "凭证号 BANK-001 已于" in page and "本次未重复记账" in page
    # Another amount under the same reference is a mistake, refused on the form.
    other = {**same, "amount": "1100.00", "confirm": "1"}
    page = client.post(url, other).content.decode()
    assert "凭证号 BANK-001 已于 2025-06-01 登记 300.00 元，与本次填写的金额或日期不同" in page
    assert Payment.objects.filter(enterprise=county.enterprise).count() == 1


def test_payment_form_refuses_future_dates_in_chinese(client, county):
    client.force_login(county.caseworker)
    url = f"/arrears/enterprise/{county.enterprise.pk}/payments/new/"
    page = client.post(url, _payment_form(paid_on="2026-12-01")).content.decode()
    assert "缴款日期不能晚于今天" in page


def test_reversal_from_the_browser(client, county):
    client.force_login(county.caseworker)
    response = client.post(
        f"/arrears/payments/{county.payment.pk}/reverse/", {"reason": "银行退票"}
    )
    assert response.status_code == 302
    county.payment.refresh_from_db()
    assert county.payment.is_reversed
    county.item.refresh_from_db()
    assert county.item.principal_paid == 0


def test_adjustment_keeps_history_and_reallocates(client, county):
    client.force_login(county.caseworker)
    client.post(
        f"/arrears/items/{county.item.pk}/adjust/",
        {
            "unit_amount": "100.00",
            "individual_amount": "50.00",
            "reason": "稽核更正",
            "legal_basis": "社会保险稽核办法第十条",
            "document": "壶社保稽〔2026〕2号",
        },
    )
    adjustment = county.item.adjustments.get()
    assert adjustment.reason == "稽核更正" and adjustment.status == "pending"
    client.force_login(county.group_leader)
    client.post(
        f"/arrears/adjustments/{adjustment.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    county.item.refresh_from_db()
    # Lowered below what was paid: the replay moves the rest of the 300.00 to February.
    assert county.item.principal == D("150.00") and county.item.principal_paid == D("150.00")


def test_suspension_needs_a_leader_other_than_the_requester(client, county):
    suspension = county.suspension  # requested by the caseworker
    client.force_login(county.caseworker)
    assert (
        client.post(
            f"/arrears/suspensions/{suspension.pk}/decide/", {"decision": "approve"}
        ).status_code
        == 403
    )
    client.force_login(county.group_leader)
    client.post(
        f"/arrears/suspensions/{suspension.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    suspension.refresh_from_db()
    assert suspension.status == "approved" and suspension.decided_by == county.group_leader


def test_a_leader_cannot_approve_their_own_request(client, county):
    own = Suspension.objects.create(
        enterprise=county.enterprise,
        kind="deferral",
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        period_to=date(2025, 1, 1),
        reason="缓缴",
        document="批复",
        requested_by=county.group_leader,
    )
    client.force_login(county.group_leader)
    page = client.post(
        f"/arrears/suspensions/{own.pk}/decide/", {"decision": "approve"}, follow=True
    ).content.decode()
    assert "申请人不能审批自己的申请" in page
    own.refresh_from_db()
    assert own.status == "pending"


def test_policy_change_is_audited_and_applied(client, county):
    client.force_login(county.sysadmin)
    response = client.post(
        "/arrears/policy/",
        {
            "due_rule": "next_month_end",
            "due_moves_off_rest_day": "on",
            "pre2011": "split",
            "pre1999_daily_rate": "0.002",
            "allocation_order": "item_by_item",
            "rates": "2011-07-01:0.0005",
        },
    )
    assert response.status_code == 302
    policy = LateFeePolicy.objects.get(pk=1)
    assert policy.count_payment_day is False and policy.pre1999_daily_rate == D("0.002")
    changes = AuditEntry.objects.get(action="settings", object_type="arrears.latefeepolicy").detail[
        "changes"
    ]
    # The default counts the payment day (DESIGN §3.2); the other choice stays, audited.
    assert changes["count_payment_day"] == ["True", "False"]
    assert changes["pre1999_daily_rate"] == ["None", "0.002"]


def test_policy_rejects_a_rate_table_not_starting_in_2011(client, county):
    client.force_login(county.sysadmin)
    page = client.post(
        "/arrears/policy/",
        {
            "due_rule": "next_month_end",
            "pre2011": "split",
            "allocation_order": "item_by_item",
            "rates": "2012-01-01:0.0005",
        },
    )
    assert "第一条费率须从 2011-07-01 起" in page.content.decode()


def test_ledger_import_in_the_browser(client, county, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(county.caseworker)
    e = county.enterprise
    path = make_xlsx(
        tmp_path / "l.xlsx",
        [[e.credit_code, e.name, "养老", "2024-03", "1,000", "400"]],
        headers=["统一社会信用代码", "单位名称", "险种", "费款所属期", "单位部分", "个人部分"],
    )
    response, job = upload(
        client, django_capture_on_commit_callbacks, "ledger", path, name="台账.xlsx"
    )
    assert response["Location"] == f"/imports/job/{job.pk}/" and job.file_name == "台账.xlsx"
    shown = page(client, job)  # eager tasks: already checked
    assert "确认导入" in shown and "1,400.00 元" in shown
    assert not LedgerItem.objects.filter(period=date(2024, 3, 1)).exists()
    confirm(client, django_capture_on_commit_callbacks, job)
    assert "已导入 1 行：新增 1" in page(client, job)
    assert LedgerItem.objects.get(period=date(2024, 3, 1)).principal == D("1400.00")


def test_ledger_import_problems_are_shown(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(county.caseworker)
    path = make_xlsx(
        tmp_path / "bad.xlsx",
        [["91110000600037341L", "某", "养老", "2024-13", "x", "0"]],
        headers=["统一社会信用代码", "单位名称", "险种", "费款所属期", "单位部分", "个人部分"],
    )
    _, job = upload(client, django_capture_on_commit_callbacks, "ledger", path)
    shown = page(client, job)
    assert "没有写入任何数据" in shown
    assert "第 2 行「费款所属期」列：所属期 2024年13月 不存在或超出范围" in shown


def test_a_running_import_shows_a_progress_bar_that_polls(client, county):
    job = Job.objects.create(
        kind="import:ledger",
        task="core.tasks.apply_import",
        created_by=county.caseworker,
        status="running",
        file_name="大文件.xlsx",
        total=100000,
    )
    from core.jobs import report_progress

    report_progress(job.pk, 25000)
    client.force_login(county.caseworker)
    shown = page(client, job)
    assert 'role="progressbar"' in shown and "25%" in shown and "hx-trigger" in shown
    assert "正在写入" in shown


def test_amounts_outstanding_equals_the_ledger_totals(county):
    from arrears.selectors import amounts_outstanding, enterprise_ledger

    totals = enterprise_ledger(county.enterprise).totals
    assert amounts_outstanding(county.enterprise.pk) == (
        totals["principal_outstanding"],
        totals["fee_outstanding"],
    )
    assert amounts_outstanding(county.enterprise.pk)[0] == D("1700.00")  # 2 × 1000.00, 300.00 paid
