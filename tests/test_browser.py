"""Smoke test in a real browser: Debian's Chromium driven by Playwright."""

import os
import re

import pytest

from tests.factories import PASSWORD, totp_code

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def page(live_server):
    # Depends on live_server so that the browser closes before the server stops.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


# Data first, browser second: ORM work done while Playwright's event loop runs would open a
# connection in another context that outlives the test database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_log_in_list_open_unmask_and_log_out(county, live_server, page):
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "jingban")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/cases/today/")  # casework roles land on 今日待办
    page.click("nav >> text=企业名册")
    page.wait_for_url(f"{live_server.url}/enterprises/")
    assert page.locator("h1").inner_text() == "企业名册"
    assert page.get_by_text(county.enterprise.name).is_visible()
    assert page.get_by_text(county.other_enterprise.name).count() == 0

    page.click(f"text={county.enterprise.name}")
    page.wait_for_url(f"{live_server.url}/enterprises/{county.enterprise.pk}/")
    id_cell = page.locator("#legal-rep-id")
    assert "********" in id_cell.inner_text()
    page.click("#legal-rep-id button")  # htmx swaps the clear number in
    # A locator wait: wait_for_function would evaluate a string, which the CSP forbids.
    expect(id_cell).not_to_contain_text("*")
    assert county.enterprise.legal_rep_id_number in id_cell.inner_text()

    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.get_by_text("您已安全退出。").is_visible()
    page.goto(f"{live_server.url}/enterprises/")
    assert page.url.startswith(f"{live_server.url}/login/")


def _log_in(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/login/" not in address or "/login/verify/" in address)
    if "/login/verify/" in page.url:
        # Leaders and administrators have an authenticator (tests.factories): its code next.
        page.fill("#id_code", totp_code())
        page.click("button[type=submit]")
    # Each role lands on its own page (casework on 今日待办, leaders on the dashboard).
    page.wait_for_url(lambda address: "/login/" not in address)


def _serve_current_document(page, served_on):
    page.click("dd >> a")  # 本阶段文书
    page.select_option("#id_method", "direct")
    page.fill("#id_served_on", served_on)
    page.fill("#id_recipient", "张三（法定代表人）")
    page.click("button:has-text('登记送达')")
    page.wait_for_selector("text=已登记送达")
    page.go_back()
    page.go_back()
    page.reload()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_from_opening_to_the_bank_transfer(county, live_server, page, frozen):
    """立案 → 催缴 → 催告 → 查询划拨 (approved by the group leader) → the bank's transfer
    becomes a payment and closes the case; every step is on the timeline."""
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # every irreversible step asks first
    _log_in(page, url, "jingban")
    page.goto(f"{url}/cases/enterprise/{county.enterprise.pk}/")
    page.click("button:has-text('立案')")
    page.wait_for_selector("text=已立案")
    case_url = page.url

    page.click("text=转入催缴并出具文书")
    page.wait_for_selector("text=文书已出具")
    _serve_current_document(page, "2026-11-22")
    page.click("text=转入催告并出具文书")
    assert page.get_by_text("期限尚未届满").is_visible()  # the guard, in words

    frozen.move_to("2026-12-02T02:00:00Z")  # the 5 working days have passed
    _log_in(page, url, "jingban")  # ten days on, the session has long expired
    page.goto(case_url)
    page.click("text=转入催告并出具文书")
    page.wait_for_selector("text=已转入“催告”")
    _serve_current_document(page, "2026-12-02")
    frozen.move_to("2026-12-20T02:00:00Z")  # 10 working days later
    _log_in(page, url, "jingban")
    page.goto(case_url)
    form = page.locator("form:has(button:has-text('转入查询划拨'))")
    form.locator("input[name=reason]").fill("催告期满仍未缴纳")
    form.locator("button").click()
    page.wait_for_selector("text=已提交审批")

    page.click("text=退出")
    _log_in(page, url, "zuzhang")
    page.goto(f"{url}/cases/approvals/")
    page.fill("input[name=comment]", "同意查询划拨")
    page.click("button:has-text('批准')")
    page.wait_for_selector("text=已批准并执行")
    page.click("text=退出")

    _log_in(page, url, "jingban")
    page.goto(case_url)
    assert page.locator("h1.page-title + .badge").inner_text() == "查询划拨"
    page.fill("input[name=findings]", "工商银行壶关支行基本户，余额 8,000.00 元")
    page.click("text=登记查询结果")
    page.wait_for_selector("text=已登记账户查询结果")
    # The center applies; the 人社局 decides; the decision is served; then the bank is told.
    page.click("text=出具划拨申请（报人社局）")
    page.wait_for_selector("text=已出具划拨申请")
    frozen.move_to("2026-12-21T02:00:00Z")  # a Monday: not on a rest day (行政强制法 第四十三条)
    _log_in(page, url, "jingban")
    page.goto(case_url)
    page.click("text=出具划拨决定书（人社局）")
    page.wait_for_selector("text=已出具划拨决定书")
    _serve_current_document(page, "2026-12-21")
    page.click("text=出具协助划拨通知书（送开户银行）")
    page.wait_for_selector("text=请送达开户银行")
    # The bank transfers what the decision leaves, as the case page states it.
    decided = re.search(r"尚可划拨 ([\d,.]+) 元", page.locator("body").inner_text()).group(1)
    page.fill("input[name=amount]", decided.replace(",", ""))
    page.fill("input[name=paid_on]", "2026-12-21")
    page.fill("input[name=external_ref]", "HB-20261221-01")
    page.click("text=登记划拨结果并记账")
    page.wait_for_selector("text=已登记银行划拨")
    page.reload()
    assert page.locator("h1.page-title + .badge").inner_text() == "结案"
    timeline = page.locator("ul.list-unstyled").inner_text()
    for step in ("立案 → 催缴", "催缴 → 催告", "批准：查询划拨", "出具协助划拨通知书", "全额清缴"):
        assert step in timeline, step
