"""Two-factor login (TOTP, django-otp): required for leaders and administrators
(OTP_REQUIRED_ROLES), optional for others; enrolment with a QR code drawn here, ten recovery
codes shown once, the code asked after the password, the administrator's reset."""

import re
from base64 import b32decode
from binascii import hexlify
from datetime import timedelta

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import roles, services
from core.models import AdminChangeRequest, AuditEntry
from core.otp import current_code
from tests.factories import PASSWORD, UserFactory, totp_code


def _password(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def _shown_key(page: str) -> str:
    """The secret the enrolment page shows in text, as the hex key the app would hold."""
    text = re.search(r'id="otp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    return hexlify(b32decode(text)).decode()


def test_a_leader_without_an_authenticator_must_bind_one_first(client, county, frozen):
    leader = UserFactory(username="lingdao2", role=roles.TASKFORCE_LEADER, totp=False)
    response = _password(client, "lingdao2")
    assert response["Location"] == "/account/2fa/"
    for path in ("/", "/dashboard/", "/enterprises/", "/account/password/", "/login/verify/"):
        assert client.get(path)["Location"] == "/account/2fa/", path
    page = client.get("/account/2fa/").content.decode()
    assert "<svg" in page and "otp-qr" in page and "工作驾驶舱" not in page
    assert not re.search(r"""(src|href)=["']https?:""", page)  # nothing from outside
    key = _shown_key(page)
    assert not AuditEntry.objects.filter(action="login").exists()

    page = client.post("/account/2fa/", {"code": "123456"}).content.decode()
    assert "验证码不正确" in page
    assert not TOTPDevice.objects.filter(user=leader).exists()

    response = client.post("/account/2fa/", {"code": current_code(key)})
    assert response["Location"] == "/account/2fa/recovery/"
    device = TOTPDevice.objects.get(user=leader)
    assert device.confirmed and device.key == key
    page = client.get("/account/2fa/recovery/").content.decode()
    codes = re.findall(r'<li class="col py-1">([a-z2-7]{4} [a-z2-7]{4})</li>', page)
    assert len(codes) == 10
    assert "只显示这一次" in page
    assert client.get("/account/2fa/recovery/")["Location"] == "/account/2fa/"  # once
    assert client.get("/dashboard/").status_code == 200
    login = AuditEntry.objects.get(action="login")
    assert login.actor == leader and login.detail == {"method": "密码+新绑定的身份验证器"}
    assert AuditEntry.objects.filter(action="update", detail__kind="双因素认证").exists()

    # The next login asks for the code; the one used to bind cannot be replayed.
    client.post("/logout/")
    assert _password(client, "lingdao2")["Location"] == "/login/verify/"
    assert (
        "验证码不正确"
        in client.post("/login/verify/", {"code": current_code(key)}).content.decode()
    )
    frozen.shift(timedelta(seconds=60))
    response = client.post("/login/verify/", {"code": current_code(key)})
    assert response["Location"] == "/"
    # A recovery code works once.
    client.post("/logout/")
    _password(client, "lingdao2")
    assert client.post("/login/verify/", {"code": codes[0].upper()})["Location"] == "/"
    client.post("/logout/")
    _password(client, "lingdao2")
    assert "验证码不正确" in client.post("/login/verify/", {"code": codes[0]}).content.decode()
    assert StaticToken.objects.filter(device__user=leader).count() == 9


def test_the_code_is_asked_after_the_password_and_nothing_opens_before(client, county):
    response = _password(client, "lingdao")
    assert response["Location"] == "/login/verify/"
    assert client.get("/dashboard/")["Location"] == "/login/verify/"
    assert client.get("/account/2fa/")["Location"] == "/login/verify/"
    page = client.get("/login/verify/").content.decode()
    assert "双因素认证" in page and "工作驾驶舱" not in page
    response = client.post("/login/verify/", {"code": totp_code()})
    assert client.get(response["Location"]).url == "/dashboard/"
    entry = AuditEntry.objects.get(action="login")
    assert entry.actor == county.leader and entry.detail == {"method": "密码+动态验证码"}


def test_the_login_goes_on_to_next_after_the_code(client, county):
    client.post("/login/?next=/reports/", {"username": "lingdao", "password": PASSWORD})
    assert client.post("/login/verify/", {"code": totp_code()})["Location"] == "/reports/"


def test_wrong_codes_are_audited_and_slowed_down(client, county):
    _password(client, "lingdao")
    page = client.post("/login/verify/", {"code": "000001"}).content.decode()
    assert "验证码不正确" in page
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.actor_username == "lingdao" and entry.result == "failure"
    page = client.post("/login/verify/", {"code": totp_code()}).content.decode()
    # django-otp makes each next try wait twice as long: even the right code waits.
    assert "错误次数过多" in page
    assert AuditEntry.objects.filter(action="login_failed", result="denied").exists()


def test_others_may_enable_it_from_the_user_menu_and_switch_it_off(client, county):
    client.force_login(county.caseworker)
    assert 'href="/account/2fa/"' in client.get("/enterprises/").content.decode()
    page = client.get("/account/2fa/").content.decode()
    key = _shown_key(page)
    client.post("/account/2fa/", {"code": current_code(key)})
    assert client.get("/account/2fa/recovery/").status_code == 200
    assert "已启用" in client.get("/account/2fa/").content.decode()
    client.post("/account/2fa/remove/")
    assert not TOTPDevice.objects.filter(user=county.caseworker).exists()


def test_a_required_role_cannot_switch_it_off(client, county):
    client.force_login(county.leader)
    page = client.get("/account/2fa/").content.decode()
    assert "已启用" in page and "停用双因素认证" not in page
    client.post("/account/2fa/remove/")
    assert TOTPDevice.objects.filter(user=county.leader).exists()


def test_new_recovery_codes_replace_the_old(client, county):
    old = services._recovery_codes_new(county.leader)
    client.force_login(county.leader)
    client.post("/account/2fa/recovery/new/")
    new = set(
        StaticToken.objects.filter(device__user=county.leader).values_list("token", flat=True)
    )
    assert len(new) == 10 and not new & set(old)
    assert client.get("/account/2fa/recovery/").status_code == 200


def test_the_administrator_resets_a_users_authenticator_and_ends_his_session(client, county):
    TOTPDevice.objects.create(user=county.caseworker, key="00" * 20, confirmed=True)
    user_client = Client()
    _password(user_client, "jingban")
    user_client.post("/login/verify/", {"code": current_code("00" * 20)})
    assert user_client.get("/enterprises/").status_code == 200

    client.force_login(county.sysadmin)
    assert "重置双因素" in client.get("/users/?q=jingban").content.decode()
    client.post(f"/users/{county.caseworker.pk}/otp-reset/")
    assert not TOTPDevice.objects.filter(user=county.caseworker).exists()
    assert user_client.get("/enterprises/")["Location"].startswith("/login/")
    entry = AuditEntry.objects.get(action="update", object_id=str(county.caseworker.pk))
    assert entry.actor == county.sysadmin and entry.detail["kind"] == "双因素认证"
    # A caseworker needs none: the next login is by password alone.
    assert _password(user_client, "jingban")["Location"] == "/"


def test_the_reset_of_a_leaders_authenticator_sends_him_to_bind_a_new_one(client, county):
    services.user_otp_reset(actor=county.sysadmin, user=county.leader)
    assert not AdminChangeRequest.objects.exists()  # a business account: at once
    assert _password(client, "lingdao")["Location"] == "/account/2fa/"


def test_the_demo_may_relax_the_requirement(client, county, settings):
    settings.OTP_REQUIRED_ROLES = []
    UserFactory(username="lingdao2", role=roles.TASKFORCE_LEADER, totp=False)
    assert _password(client, "lingdao2")["Location"] == "/"
    # Whoever has an authenticator is still asked for its code.
    assert _password(Client(), "lingdao")["Location"] == "/login/verify/"


@pytest.mark.parametrize("path", ["/login/verify/", "/account/2fa/", "/account/2fa/recovery/"])
def test_the_pages_need_a_password_login_first(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_code_page_without_a_pending_login_goes_home(client, county):
    client.force_login(county.caseworker)
    assert client.get("/login/verify/")["Location"] == "/"
