"""A day in the browser: each role lives its working day through the real pages, in one
Chromium, on Monday 2026-11-23, and at the end of the day the audit administrator finds it all in
the audit log.

08:40 the caseworker imports the ledger from Excel, answers an enterprise's late-fee question,
      issues the township's 限期补缴通知书 in a batch, records the service of one with the scan
      of the signed receipt, and books the enterprise's payment;
10:30 the group leader approves the 查询划拨 waiting for him;
14:00 the task-force leader reads the dashboard and drills down from a figure to its list;
15:00 the supervisor makes the monthly report and opens it;
16:30 the audit administrator finds each of these in the audit log.

Every step leaves a screenshot in var/test-artifacts/browser-day/<role>/<NN>-<step>.png.

The data a day starts from is set up before the browser starts (ORM work while Playwright's
event loop runs would open a connection that outlives the test database); from then on
everything is done by clicking and typing, and checked by what the pages show.
"""

import os
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from openpyxl import load_workbook

from arrears.services import enterprise_rebuild
from enforcement.services import case_move
from enforcement.stages import Stage
from tests.browser_day import (
    ARTIFACTS,
    Camera,
    ledger_xlsx,
    receipt_png,
    squeeze,
    text_of,
    watch,
    yuan,
)
from tests.cases import case_at
from tests.factories import EnterpriseFactory, LedgerItemFactory
from tests.test_browser import ARGS, CHROMIUM, _log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server):
    """tests.test_browser's Chromium, with the language and time zone of the office's machines
    (zh-CN, Beijing time). Depends on live_server so that the browser closes before the server
    stops."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# Monday 2026-11-23 in Asia/Shanghai, hour by hour (UTC + 8).
MORNING = "2026-11-23T00:40:00Z"  # 08:40
LATE_MORNING = "2026-11-23T02:30:00Z"  # 10:30
AFTERNOON = "2026-11-23T06:00:00Z"  # 14:00
MID_AFTERNOON = "2026-11-23T07:00:00Z"  # 15:00
END_OF_DAY = "2026-11-23T08:30:00Z"  # 16:30
TODAY = "2026-11-23"

FOOD = "壶关县丰泰食品有限公司"
TEXTILE = "壶关县华盛纺织有限公司"
COAL = "壶关县宏达煤业有限公司"
PAYMENT_REF = "ZJ-20261123-0001"
MONTHLY_SHEETS = ["汇总", "分乡镇", "分工作组", "欠费单位明细", "回收明细", "案件进度"]


@pytest.fixture
def day(county, frozen, tmp_path):
    """What the morning finds: two enterprises of 龙泉镇 in the register whose arrears are in
    the ledger file the caseworker brings, and a third whose case at 催告 waits for the group
    leader's approval of 查询划拨 (asked for last week)."""
    food = EnterpriseFactory(region=county.region_a, name=FOOD)
    textile = EnterpriseFactory(region=county.region_a, name=TEXTILE)
    coal = EnterpriseFactory(region=county.region_a, name=COAL)
    LedgerItemFactory(enterprise=coal, period=date(2025, 5, 1))  # 1,000.00
    enterprise_rebuild(enterprise_id=coal.pk)  # its balances, as an import would leave them
    case = case_at(county, Stage.RECTIFICATION, enterprise=coal)
    approval = case_move(
        actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="催告期满仍未缴纳"
    )
    ledger = ledger_xlsx(
        tmp_path / "台账.xlsx",
        [
            [food.credit_code, food.name, "养老", "2025-09", "700.00", "300.00"],
            [food.credit_code, food.name, "养老", "2025-10", "700.00", "300.00"],
            [textile.credit_code, textile.name, "养老", "2026-03", "1,400.00", "600.00"],
            [textile.credit_code, textile.name, "养老", "2026-04", "1,400.00", "600.00"],
        ],
    )
    frozen.move_to(MORNING)
    return {"case": case, "approval": approval, "ledger": ledger}


def _log_out(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")
    assert page.get_by_text("您已安全退出。").is_visible()


# ---- 08:40 the caseworker ---------------------------------------------------------------------


def _import_the_ledger(page, shoot, seen, ledger):
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_role("link", name="导入欠费台账").click()
    page.wait_for_url("**/imports/ledger/")
    assert text_of(page, "h1") == "导入欠费台账"
    page.set_input_files("#id_file", ledger)
    shoot("import-upload")
    page.click("button:has-text('上传并检查')")
    page.wait_for_url("**/imports/job/*/")
    # The check runs in the background; the page shows its preview once it has run.
    page.wait_for_selector("button:has-text('确认导入')")
    cards = squeeze(text_of(page, "#import-status"))
    for card in (
        "数据行 4",
        "涉及企业 2 家",
        "欠费本金合计 6,000.00 元",
        "所属期 2025-09 至 2026-04",
        "单位部分 4,200.00 元",
        "个人部分 1,800.00 元",
    ):
        assert card in cards, (card, cards)
    shoot("import-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#import-status .alert-success")
    assert seen["dialogs"][-1] == "确定导入 4 行吗？"
    assert (
        squeeze(text_of(page, "#import-status .alert-success"))
        == "已导入 4 行：新增 4，更新 0，未变 0。"
    )
    shoot("import-done")
    page.click("#import-status >> text=继续")  # on to 欠费企业, where the new arrears show
    page.wait_for_url("**/arrears/")
    for name, principal in ((FOOD, "2,000.00"), (TEXTILE, "4,000.00")):
        row = squeeze(page.locator("tr", has_text=name).inner_text())
        assert principal in row, row
    shoot("arrears-after-import")


def _answer_a_late_fee_question(page, shoot):
    """丰泰食品 phones: “if we pay September 2025 on 30 November, what is the late fee?”
    1,000.00 due 2025-10-31; 2025-11-01 … 2026-11-30 with the payment day counted: 395 days
    × 0.05 % → 197.50."""
    page.click("nav >> text=滞纳金试算")
    page.wait_for_url("**/arrears/calculator/")
    page.fill("#id_principal", "1000.00")
    page.fill("#id_due_date", "2025-10-31")
    page.fill("#id_as_of", "2026-11-30")
    page.click("button:has-text('计算')")
    page.wait_for_selector("#fee-total")
    assert text_of(page, "#fee-total") == "197.50"
    assert text_of(page, "#fee-capitals") == "人民币壹佰玖拾柒元伍角整"
    assert "共计 395 天" in text_of(page, "main")
    segment = squeeze(page.locator("tbody tr").first.inner_text())
    assert segment.startswith("2025-11-01 2026-11-30 1,000.00") and segment.endswith("197.50")
    shoot("late-fee-quote")


def _issue_the_batch(page, shoot, seen) -> dict[str, str]:
    """限期补缴通知书 for every enterprise of 龙泉镇 that owes; 宏达煤业's case is further on
    and gets none. Returns the numbers issued, by enterprise."""
    page.click("nav >> text=文书")
    page.wait_for_url("**/notices/")
    page.click("text=批量出具")
    page.wait_for_url("**/notices/batch/")
    assert page.locator("#id_doc_type option:checked").inner_text() == "限期补缴通知书"
    page.select_option("#id_region", label="龙泉镇")
    page.click("button:has-text('列出欠费企业')")
    page.wait_for_selector("input[name=enterprise]")
    listed = page.locator("tbody tr")
    # Largest first, every one ticked.
    rows = [squeeze(listed.nth(i).inner_text()) for i in range(listed.count())]
    assert [r.split(" ")[0] for r in rows] == [
        TEXTILE,
        FOOD,
        "壶关县鑫源机械制造有限公司",
        COAL,
    ], rows
    assert "4,000.00" in rows[0] and "2,000.00" in rows[1] and "1,700.00" in rows[2]
    assert page.locator("input[name=enterprise]:checked").count() == 4
    shoot("batch-select-township")
    page.click("button:has-text('出具并合并为一个 PDF')")
    page.wait_for_url("**/notices/batch/*/")
    assert seen["dialogs"][-1] == "将为选中的企业各出具一份限期补缴通知书并编号，确定吗？"
    # The progress bar polls until the job has finished.
    page.wait_for_selector("#batch-status .alert-success", timeout=60_000)
    assert page.locator("#batch-status .progress").count() == 0
    assert (
        squeeze(text_of(page, "#batch-status .alert-success"))
        == "已出具 3 份。未出具 1 家（见下）。"
    )
    assert page.get_by_role("link", name="打开合并 PDF 打印").is_visible()
    issued = {}
    for row in page.locator("#batch-status tbody tr").all():
        cells = [squeeze(c) for c in row.locator("td").all_inner_texts()]
        if cells[0] != "—":
            issued[cells[1]] = cells[0]
        else:
            skipped = cells
    assert set(issued) == {TEXTILE, FOOD, "壶关县鑫源机械制造有限公司"}, issued
    assert all(re.fullmatch(r"壶人社催〔2026〕\d+号", n) for n in issued.values()), issued
    assert skipped[1] == COAL
    assert skipped[2] == (
        f"{COAL} 的案件已在“催告”阶段，不再单独出具限期补缴通知书，请在案件页办理。"
    )
    shoot("batch-done")
    return issued


def _record_the_service(page, shoot, number):
    page.click(f"#batch-status >> text={number}")
    page.wait_for_selector("h1.page-title")
    assert text_of(page, "h1.page-title") == f"限期补缴通知书 {number}"
    assert "尚未登记送达" in text_of(page, "main")
    page.select_option("#id_method", label="直接送达")
    page.fill("#id_served_on", TODAY)
    page.fill("#id_recipient", "李四（财务负责人）")
    page.set_input_files(
        "#id_proof", {"name": "回证.png", "mimeType": "image/png", "buffer": receipt_png()}
    )
    shoot("service-form")
    page.click("button:has-text('登记送达')")
    page.wait_for_selector(".alert-success")
    # 5 working days from the day after service (Tue 24 … Mon 30 November).
    assert squeeze(text_of(page, ".alert-success")) == "已登记送达。期限届满日：2026年11月30日"
    facts = squeeze(text_of(page, "dl.facts"))
    assert "送达日期 2026年11月23日" in facts and "期限届满 2026年11月30日" in facts
    record = squeeze(page.locator(".card", has_text="送达记录").inner_text())
    assert "直接送达 2026-11-23 ，签收人 李四（财务负责人）" in record, record
    shoot("service-recorded")
    proof = page.locator(".card", has_text="送达记录").locator("a", has_text="送达回证")
    shown = page.request.get(urljoin(page.url, proof.get_attribute("href")))  # what it opens
    assert shown.ok and shown.headers["content-type"] == "image/png"
    assert shown.body() == receipt_png()


def _book_the_payment(page, shoot, seen):
    """丰泰食品 pays September 2025 with its late fee to this day: 1,000.00 + 388 days ×
    0.05 % = 194.00."""
    page.click(f".breadcrumb >> text={FOOD}")
    page.click(".nav-tabs >> text=欠费台账")
    page.wait_for_selector("h1.page-title")
    assert text_of(page, "h1.page-title") == FOOD
    page.click("text=登记缴款")
    page.wait_for_url("**/payments/new/")
    assert page.input_value("#id_paid_on") == TODAY
    page.fill("#id_amount", "1194.00")
    page.select_option("#id_method", label="自缴")
    page.fill("#id_external_ref", PAYMENT_REF)
    page.click("button:has-text('预览冲抵')")
    page.wait_for_selector("text=冲抵预览（尚未记账）")
    preview = page.locator(".card", has_text="冲抵预览（尚未记账）")
    assert "金额 1,194.00 元（人民币壹仟壹佰玖拾肆元整），缴款日 2026年11月23日" in squeeze(
        preview.inner_text()
    )
    lines = [squeeze(r) for r in preview.locator("tbody tr").all_inner_texts()]
    assert lines == ["2025年09月 养老 1,000.00 194.00"], lines
    shoot("payment-preview")
    page.click("button:has-text('确认记账')")
    page.wait_for_selector(".alert-success")
    assert seen["dialogs"][-1] == "确认登记 1,194.00 元并按右侧冲抵吗？"
    assert squeeze(text_of(page, ".alert-success")) == "已登记缴款 1,194.00 元。"
    cards = squeeze(text_of(page, ".row.g-3.mb-3"))
    assert "欠费本金 1,000.00 元" in cards, cards
    september = squeeze(page.locator("tbody tr", has_text="2025年09月").first.inner_text())
    assert september.split(" ")[3:6] == ["1,000.00", "1,000.00", "0.00"], september
    booked = squeeze(page.locator(".border-top", has_text=PAYMENT_REF).inner_text())
    assert "2026-11-23 1,194.00 元 养老 自缴" in booked, booked
    shoot("payment-booked")


def _caseworker(page, url, seen, day) -> dict[str, str]:
    shoot = Camera(page, "caseworker").shot
    _log_in(page, url, "jingban")
    assert page.url == f"{url}/cases/today/"
    shoot("today")
    _import_the_ledger(page, shoot, seen, day["ledger"])
    _answer_a_late_fee_question(page, shoot)
    issued = _issue_the_batch(page, shoot, seen)
    _record_the_service(page, shoot, issued[FOOD])
    _book_the_payment(page, shoot, seen)
    _log_out(page)
    return issued


# ---- 10:30 the group leader -------------------------------------------------------------------


def _group_leader(page, url, seen, day):
    shoot = Camera(page, "group-leader").shot
    _log_in(page, url, "zuzhang")
    assert page.url == f"{url}/dashboard/"  # he leads a group: his group's dashboard first
    # The 查询划拨 and 鑫源机械's pending 停止计收 request.
    assert squeeze(text_of(page, "#badge-waiting")) == "待审批 2 件"
    shoot("dashboard-badge")
    page.click("nav >> text=待我审批")
    page.wait_for_url(f"{url}/cases/approvals/")
    row = page.locator(f"#approval-{day['approval'].pk}")
    seen_row = squeeze(row.inner_text())
    for part in (COAL, "催告 → 查询划拨", "本金 1,000.00", "理由：催告期满仍未缴纳"):
        assert part in seen_row, (part, seen_row)
    row.locator("input[name=comment]").fill("同意查询划拨，请尽快登记查询结果")
    shoot("approval-waiting")
    row.locator("button:has-text('批准')").click()
    page.wait_for_selector(".alert-success")
    assert seen["dialogs"][-1] == "批准后将立即执行并出具相应文书，确定吗？"
    assert squeeze(text_of(page, ".alert-success")) == "已批准并执行。"
    assert page.locator(f"#approval-{day['approval'].pk}").count() == 0
    assert "没有待审批的案件事项。" in text_of(page, "main")
    assert squeeze(text_of(page, "#badge-waiting")) == "待审批 1 件"  # the 停止计收 request is left
    shoot("approval-done")
    # The case moved on.
    page.click("nav >> text=案件")
    page.wait_for_url(f"{url}/cases/")
    page.click(f"main >> a:has-text('{COAL}')")
    page.wait_for_url(f"{url}/cases/{day['case'].pk}/")
    assert text_of(page, "h1.page-title + .badge") == "查询划拨"
    assert "批准：查询划拨" in text_of(page, "ul.list-unstyled")
    shoot("case-at-bank")
    _log_out(page)


# ---- 14:00 the task-force leader --------------------------------------------------------------

# After the morning: 鑫源机械 1,700.00 (2,000.00 less 300.00 paid), 丰泰食品 1,000.00 (after
# today's payment), 华盛纺织 4,000.00 and 宏达煤业 1,000.00 in 龙泉镇, 恒达建材 1,700.00 in
# 百尺镇.
COUNTY_PRINCIPAL = "9,400.00"


def _leader(page, url):
    shoot = Camera(page, "taskforce-leader").shot
    _log_in(page, url, "lingdao")  # with his authenticator's code
    assert page.url == f"{url}/dashboard/"
    assert text_of(page, "h1") == "清欠工作驾驶舱 · 全县"
    outstanding = page.locator("a.kpi")
    kpi = squeeze(outstanding.inner_text())
    assert kpi.startswith(f"累计欠费本金（元） {COUNTY_PRINCIPAL} 滞纳金 "), kpi
    assert kpi.endswith("· 5 户"), kpi
    month = squeeze(page.locator(".card", has_text="本月回收（元）").last.inner_text())
    assert month == "本月回收（元） 1,194.00 本金 1,000.00 · 滞纳金 194.00", month
    top = [
        squeeze(r)
        for r in page.locator(".card", has_text="欠费前 20 名")
        .last.locator("tbody tr")
        .all_inner_texts()
    ]
    assert top[0].startswith(f"{TEXTILE} 龙泉镇 4,000.00"), top
    page.wait_for_selector("#chart-regions svg")  # the charts drew
    shoot("dashboard")

    # The figure leads to the list behind it, which adds up to it.
    outstanding.click()
    page.wait_for_url(f"{url}/arrears/")
    assert text_of(page, "h1") == "欠费企业"
    assert "欠费企业 5 家" in squeeze(text_of(page, "main"))
    rows = page.locator("tbody tr")
    names = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())]
    assert sorted(names) == sorted(
        [TEXTILE, FOOD, COAL, "壶关县鑫源机械制造有限公司", "壶关县恒达建材有限公司"]
    ), names
    principals = [Decimal(yuan(rows.nth(i).locator("td").nth(4).inner_text())) for i in range(5)]
    assert sum(principals) == Decimal(yuan(COUNTY_PRINCIPAL)), principals
    shoot("drill-down-arrears")

    # The morning's batch put three cases at 催缴; the group leader's approval one at 查询划拨.
    page.go_back()
    page.wait_for_url(f"{url}/dashboard/")
    funnel = page.locator("#chart-funnel")
    funnel.locator("svg").wait_for()
    labels = funnel.text_content()
    assert "催缴 3" in labels and "查询划拨 1" in labels, labels
    funnel.locator("text", has_text="催缴 3").click()  # the stage leads to its cases
    page.wait_for_url(f"{url}/cases/?stage=demand")
    assert text_of(page, "h1") == "清欠案件"
    assert page.locator("#id_stage option:checked").inner_text() == "催缴"
    cases = [squeeze(r) for r in page.locator("main tbody tr").all_inner_texts()]
    assert sorted(c.split(" ")[0] for c in cases) == sorted(
        [TEXTILE, FOOD, "壶关县鑫源机械制造有限公司"]
    ), cases
    shoot("drill-down-cases")
    _log_out(page)


# ---- 15:00 the supervisor ---------------------------------------------------------------------


def _supervisor(page, url):
    shoot = Camera(page, "supervisor").shot
    _log_in(page, url, "ducha")
    assert page.url == f"{url}/reports/"  # a supervisor's work is the reports
    page.fill("#monthly-month", "2026-11")  # this month so far
    shoot("reports")
    page.click("button:has-text('生成月报')")
    page.wait_for_url("**/reports/jobs/*/")
    assert text_of(page, "h1") == "生成报表：月报 2026年11月"
    page.wait_for_selector("#report-status .alert-success", timeout=60_000)
    assert "已生成并存档（2026-11-23 15:00）" in text_of(page, "#report-status")
    archive = page.locator("#report-status .list-group-item")
    assert archive.count() == 1
    shoot("monthly-ready")

    with page.expect_download() as waiting:
        archive.click()
    download = waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = ARTIFACTS / "supervisor" / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    assert workbook.sheetnames == MONTHLY_SHEETS
    recoveries = [
        [cell for cell in row if cell is not None]
        for row in workbook["回收明细"].iter_rows(values_only=True)
    ]
    paid = [row for row in recoveries if PAYMENT_REF in row]
    assert len(paid) == 1, recoveries
    assert FOOD in paid[0] and "自缴" in paid[0] and "龙泉镇" in paid[0], paid
    assert [float(v) for v in paid[0][-3:]] == [1000.0, 194.0, 1194.0], paid
    summary = _rows_by_label(workbook["汇总"])
    assert summary["欠费单位数"][2] == 5
    assert f"{summary['累计欠费本金'][2]:,.2f}" == COUNTY_PRINCIPAL  # as on the dashboard
    assert summary["回收合计"][2:4] == [1194, 1194]
    debtors = _rows_by_label(workbook["欠费单位明细"], column=2)
    assert debtors[TEXTILE][7] == 4000 and debtors[FOOD][7] == 1000
    assert debtors[COAL][15] == "查询划拨" and debtors[FOOD][15] == "催缴"
    stages = _rows_by_label(workbook["案件进度"])
    header = list(next(workbook["案件进度"].iter_rows(min_row=3, values_only=True)))
    first_group = dict(zip(header, stages["第一工作组"], strict=True))
    assert (first_group["在办·催缴"], first_group["在办·查询划拨"]) == (3, 1)
    workbook.close()

    page.click("nav >> text=统计报表")
    page.wait_for_url(f"{url}/reports/")
    archived = squeeze(page.locator("tbody tr").first.inner_text())
    assert archived.startswith("月报 2026年11月") and download.suggested_filename in archived
    shoot("archive")
    _log_out(page)
    return download.suggested_filename


def _rows_by_label(sheet, column=0) -> dict:
    """A report sheet's rows by the text in `column` (the indicator, the unit's name)."""
    rows = sheet.iter_rows(values_only=True)
    return {row[column]: list(row) for row in rows if len(row) > column and row[column]}


# ---- 16:30 the audit administrator ------------------------------------------------------------


def _search_audit(page, *, username, action):
    page.fill("#id_username", username)
    page.select_option("#id_action", label=action)
    page.fill("#id_date_from", TODAY)
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    rows = page.locator("tbody tr")
    return [squeeze(rows.nth(i).inner_text()) for i in range(rows.count())]


def _auditor(page, url, issued, report_file):
    shoot = Camera(page, "auditor").shot
    _log_in(page, url, "shenji")  # with his authenticator's code
    assert page.url == f"{url}/audit/"
    assert text_of(page, "h1") == "审计日志"

    found = _search_audit(page, username="jingban", action="导入")
    assert len(found) == 1, found
    assert found[0].startswith("2026-11-23 08:4"), found
    assert "jingban " in found[0] and " 导入 — 成功" in found[0], found
    for line in ("文件名：台账.xlsx", "行数：4", "新增：4", "更新：0"):
        assert line in found[0], (line, found)
    shoot("audit-import")

    found = _search_audit(page, username="jingban", action="出具文书")
    assert len(found) == 3, found  # the batch's three notices, and nothing else today
    for number in issued.values():
        assert any(f"文书 {number} 限期补缴通知书" in row for row in found), (number, found)
    shoot("audit-batch-issue")

    found = _search_audit(page, username="jingban", action="修改")
    served = [row for row in found if issued[FOOD] in row]
    assert len(served) == 1 and "送达日期：2026-11-23" in served[0], found
    shoot("audit-service")

    found = _search_audit(page, username="jingban", action="记账")
    booked = [row for row in found if PAYMENT_REF in row]
    assert len(booked) == 1, found
    assert "金额：1,194.00" in booked[0] and "方式：自缴" in booked[0], booked
    shoot("audit-payment")

    found = _search_audit(page, username="zuzhang", action="审批通过")
    assert len(found) == 1, found
    assert found[0].startswith("2026-11-23 10:30") and "意见：同意查询划拨" in found[0], found
    shoot("audit-approval")

    found = _search_audit(page, username="ducha", action="导出")
    # The report made (in the background) and the archived file downloaded: two entries.
    exported = [row for row in found if report_file in row]
    assert len(exported) == 2, found
    assert all(row.startswith("2026-11-23 15:00") and "报表：月报" in row for row in exported)
    shoot("audit-export")
    _log_out(page)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_working_day_role_by_role(county, day, live_server, page, frozen):
    url = live_server.url
    seen = watch(page)

    issued = _caseworker(page, url, seen, day)
    frozen.move_to(LATE_MORNING)
    _group_leader(page, url, seen, day)
    frozen.move_to(AFTERNOON)
    _leader(page, url)
    frozen.move_to(MID_AFTERNOON)
    report_file = _supervisor(page, url)
    frozen.move_to(END_OF_DAY)
    _auditor(page, url, issued, report_file)

    assert not seen["problems"], seen["problems"]
