"""The end of the lawful chain in a real browser: the court application for the contributions
(the center's) and for the fine (the enforcement unit's), each refusal shown once before its
guard is met.

The early part of the chain (立案 → 催缴 → 催告 → 查询划拨) is walked in the browser by
tests/test_browser.py::test_a_case_from_opening_to_the_bank_transfer; here the cases are set up
with the services (tests/cases.py) in fixtures, before the browser starts: ORM work done while
Playwright's event loop runs would open a connection that outlives the test database.
"""

from datetime import date

import pytest

from enforcement.stages import Stage
from notices.models import Document
from tests import test_browser
from tests.cases import case_at, case_ready_for_fine
from tests.test_browser import _log_in, _serve_current_document

page = test_browser.page  # the same Chromium, closed before the live server stops

pytestmark = pytest.mark.browser


def _watch(page):
    """Every refusal arrives as a message on a rendered page: no script error, no server error."""
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 500 and problems.append(f"{response.status} {response.url}")
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())  # every irreversible step asks first
    return problems


def _log_out(page):
    page.click("text=退出")
    page.wait_for_url("**/login/")


def _shown_once(page, text):
    """The message is on the page, and only once."""
    body = page.locator("body").inner_text()
    assert body.count(text) == 1, (text, body.count(text))


def _serve(page, link, served_on, back_to):
    """Open the document behind `link`, record its direct service and return to `back_to`."""
    link.click()
    page.select_option("#id_method", "direct")
    page.fill("#id_served_on", served_on)
    page.fill("#id_recipient", "张三（法定代表人）")
    page.click("button:has-text('登记送达')")
    page.wait_for_selector("text=已登记送达")
    page.goto(back_to)


@pytest.fixture
def court_case(county):
    """A case at 查询划拨 whose order and 催告书 were served (case_at), the order later than
    case_at's default so that on 2026-11-22 the time to sue has not run yet:

    order served 2026-06-01 (Mon) + 6 months → 2026-12-01 (Tue, a working day, not moved);
    催告书 served 2026-10-01 + 10 working days (国庆 holiday first) → 2026-10-20, earlier;
    so the court may be applied to from 2026-12-02 (Wed) until 2026-12-01 + 3 months =
    2027-03-01 (Mon)."""
    case = case_at(county, Stage.BANK)
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 6, 1))
    return case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_centers_court_application_for_the_contributions(
    county, court_case, live_server, page, frozen, tmp_path
):
    """陈述申辩 on the 催告书 → refused until reviewed → reviewed → refused until the time to sue
    has run → requested in the window → the head approves → 申请法院强制执行 with its
    强制执行申请书."""
    url = live_server.url
    case_url = f"{url}/cases/{court_case.pk}/"
    problems = _watch(page)
    _log_in(page, url, "jingban")
    page.goto(case_url)
    assert page.locator("h1.page-title + .badge").inner_text() == "查询划拨"

    # The enterprise's 陈述申辩 on the 催告书 (the only document it may answer here).
    defence = page.locator("form:has(button:has-text('登记陈述申辩'))")
    reminder_option = defence.locator("select[name=document] option").first.inner_text()
    assert reminder_option.startswith("催告书 ")
    reminder_number = reminder_option.removeprefix("催告书 ")
    defence.locator("input[name=received_on]").fill("2026-11-22")
    defence.locator("textarea[name=text]").fill("企业经营困难，请求分期缴纳")
    defence.locator("button").click()
    page.wait_for_selector("text=已登记陈述申辩，复核后方可进行下一步。")

    move = page.locator("form:has(button:has-text('转入申请法院强制执行'))")
    move.locator("input[name=reason]").fill("催告期满仍未缴纳，账户余额不足")
    move.locator("button").click()
    page.wait_for_selector(".alert-danger")
    _shown_once(
        page,
        f"当事人对{reminder_number}的陈述申辩尚未复核，复核后方可进行下一步（行政强制法第三十六条）。",
    )
    assert page.locator("h1.page-title + .badge").inner_text() == "查询划拨"
    _log_out(page)

    # The group leader reviews the defence.
    _log_in(page, url, "zuzhang")
    page.goto(case_url)
    review = page.locator("form:has(button:has-text('登记复核意见'))")
    review.locator("select[name=accepted]").select_option("0")
    review.locator("input[name=conclusion]").fill("经营困难不是免缴理由，可另行申请延期缴费")
    review.locator("button").click()
    page.wait_for_selector("text=已登记陈述申辩的复核意见。")
    assert page.get_by_text("陈述申辩尚未复核").count() == 0
    _log_out(page)

    # 2026-11-22: the time to sue runs until 2026-12-01 (see court_case).
    window_refusal = (
        "复议和诉讼期限至2026年12月1日届满，自2026年12月2日起方可申请法院强制执行"
        "（行政强制法第五十三条）。"
    )
    _log_in(page, url, "jingban")
    page.goto(case_url)
    move.locator("input[name=reason]").fill("催告期满仍未缴纳，账户余额不足")
    move.locator("button").click()
    page.wait_for_selector(".alert-danger")
    _shown_once(page, window_refusal)
    assert page.locator("h1.page-title + .badge").inner_text() == "查询划拨"

    frozen.move_to("2026-12-02T02:00:00Z")  # Wed 2026-12-02 10:00: the first permitted day
    _log_in(page, url, "jingban")  # ten days on, the session has long expired
    page.goto(case_url)
    move.locator("input[name=reason]").fill("催告期满仍未缴纳，账户余额不足")
    move.locator("button").click()
    page.wait_for_selector("text=已提交审批：申请法院强制执行。")
    assert page.get_by_text(window_refusal).count() == 0
    _log_out(page)

    # The task-force leader (负责人) approves on 待我审批.
    _log_in(page, url, "lingdao")
    page.goto(f"{url}/cases/approvals/")
    row = page.locator("tr", has_text="查询划拨 → 申请法院强制执行")
    row.locator("input[name=comment]").fill("同意申请法院强制执行")
    row.locator("button:has-text('批准')").click()
    page.wait_for_selector("text=已批准并执行。")
    _log_out(page)

    _log_in(page, url, "jingban")
    page.goto(case_url)
    assert page.locator("h1.page-title + .badge").inner_text() == "申请法院强制执行"
    application = page.locator("tr", has_text="强制执行申请书")
    assert application.count() == 1
    number = application.locator("a").inner_text()
    timeline = page.locator("ul.list-unstyled").inner_text()
    for step in (
        "批准：申请法院强制执行",
        "查询划拨 → 申请法院强制执行",
        f"出具强制执行申请书 {number}",
    ):
        assert step in timeline, step
    page.screenshot(path=tmp_path / "court_application.png", full_page=True)

    application.locator("a").click()
    page.wait_for_selector("h1.page-title")
    assert page.locator("h1.page-title").inner_text() == f"强制执行申请书 {number}"
    assert number in page.locator(".breadcrumb").inner_text()
    assert not problems, problems


@pytest.fixture
def fine_case(county):
    """At 移送处罚 with the procedure done (case_ready_for_fine: referred, filed, the 事先告知书
    for 1 × the unpaid principal served and its 5 working days passed)."""
    return case_ready_for_fine(county, "1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fine_goes_to_the_court_in_the_enforcement_units_name(
    county, fine_case, live_server, page, frozen, tmp_path
):
    """The head decides the fine → served → unpaid after its 15 days: the unit's 催告书, served
    → the head applies to the court once the time to sue has run."""
    url = live_server.url
    case_url = f"{url}/cases/{fine_case.pk}/"
    problems = _watch(page)
    _log_in(page, url, "lingdao")
    page.goto(case_url)
    decide = page.locator("form:has(button:has-text('负责人作出罚款决定'))")
    decide.locator("input[name=multiple]").fill("1")
    decide.locator("button").click()
    page.wait_for_selector("text=已作出罚款决定")
    assert "请于7个工作日内送达" in page.locator(".alert-success").inner_text()
    _log_out(page)

    # Served on 2026-11-22: 15 days to pay → 2026-12-07 (Mon, a working day).
    _log_in(page, url, "jingban")
    page.goto(case_url)
    _serve_current_document(page, "2026-11-22")
    assert "缴纳期限 2026-12-07" in page.locator("body").inner_text()
    # Before the deadline the page offers no 催告书 for the fine; a form posted anyway (from a
    # page left open, or a second tab) is refused, and the refusal is shown once.
    assert page.locator("button:has-text('出具罚款催告书')").count() == 0
    page.evaluate(
        """(action) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            const token = document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode();
            form.appendChild(token);
            const button = document.createElement("button");
            button.textContent = "出具罚款催告书";
            form.appendChild(button);
            document.body.appendChild(form);
            button.click();
        }""",
        f"/cases/{fine_case.pk}/fine/reminder/",
    )
    page.wait_for_selector(".alert-danger")
    assert page.url == case_url
    _shown_once(
        page,
        "罚款缴纳期限至2026年12月7日届满（行政处罚法第六十七条），届满仍未缴纳的方可催告。",
    )
    assert "罚款催告书：" not in page.locator("body").inner_text()

    frozen.move_to("2026-12-08T02:00:00Z")  # Tue 2026-12-08: the fine is a day overdue
    _log_in(page, url, "jingban")
    page.goto(case_url)
    assert "罚款催告书：未出具" in page.locator("body").inner_text()
    page.click("button:has-text('出具罚款催告书')")
    page.wait_for_selector("text=已出具罚款催告书")
    assert "请送达并登记送达" in page.locator(".alert-success").inner_text()
    reminder_line = page.locator("div.mt-1", has_text="罚款催告书：")
    _serve(page, reminder_line.locator("a"), "2026-12-08", case_url)
    assert "2026-12-08 送达" in reminder_line.inner_text()
    _log_out(page)

    # The decision served 2026-11-22 + 6 months → 2027-05-22, a Saturday, moved to Mon
    # 2027-05-24; the 催告书 served 2026-12-08 + 10 working days → 2026-12-22, earlier. The
    # court may be asked from 2027-05-25 (until 2027-05-24 + 3 months = 2027-08-24).
    window_refusal = (
        "复议和诉讼期限至2027年5月24日届满，自2027年5月25日起方可申请法院强制执行"
        "（行政强制法第五十三条）。"
    )
    _log_in(page, url, "lingdao")
    page.goto(case_url)
    page.click("button:has-text('申请法院强制执行罚款')")
    page.wait_for_selector(".alert-danger")
    _shown_once(page, window_refusal)
    assert "已申请法院强制执行：" not in page.locator("body").inner_text()

    frozen.move_to("2027-05-25T02:00:00Z")  # Tue 2027-05-25: the first permitted day
    _log_in(page, url, "lingdao")
    page.goto(case_url)
    page.click("button:has-text('申请法院强制执行罚款')")
    page.wait_for_selector("text=已出具罚款强制执行申请书")
    flash = page.locator(".alert-success").inner_text()
    assert "请加盖印章后报送法院" in flash
    applied = page.locator("div.mt-1", has_text="已申请法院强制执行：")
    number = applied.locator("a").inner_text()
    assert number and number in flash
    assert page.get_by_text(window_refusal).count() == 0
    assert page.locator("button:has-text('申请法院强制执行罚款')").count() == 0
    assert f"申请法院强制执行罚款 {number}" in page.locator("ul.list-unstyled").inner_text()
    page.screenshot(path=tmp_path / "fine_court_application.png", full_page=True)
    assert not problems, problems
