"""The password rules of 等保 level 3 beyond length and classes (test_passwords): not the
user's name, not one of the last five, changed after an administrator's reset and when it
expired, and changed by the user himself from the user menu."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from core import services
from core.models import AuditEntry, PasswordHistory, User
from tests.factories import PASSWORD, UserFactory


def _refused(password, user):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    "password",
    ["Zhangsan#2026", "ZHANGSAN-x9", "Zhang.San#26", "xZS#20261", "Qz-zs#9988", "张三Abc#123"],
)
def test_the_name_in_pinyin_or_initials_is_refused(password):
    user = User(username="wangli", full_name="张三")
    assert "不能包含用户名或姓名" in _refused(password, user)


def test_the_user_name_is_refused_also_split_by_symbols():
    user = User(username="jingban", full_name="王丽华")
    assert "不能包含用户名或姓名" in _refused("Jing.Ban#2026", user)
    assert "不能包含用户名或姓名" in _refused("Wanglihua#26", user)
    assert "不能包含用户名或姓名" in _refused("Abc#wlh2026", user)


def test_a_surname_read_the_rare_way_is_refused_too():
    # 单 is shan as a surname, dan as a word: both readings count.
    user = User(username="u1", full_name="单雄")
    assert "不能包含用户名或姓名" in _refused("Shanxiong#26", user)
    assert "不能包含用户名或姓名" in _refused("Danxiong#26", user)


def test_a_password_without_the_name_passes():
    validate_password("Huguan#2026", User(username="wangli", full_name="张三"))


def test_none_of_the_last_five_passwords_comes_back(db):
    user = UserFactory(username="jingban", full_name="王丽华")
    passwords = [f"Qingqian#{n}x" for n in range(6)]
    for password in passwords:
        validate_password(password, user)
        services.user_password_change(user=user, password=password)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in passwords[1:]:  # the current one and the four before it
        assert "最近 5 次" in _refused(recent, user)
    validate_password(passwords[0], user)  # six changes ago: allowed again


def test_the_current_password_counts_even_without_history(db):
    user = UserFactory()
    assert "最近 5 次" in _refused(PASSWORD, user)


def _log_in(client, username="jingban"):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_reset_password_must_be_changed_before_anything_else(client, county):
    services.user_set_password(actor=county.sysadmin, user=county.caseworker, password=PASSWORD)
    county.caseworker.refresh_from_db()
    assert county.caseworker.must_change_password
    response = _log_in(client)
    assert client.get(response["Location"])["Location"] == "/account/password/"
    for path in ("/enterprises/", "/cases/today/", f"/enterprises/{county.enterprise.pk}/"):
        assert client.get(path)["Location"] == "/account/password/"
    htmx = client.post(
        f"/enterprises/{county.enterprise.pk}/unmask/", headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "由管理员设置或重置" in page and "企业名册" not in page  # no menu to wander off to

    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "password1": "Huguan#2027", "password2": "Huguan#2027"},
    )
    assert response.status_code == 302
    assert client.get("/enterprises/").status_code == 200  # still signed in, free to work
    county.caseworker.refresh_from_db()
    assert not county.caseworker.must_change_password
    assert county.caseworker.check_password("Huguan#2027")
    entry = AuditEntry.objects.filter(action="update", actor=county.caseworker).latest("id")
    assert entry.detail == {"password": "changed", "reason": "管理员重置后首次修改"}


def test_the_forced_change_refuses_the_same_password(client, county):
    services.user_set_password(actor=county.sysadmin, user=county.caseworker, password=PASSWORD)
    _log_in(client)
    page = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "password1": PASSWORD, "password2": PASSWORD},
    ).content.decode()
    assert "最近 5 次" in page


def test_an_expired_password_must_be_changed(client, county, frozen, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    services.user_password_change(user=county.caseworker, password="Huguan#2026")
    frozen.shift(timedelta(days=89))
    client.post("/login/", {"username": "jingban", "password": "Huguan#2026"})
    assert client.get("/enterprises/").status_code == 200
    client.post("/logout/")
    frozen.shift(timedelta(days=1))
    client.post("/login/", {"username": "jingban", "password": "Huguan#2026"})
    assert client.get("/enterprises/")["Location"] == "/account/password/"
    assert "已使用超过 90 天" in client.get("/account/password/").content.decode()


def test_passwords_do_not_expire_when_the_setting_is_zero(client, county, frozen, settings):
    settings.PASSWORD_EXPIRY_DAYS = 0
    services.user_password_change(user=county.caseworker, password="Huguan#2026")
    frozen.shift(timedelta(days=400))
    client.post("/login/", {"username": "jingban", "password": "Huguan#2026"})
    assert client.get("/enterprises/").status_code == 200


def test_the_user_changes_his_password_from_the_user_menu(client, county):
    _log_in(client)
    home = client.get("/enterprises/").content.decode()
    assert 'href="/account/password/"' in home and "修改密码" in home
    page = client.post(
        "/account/password/",
        {"old_password": "wrong", "password1": "Huguan#2027", "password2": "Huguan#2027"},
    ).content.decode()
    assert "原密码不正确" in page
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "password1": "Huguan#2027", "password2": "Huguan#2027"},
    )
    assert response["Location"] == "/"
    assert client.get("/enterprises/").status_code == 200
    entry = AuditEntry.objects.filter(action="update", actor=county.caseworker).latest("id")
    assert entry.detail == {"password": "changed"}
    county.caseworker.refresh_from_db()
    assert county.caseworker.password_changed_at is not None


def test_the_password_page_needs_a_login(client, db):
    response = client.get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_reset_form_says_the_rules(client, county):
    client.force_login(county.sysadmin)
    page = client.post(
        f"/users/{county.caseworker.pk}/password/",
        {"password1": "Jingban#2026", "password2": "Jingban#2026"},
    ).content.decode()
    assert "不能包含用户名或姓名" in page
