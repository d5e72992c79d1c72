"""Slow actions in a real browser: the button pressed says 处理中…, and a double click posts once.
A reject on 待我审批 asks for its reason in Chinese before anything is sent.

Data is set up with the services in fixtures, before the browser starts; what the server wrote
is read back in a thread of its own (ORM work on the thread running Playwright's event loop
would open a connection that outlives the test database)."""

import re
import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from arrears import services as arrears_services
from arrears.models import Payment
from enforcement.models import Approval
from enforcement.services import case_move
from enforcement.stages import Stage
from tests import test_browser
from tests.cases import case_at
from tests.test_browser import _log_in

page = test_browser.page  # the same Chromium, closed before the live server stops

pytestmark = pytest.mark.browser

SLOW_SECONDS = 3

# Noted in sessionStorage, which outlives the page: the pressed button as it looked while busy.
WATCH_BUSY = """() => {
  sessionStorage.removeItem('busy-seen');
  new MutationObserver(() => {
    for (const button of document.querySelectorAll('form button')) {
      if (button.innerText.includes('处理中…')) {
        const spinner = button.querySelector('.spinner-border') ? 'spinner' : '';
        sessionStorage.setItem('busy-seen',
          ['处理中…', button.disabled ? 'disabled' : 'enabled', spinner].join('|'));
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def _read(query):
    """Run an ORM read on a fresh thread and connection; return its result."""
    result = []

    def run():
        try:
            result.append(query())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return result[0]


def _posts(page, path):
    """Every POST the browser sends to `path`, as it sends it."""
    sent = []
    page.on(
        "request",
        lambda request: request.method == "POST" and path in request.url and sent.append(request),
    )
    return sent


@pytest.fixture
def slow_payments(monkeypatch):
    """payment_post takes SLOW_SECONDS, as on a loaded server; counts its calls."""
    calls = []
    original = arrears_services.payment_post

    def slow(**kwargs):
        calls.append(kwargs.get("external_ref"))
        time.sleep(SLOW_SECONDS)
        return original(**kwargs)

    monkeypatch.setattr(arrears_services, "payment_post", slow)
    return calls


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_on_a_slow_payment_posts_it_once(county, slow_payments, live_server, page):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # 确认登记 … 元 asks first
    _log_in(page, url, "jingban")
    path = f"/arrears/enterprise/{county.enterprise.pk}/payments/new/"
    page.goto(url + path)
    page.fill("#id_amount", "1000.00")
    page.fill("#id_paid_on", "2026-11-20")
    page.fill("#id_external_ref", "BANK-DBL-01")
    page.click("button:has-text('预览冲抵')")
    page.wait_for_selector("text=冲抵预览（尚未记账）")

    sent = _posts(page, path)
    # Whatever the timing of the page's replacement, the page notes what its buttons showed.
    page.evaluate(WATCH_BUSY)
    page.locator("button:has-text('确认记账')").dblclick(no_wait_after=True)
    # A third try, as Enter in a field would make it: refused by the page too. On a loaded
    # machine the answer may already have replaced the page, and there is nothing to submit.
    try:
        page.evaluate("document.querySelector('#id_amount').form.requestSubmit()")
    except PlaywrightError as error:
        assert "Execution context was destroyed" in str(error)
    page.wait_for_selector("text=已登记缴款")

    seen = page.evaluate("sessionStorage.getItem('busy-seen')")
    assert seen == "处理中…|disabled|spinner"
    assert len(sent) == 1
    assert "confirm=1" in sent[0].post_data
    assert slow_payments == ["BANK-DBL-01"]
    assert _read(lambda: Payment.objects.filter(external_ref="BANK-DBL-01").count()) == 1
    assert "处理中…" not in page.locator("body").inner_text()  # the new page, fresh buttons


@pytest.fixture
def waiting(county):
    case = case_at(county, Stage.RECTIFICATION)
    return case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="逾期未缴")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reject_asks_for_its_reason_before_sending(county, waiting, live_server, page):
    url = live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, url, "zuzhang")
    assert "待我审批" in page.locator("nav").inner_text()
    page.click("nav >> text=待我审批")
    page.wait_for_url(f"{url}/cases/approvals/")
    row = page.locator(f"#approval-{waiting.pk}")
    assert county.enterprise.name in row.inner_text() and "逾期未缴" in row.inner_text()
    sent = _posts(page, f"/cases/approvals/{waiting.pk}/decide/")

    row.locator("button:has-text('驳回…')").click()
    reason = page.locator(f"#reject-reason-{waiting.pk}")
    # Bootstrap's collapse animates; a click while the box is still opening can land on a
    # half-drawn form on a loaded machine. A user presses once it is open.
    expect(page.locator(f"#reject-{waiting.pk}")).to_have_class(re.compile(r"\bshow\b"))
    confirm = row.locator("button:has-text('确认驳回')")
    confirm.click()
    message = "请填写驳回理由，申请人将看到它。"
    expect(reason).to_have_js_property("validationMessage", message)
    reason.fill("   ")
    expect(reason).to_have_js_property("validationMessage", "")
    confirm.click()
    expect(reason).to_have_js_property("validationMessage", message)
    page.wait_for_timeout(300)
    assert sent == [] and page.url == f"{url}/cases/approvals/"

    reason.fill("未附银行账户线索，请补充后再报")
    confirm.click()
    page.wait_for_selector("text=已驳回。")
    assert len(sent) == 1 and errors == []
    approval = _read(lambda: Approval.objects.get(pk=waiting.pk))
    assert approval.status == "rejected" and approval.comment == "未附银行账户线索，请补充后再报"

    # The requester's menu shows the rejection with its reason, and leads to the case.
    page.click("text=退出")
    _log_in(page, url, "jingban")
    page.click("#rejected-menu")
    item = page.locator(".dropdown-menu >> text=未附银行账户线索")
    item.wait_for(state="visible")
    item.click()
    page.wait_for_url(f"{url}/cases/{waiting.case_id}/#approval-{waiting.pk}")
    assert "已驳回" in page.locator(f"#approval-{waiting.pk}").inner_text()
