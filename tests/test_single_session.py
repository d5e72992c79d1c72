"""One session per user (SINGLE_SESSION): a new login ends the old one, which is told so on the
login page and leaves an entry in the audit log."""

from django.test import Client

from core.models import AuditEntry
from tests.factories import PASSWORD, totp_code


def _log_in(client, username="jingban"):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_new_login_ends_the_old_session(client, county):
    _log_in(client)
    assert client.get("/enterprises/").status_code == 200
    elsewhere = Client()
    _log_in(elsewhere)
    assert elsewhere.get("/enterprises/").status_code == 200

    response = client.get("/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/enterprises/")
    page = client.get(response["Location"]).content.decode()
    assert "您的账号已在其他地方登录" in page
    entry = AuditEntry.objects.get(action="session_expired")
    assert entry.actor == county.caseworker
    assert "其他地方登录" in entry.detail["reason"]
    assert client.get("/enterprises/")["Location"].startswith("/login/")  # signed out for good
    assert elsewhere.get("/enterprises/").status_code == 200  # the new one goes on


def test_htmx_from_the_ended_session_navigates_to_the_login(client, county):
    _log_in(client)
    _log_in(Client())
    response = client.post(
        f"/enterprises/{county.enterprise.pk}/unmask/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/")
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_the_old_session_lasts_until_the_second_factor_of_the_new_one(client, county):
    # Someone who has the leader's password but not his phone ends nothing.
    _log_in(client, "lingdao")
    client.post("/login/verify/", {"code": totp_code()})
    assert client.get("/dashboard/").status_code == 200
    elsewhere = Client()
    _log_in(elsewhere, "lingdao")
    elsewhere.post("/login/verify/", {"code": "000000"})
    assert client.get("/dashboard/").status_code == 200


def test_several_sessions_are_allowed_when_the_setting_is_off(client, county, settings):
    settings.SINGLE_SESSION = False
    _log_in(client)
    elsewhere = Client()
    _log_in(elsewhere)
    assert client.get("/enterprises/").status_code == 200
    assert elsewhere.get("/enterprises/").status_code == 200


def test_a_password_change_keeps_the_session_it_was_made_in(client, county):
    _log_in(client)
    client.post(
        "/account/password/",
        {"old_password": PASSWORD, "password1": "Huguan#2027", "password2": "Huguan#2027"},
    )
    assert client.get("/enterprises/").status_code == 200
    assert not AuditEntry.objects.filter(action="session_expired").exists()
