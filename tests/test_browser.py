"""Smoke test in a real browser: Debian's Chromium driven by Playwright."""

import os

import pytest

from tests.factories import PASSWORD

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
    page.wait_for_function("!document.querySelector('#legal-rep-id').innerText.includes('*')")
    assert county.enterprise.legal_rep_id_number in id_cell.inner_text()

    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.get_by_text("您已安全退出。").is_visible()
    page.goto(f"{live_server.url}/enterprises/")
    assert page.url.startswith(f"{live_server.url}/login/")
