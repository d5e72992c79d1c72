from core.models import AuditEntry, User


def test_administrator_creates_a_user_with_a_role(client, county):
    client.force_login(county.sysadmin)
    response = client.post(
        "/users/new/",
        {
            "username": "jingban9",
            "full_name": "新同事",
            "phone": "",
            "roles": ["经办人员"],
            "password1": "Huguan#2026",
            "password2": "Huguan#2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="jingban9")
    assert list(user.groups.values_list("name", flat=True)) == ["经办人员"]
    assert user.check_password("Huguan#2026")
    # The administrator chose it: the new colleague replaces it at the first login.
    assert user.must_change_password
    assert AuditEntry.objects.filter(action="create", object_repr="新同事").exists()


def test_weak_initial_password_is_refused(client, county):
    client.force_login(county.sysadmin)
    page = client.post(
        "/users/new/",
        {
            "username": "jingban9",
            "full_name": "新同事",
            "roles": ["经办人员"],
            "password1": "abcdefgh",
            "password2": "abcdefgh",
        },
    ).content.decode()
    assert "至少 3 类" in page
    assert not User.objects.filter(username="jingban9").exists()


def test_administrator_changes_role_and_deactivates(client, county):
    client.force_login(county.sysadmin)
    client.post(
        f"/users/{county.caseworker.pk}/edit/",
        {"full_name": "王丽华", "phone": "", "roles": ["工作组组长"], "is_active": ""},
    )
    county.caseworker.refresh_from_db()
    assert not county.caseworker.is_active
    assert list(county.caseworker.groups.values_list("name", flat=True)) == ["工作组组长"]
    changes = AuditEntry.objects.get(action="update").detail["changes"]
    assert changes["is_active"] == [True, False]
    assert changes["roles"] == [["经办人员"], ["工作组组长"]]


def test_administrator_cannot_deactivate_themselves(client, county):
    client.force_login(county.sysadmin)
    page = client.post(
        f"/users/{county.sysadmin.pk}/edit/",
        {"full_name": "杨帆", "roles": ["系统管理员"], "is_active": ""},
    ).content.decode()
    assert "不能停用自己的账号" in page
    county.sysadmin.refresh_from_db()
    assert county.sysadmin.is_active


def test_password_reset_is_audited_without_the_password(client, county):
    client.force_login(county.sysadmin)
    client.post(
        f"/users/{county.caseworker.pk}/password/",
        {"password1": "Xinmima#2026", "password2": "Xinmima#2026"},
    )
    county.caseworker.refresh_from_db()
    assert county.caseworker.check_password("Xinmima#2026")
    entry = AuditEntry.objects.get(action="update")
    assert "Xinmima" not in str(entry.detail)


def test_administrator_sees_no_enterprise(client, county):
    client.force_login(county.sysadmin)
    assert client.get("/enterprises/").status_code == 403
    assert client.get(f"/enterprises/{county.enterprise.pk}/").status_code == 403


def test_the_users_page_shows_each_users_task_groups(client, county):
    client.force_login(county.sysadmin)
    page = client.get("/users/").content.decode()
    # In the conftest county the group leader leads group A, the caseworker is a member of it.
    assert f"{county.group_a.name}（组长）" in page
    row = page[page.index(">jingban<") :]
    assert county.group_a.name in row[: row.index("</tr>")]
