"""In a real browser no page breaks the Content-Security-Policy: the dashboard draws its charts,
a progress bar has its width, "select all" ticks every box, a document preview has its
stylesheet — and Chromium reports no refused script or style (issue 13 §3)."""

import pytest
from django.conf import settings
from django.test import Client

from tests.test_browser import page  # noqa: F401 — the fixture

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user):  # noqa: F811
    """The browser gets the session of a user signed in by the test client: this test is about
    the pages, not the login form."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _refusals(page):  # noqa: F811
    messages = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return messages


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_work_under_the_policy(county, live_server, page):  # noqa: F811
    refusals = _refusals(page)

    _signed_in(page, live_server, county.leader)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-trend svg")  # ECharts drew
    assert page.locator(".chart svg").count() >= 5

    _signed_in(page, live_server, county.caseworker)
    page.goto(
        f"{live_server.url}/notices/batch/?doc_type=deadline_notice&region={county.region_a.pk}"
    )
    boxes = page.locator("input[name=enterprise]")
    assert boxes.count() >= 1 and boxes.first.is_checked()
    page.uncheck("input[data-check-all]")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.check("input[data-check-all]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))

    page.goto(f"{live_server.url}/notices/enterprise/{county.enterprise.pk}/issue/")
    page.select_option("#id_doc_type", "statement")
    page.click("text=预览")
    frame = page.frame_locator("iframe.document-frame")
    # The document's own stylesheet applies inside the preview: its title is centred.
    frame.locator("h1").first.wait_for()
    align = frame.locator("h1").first.evaluate("e => getComputedStyle(e).textAlign")
    assert align == "center"

    # The enrolment page draws its QR code as inline SVG: no style attribute may be refused.
    page.goto(f"{live_server.url}/account/2fa/")
    page.wait_for_selector("svg")
    assert page.locator("svg").first.bounding_box()["width"] > 100

    assert refusals == []
