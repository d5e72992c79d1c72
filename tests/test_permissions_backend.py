"""core.backends.RoleModelBackend: what a user may do, read in one query instead of Django's two
(every page asks: the menu shows only what the user may do), with the same answers."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from core.backends import RoleModelBackend
from core.roles import has_capability

User = get_user_model()


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache from earlier checks


def _both(user):
    return RoleModelBackend().get_all_permissions(_fresh(user)), ModelBackend().get_all_permissions(
        _fresh(user)
    )


def test_a_role_gives_its_capabilities_and_nothing_else(county, django_assert_num_queries):
    user = _fresh(county.caseworker)
    with django_assert_num_queries(1):
        assert has_capability(user, "issue_documents")
        assert not has_capability(user, "approve_actions")
        assert not has_capability(user, "view_audit_log")
    ours, djangos = _both(county.caseworker)
    assert ours == djangos and "core.manage_ledger" in ours


def test_a_permission_given_to_the_user_alone_counts_too(county):
    county.caseworker.user_permissions.add(Permission.objects.get(codename="approve_actions"))
    ours, djangos = _both(county.caseworker)
    assert ours == djangos and "core.approve_actions" in ours
    assert has_capability(_fresh(county.caseworker), "approve_actions")


def test_an_inactive_account_may_do_nothing(county):
    User.objects.filter(pk=county.group_leader.pk).update(is_active=False)
    user = _fresh(county.group_leader)
    assert RoleModelBackend().get_all_permissions(user) == set()
    assert not has_capability(user, "view_enterprises")


def test_a_superuser_holds_every_permission(county):
    User.objects.filter(pk=county.caseworker.pk).update(is_superuser=True)
    ours, djangos = _both(county.caseworker)
    assert ours == djangos and len(ours) == Permission.objects.count()


def test_the_roles_of_several_groups_add_up(county):
    leader_role = county.group_leader.groups.get()
    county.caseworker.groups.add(leader_role)
    ours, djangos = _both(county.caseworker)
    assert ours == djangos and "core.approve_actions" in ours


def test_the_role_names_come_with_the_permissions(county, django_assert_num_queries):
    from core.roles import role_names

    leader_role = county.group_leader.groups.get()
    county.caseworker.groups.add(leader_role)
    user = _fresh(county.caseworker)
    with django_assert_num_queries(1):
        assert has_capability(user, "approve_actions")
        assert role_names(user) == sorted(["经办人员", "工作组组长"])
    assert role_names(_fresh(county.caseworker)) == role_names(user)  # read apart: the same


def test_the_menu_shows_the_viewers_roles_on_a_page_about_another_user(client, county):
    # The user pages pass the roles of the account they show; the menu keeps the viewer's.
    client.force_login(county.sysadmin)
    page = client.get(f"/users/{county.caseworker.pk}/edit/").content.decode()
    menu = page[page.index('id="user-menu"') : page.index("修改密码")]
    assert "系统管理员" in menu and "经办人员" not in menu
