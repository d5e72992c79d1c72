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
