import pytest

from core.models import AuditEntry
from tests.factories import PASSWORD, totp_code


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-CN">' in content
    assert "用户名" in content and "密码" in content and "登录" in content


def test_login_lands_on_the_worklist_and_is_audited(client, county):
    response = _login(client, "jingban", PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/cases/today/"
    entry = AuditEntry.objects.get(action="login")
    assert entry.actor == county.caseworker
    assert entry.ip == "127.0.0.1"
    assert entry.result == "success"


def test_auditor_lands_on_the_audit_log(client, county):
    # The auditor's role requires the second factor: the code first, then his page.
    response = _login(client, "shenji", PASSWORD)
    assert response["Location"] == "/login/verify/"
    response = client.post("/login/verify/", {"code": totp_code()})
    assert client.get(response["Location"]).url == "/audit/"


def test_leaders_land_on_the_dashboard_and_supervisors_on_the_reports(client, county):
    # Each role starts where its daily work is (issue: leaders had only an empty worklist).
    client.force_login(county.leader)
    assert client.get("/").url == "/dashboard/"
    client.force_login(county.supervisor)
    assert client.get("/").url == "/reports/"
    page = client.get("/reports/").content.decode()
    assert "统计报表" in page and "工作驾驶舱" not in page


def test_failed_login_is_audited_with_the_username_tried(client, county):
    response = _login(client, "jingban", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.actor is None
    assert entry.actor_username == "jingban"
    assert entry.result == "failure"


def test_five_failures_lock_the_username_even_for_the_right_password(client, county):
    for _ in range(5):
        _login(client, "jingban", "wrong-password")
    response = _login(client, "jingban", PASSWORD)
    assert response.status_code == 403
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="locked_out", actor_username="jingban").exists()


def test_four_failures_do_not_lock(client, county):
    for _ in range(4):
        _login(client, "jingban", "wrong-password")
    assert _login(client, "jingban", PASSWORD).status_code == 302


def test_lockout_is_per_username(client, county):
    for _ in range(5):
        _login(client, "jingban", "wrong-password")
    assert _login(client, "zuzhang", PASSWORD).status_code == 302


def test_administrator_can_lift_a_lockout(client, county):
    for _ in range(5):
        _login(client, "jingban", "wrong-password")
    client.force_login(county.sysadmin)
    # The users page says who is locked, and offers the unlock only for them (issue 13 §3).
    page = client.get("/users/?q=jingban").content.decode()
    assert page.count("已锁定") == 1 and f"/users/{county.caseworker.pk}/unlock/" in page
    assert "/unlock/" not in client.get("/users/?q=zuzhang").content.decode()
    client.post(f"/users/{county.caseworker.pk}/unlock/")
    assert "已锁定" not in client.get("/users/?q=jingban").content.decode()
    client.logout()
    assert _login(client, "jingban", PASSWORD).status_code == 302


def test_inactive_user_cannot_log_in(client, county):
    county.caseworker.is_active = False
    county.caseworker.save()
    assert _login(client, "jingban", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_is_audited(client, county):
    client.force_login(county.caseworker)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert AuditEntry.objects.filter(action="logout", actor=county.caseworker).exists()
    assert client.get("/enterprises/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_login_does_not_redirect_off_site(client, county, target):
    response = client.post(f"/login/?next={target}", {"username": "jingban", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil" not in response["Location"]
