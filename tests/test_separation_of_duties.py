"""三员分立 (等保 level 3): the system administrator manages accounts but holds no business
role and grants none to himself; a change to an administrator's or the auditor's account waits
for the other administrator (安全管理员 by default); every role change is in the audit log, in
words, for the auditor."""

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import roles, services
from core.audit_display import detail_lines
from core.models import AdminChangeRequest, AuditEntry, User
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def security_admin(county):
    return UserFactory(username="anquan", full_name="安全员", role=roles.SECURITY_ADMIN)


def _edit(client, user, roles_, **fields):
    data = {"full_name": user.full_name, "phone": "", "roles": roles_, "is_active": "on"}
    data.update(fields)
    return client.post(f"/users/{user.pk}/edit/", data)


def _roles(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_the_security_administrator_role_exists_with_its_one_capability(security_admin):
    assert security_admin.has_perm("core.confirm_admin_changes")
    assert not security_admin.has_perm("core.manage_users")
    assert not security_admin.has_perm("core.view_enterprises")


def test_the_administrator_cannot_make_himself_a_leader(client, county):
    client.force_login(county.sysadmin)
    # His own roles are shown, not editable: a posted role is ignored ...
    assert "不能修改自己的角色" in client.get(f"/users/{county.sysadmin.pk}/edit/").content.decode()
    _edit(client, county.sysadmin, [roles.TASKFORCE_LEADER])
    assert _roles(county.sysadmin) == [roles.SYSTEM_ADMIN]
    # ... and the service refuses it all the same.
    with pytest.raises(ValidationError, match="不能修改自己的角色"):
        services.user_update(
            actor=county.sysadmin,
            user=county.sysadmin,
            full_name="x",
            phone="",
            roles=[roles.TASKFORCE_LEADER],
            is_active=True,
        )
    assert not AdminChangeRequest.objects.exists()
    assert client.get("/enterprises/").status_code == 403


@pytest.mark.parametrize("admin_role", roles.ADMIN_ROLES)
def test_an_administrator_holds_no_business_role(client, county, admin_role):
    client.force_login(county.sysadmin)
    page = _edit(client, county.caseworker, [admin_role, roles.CASEWORKER]).content.decode()
    assert f"{admin_role}不能同时担任其他角色" in page
    page = client.post(
        "/users/new/",
        {
            "username": "xin",
            "full_name": "新同事",
            "roles": [admin_role, roles.TASKFORCE_LEADER],
            "password1": "Huguan#2026",
            "password2": "Huguan#2026",
        },
    ).content.decode()
    assert f"{admin_role}不能同时担任其他角色" in page
    with pytest.raises(ValidationError, match="不能同时担任其他角色"):
        services.user_create(
            actor=None,
            username="xin",
            full_name="",
            phone="",
            roles=[admin_role, roles.CASEWORKER],
            password="Huguan#2026",
        )
    assert not User.objects.filter(username="xin").exists()
    assert _roles(county.caseworker) == [roles.CASEWORKER]


def test_create_user_refuses_an_administrator_with_a_business_role(db):
    with pytest.raises(CommandError, match="系统管理员不能同时担任其他角色"):
        call_command(
            "create_user", "admin", "--role", "系统管理员", "--role", "专班领导",
            "--password", "Kaishi#2026",
        )  # fmt: skip
    assert not User.objects.exists()
    call_command(
        "create_user", "zuzhang", "--role", "经办人员", "--role", "工作组组长",
        "--password", "Kaishi#2026",
    )  # fmt: skip
    assert _roles(User.objects.get(username="zuzhang")) == ["工作组组长", "经办人员"]


def test_business_roles_are_given_to_others_at_once_and_audited_in_words(client, county):
    client.force_login(county.sysadmin)
    _edit(client, county.caseworker, [roles.CASEWORKER, roles.GROUP_LEADER])
    assert _roles(county.caseworker) == [roles.GROUP_LEADER, roles.CASEWORKER]
    entry = AuditEntry.objects.get(action="update", object_id=str(county.caseworker.pk))
    assert "角色：经办人员 → 经办人员、工作组组长" in detail_lines(entry)


def test_a_change_to_the_auditors_roles_waits_for_the_security_administrator(
    client, county, security_admin
):
    client.force_login(county.sysadmin)
    response = _edit(client, county.auditor, [roles.SUPERVISOR])
    assert response.status_code == 302
    assert _roles(county.auditor) == [roles.AUDIT_ADMIN]  # nothing changed yet
    change = AdminChangeRequest.objects.get()
    assert (change.kind, change.status, change.requested_by) == (
        "update",
        "pending",
        county.sysadmin,
    )
    page = client.get("/users/").content.decode()
    assert "角色：审计管理员 → 督查人员" in page and "等待安全管理员确认" in page
    # The requester cannot confirm his own request.
    client.post(f"/users/changes/{change.pk}/", {"decision": "confirm"})
    change.refresh_from_db()
    assert change.status == "pending"

    client.force_login(security_admin)
    assert client.get("/").url == "/users/"
    page = client.get("/users/").content.decode()
    assert "角色：审计管理员 → 督查人员" in page and 'value="confirm"' in page
    assert "/users/new/" not in page  # he confirms; he does not manage accounts
    client.post(f"/users/changes/{change.pk}/", {"decision": "confirm"})
    change.refresh_from_db()
    assert change.status == "confirmed" and change.decided_by == security_admin
    assert _roles(county.auditor) == [roles.SUPERVISOR]
    done = AuditEntry.objects.get(action="update", object_id=str(county.auditor.pk))
    assert done.actor == security_admin
    assert "角色：审计管理员 → 督查人员" in detail_lines(done)
    assert "申请人：admin" in detail_lines(done)
    assert AuditEntry.objects.filter(action="approve", object_type="core.adminchangerequest")


def test_a_rejection_needs_a_reason_and_changes_nothing(client, county, security_admin):
    services.user_update(
        actor=county.sysadmin,
        user=county.auditor,
        full_name=county.auditor.full_name,
        phone="",
        roles=[roles.AUDIT_ADMIN],
        is_active=False,
    )
    change = AdminChangeRequest.objects.get()
    client.force_login(security_admin)
    client.post(f"/users/changes/{change.pk}/", {"decision": "reject", "reason": ""})
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(f"/users/changes/{change.pk}/", {"decision": "reject", "reason": "审计员仍在岗"})
    change.refresh_from_db()
    county.auditor.refresh_from_db()
    assert change.status == "rejected" and county.auditor.is_active
    entry = AuditEntry.objects.get(action="reject")
    assert entry.detail["reason"] == "审计员仍在岗"
    client.force_login(county.sysadmin)
    assert "审计员仍在岗" in client.get("/users/").content.decode()


def test_the_auditors_password_reset_waits_and_then_forces_a_change(client, county, security_admin):
    client.force_login(county.sysadmin)
    client.post(
        f"/users/{county.auditor.pk}/password/",
        {"password1": "Xinmima#2026", "password2": "Xinmima#2026"},
    )
    county.auditor.refresh_from_db()
    assert county.auditor.check_password(PASSWORD)  # the old one still: not confirmed yet
    change = AdminChangeRequest.objects.get(kind="password")
    assert change.password_hash and "Xinmima" not in str(change.payload)
    services.admin_change_decide(actor=security_admin, change=change, confirm=True)
    county.auditor.refresh_from_db()
    change.refresh_from_db()
    assert county.auditor.check_password("Xinmima#2026") and county.auditor.must_change_password
    assert change.password_hash == ""  # not kept once used
    assert not any("Xinmima" in str(e.detail) for e in AuditEntry.objects.all())


def test_unlock_and_2fa_reset_of_an_administrator_wait_too(client, county, security_admin):
    for _ in range(5):
        client.post("/login/", {"username": "shenji", "password": "wrong"})
    client.force_login(county.sysadmin)
    client.post(f"/users/{county.auditor.pk}/unlock/")
    client.post(f"/users/{county.auditor.pk}/otp-reset/")
    assert AccessAttempt.objects.filter(username="shenji").exists()
    assert TOTPDevice.objects.filter(user=county.auditor).exists()
    kinds = set(AdminChangeRequest.objects.values_list("kind", flat=True))
    assert kinds == {"unlock", "otp_reset"}
    for change in AdminChangeRequest.objects.all():
        services.admin_change_decide(actor=security_admin, change=change, confirm=True)
    assert not AccessAttempt.objects.filter(username="shenji", failures_since_start__gte=5)
    assert not TOTPDevice.objects.filter(user=county.auditor).exists()


def test_a_new_administrator_account_waits_for_confirmation(client, county, security_admin):
    client.force_login(county.sysadmin)
    client.post(
        "/users/new/",
        {
            "username": "admin2",
            "full_name": "第二管理员",
            "roles": [roles.SYSTEM_ADMIN],
            "password1": "Huguan#2026",
            "password2": "Huguan#2026",
        },
    )
    assert not User.objects.filter(username="admin2").exists()
    change = AdminChangeRequest.objects.get(kind="create")
    services.admin_change_decide(actor=security_admin, change=change, confirm=True)
    user = User.objects.get(username="admin2")
    assert _roles(user) == [roles.SYSTEM_ADMIN] and user.must_change_password
    assert user.check_password("Huguan#2026")


def test_one_pending_request_per_account_and_kind_and_the_requester_withdraws(client, county):
    client.force_login(county.sysadmin)
    _edit(client, county.auditor, [roles.SUPERVISOR])
    page = _edit(client, county.auditor, [roles.CASEWORKER]).content.decode()
    assert "已有一项待确认的「修改账号」申请" in page
    change = AdminChangeRequest.objects.get()
    client.post(f"/users/changes/{change.pk}/", {"decision": "withdraw"})
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_the_account_holder_cannot_confirm_a_change_to_his_own_account(county, security_admin):
    other = UserFactory(username="anquan2", role=roles.SECURITY_ADMIN)
    change = services.user_update(
        actor=county.sysadmin,
        user=security_admin,
        full_name="安全员",
        phone="13800000000",
        roles=[roles.SECURITY_ADMIN],
        is_active=True,
    )
    with pytest.raises(Exception) as refused:
        services.admin_change_decide(actor=security_admin, change=change, confirm=True)
    assert type(refused.value).__name__ == "PermissionDenied"
    services.admin_change_decide(actor=other, change=change, confirm=True)
    security_admin.refresh_from_db()
    assert security_admin.phone == "13800000000"


def test_a_second_system_administrator_confirms_when_the_setting_says_so(
    client, county, security_admin, settings
):
    settings.ADMIN_CHANGE_CONFIRMED_BY = "second_sysadmin"
    second = UserFactory(username="admin2", role=roles.SYSTEM_ADMIN)
    change = services.user_unlock(actor=county.sysadmin, user=county.auditor)
    client.force_login(county.sysadmin)
    assert "等待另一位系统管理员确认" in client.get("/users/").content.decode()
    client.force_login(security_admin)
    client.post(f"/users/changes/{change.pk}/", {"decision": "confirm"})
    change.refresh_from_db()
    assert change.status == "pending"
    client.force_login(second)
    client.post(f"/users/changes/{change.pk}/", {"decision": "confirm"})
    change.refresh_from_db()
    assert change.status == "confirmed" and change.decided_by == second


def test_the_auditor_sees_the_role_changes_but_manages_no_user(client, county, security_admin):
    services.user_update(
        actor=county.sysadmin,
        user=county.caseworker,
        full_name=county.caseworker.full_name,
        phone="",
        roles=[roles.GROUP_LEADER],
        is_active=True,
    )
    client.force_login(county.auditor)
    assert client.get("/users/").status_code == 403
    assert client.get(f"/users/{county.caseworker.pk}/edit/").status_code == 403
    page = client.get("/audit/").content.decode()
    assert "角色：经办人员 → 工作组组长" in page


def test_only_administrators_reach_the_decision(client, county, security_admin):
    change = services.user_unlock(actor=county.sysadmin, user=county.auditor)
    for user in (county.caseworker, county.leader, county.auditor):
        client.force_login(user)
        assert (
            client.post(f"/users/changes/{change.pk}/", {"decision": "confirm"}).status_code == 403
        )
    change.refresh_from_db()
    assert change.status == "pending"
