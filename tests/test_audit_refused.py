"""Refused access is in the audit log (issue 13 §1), with the client's address even behind the
reverse proxy, and never the address a client wrote into X-Forwarded-For itself."""

import pytest
from django.test import RequestFactory

from core.audit import client_ip
from core.models import AuditEntry
from tests.factories import PASSWORD


def _refusals():
    return list(AuditEntry.objects.filter(action="access_refused").order_by("id"))


def test_another_townships_enterprise_is_a_404_and_is_logged(client, county):
    client.force_login(county.caseworker)
    path = f"/enterprises/{county.other_enterprise.pk}/"
    assert client.get(path).status_code == 404
    [entry] = _refusals()
    assert entry.actor == county.caseworker
    assert entry.result == "denied"
    assert entry.detail == {
        "status": 404,
        "reason": "对象不存在或不在本人管辖范围",
        "method": "GET",
        "path": path,
    }
    assert entry.ip == "127.0.0.1"


def test_a_page_the_role_may_not_see_is_a_403_and_is_logged(client, county):
    client.force_login(county.supervisor)
    assert client.get("/users/").status_code == 403
    [entry] = _refusals()
    assert entry.actor == county.supervisor
    assert entry.detail["status"] == 403 and entry.detail["path"] == "/users/"


def test_a_permitted_page_and_an_anonymous_visitor_leave_no_refusal(client, county):
    client.force_login(county.caseworker)
    assert client.get(f"/enterprises/{county.enterprise.pk}/").status_code == 200
    client.logout()
    assert client.get("/users/").status_code == 302  # to the login page, nobody to name
    assert _refusals() == []


def test_the_audit_page_names_the_refusal_in_chinese(client, county):
    client.force_login(county.caseworker)
    client.get(f"/enterprises/{county.other_enterprise.pk}/")
    client.force_login(county.auditor)
    assert "访问被拒绝" in client.get("/audit/").content.decode()


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Not through a trusted proxy: the header is the client's own words, ignored.
        ("203.0.113.9", "10.1.1.1", "203.0.113.9"),
        # Through the proxy: the address the proxy saw, the last one in the header.
        ("10.0.0.2", "192.168.5.20", "192.168.5.20"),
        # A client that sends its own header: the proxy appends the real address; the
        # forged one to its left is not taken.
        ("10.0.0.2", "1.2.3.4, 192.168.5.20", "192.168.5.20"),
        # Two trusted proxies in a row: skipped from the right.
        ("10.0.0.2", "192.168.5.20, 10.0.0.3", "192.168.5.20"),
        # Junk in the header: the proxy's own address rather than the junk.
        ("10.0.0.2", "<script>", "10.0.0.2"),
        # The proxy without a header: its own address.
        ("10.0.0.2", "", "10.0.0.2"),
    ],
)
def test_client_ip_reads_the_forwarded_header_only_from_trusted_proxies(
    settings, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = ["10.0.0.2", "10.0.0.3"]
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_a_login_through_the_proxy_logs_the_clients_address(client, county, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    client.post(
        "/login/",
        {"username": "jingban", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.168.5.20",
    )
    assert AuditEntry.objects.get(action="login").ip == "192.168.5.20"
