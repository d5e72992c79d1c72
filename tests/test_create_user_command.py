import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry, User


def test_first_administrator_is_created_with_the_role_and_audited(db):
    call_command("create_user", "admin", "--role", "系统管理员", "--password", "Kaishi#2026")
    user = User.objects.get(username="admin")
    assert not user.is_superuser
    assert user.has_perm("core.manage_users") and not user.has_perm("core.view_enterprises")
    assert AuditEntry.objects.filter(action="create", object_repr="admin").exists()


def test_weak_password_is_refused(db):
    with pytest.raises(CommandError, match="至少 3 类"):
        call_command("create_user", "admin", "--role", "系统管理员", "--password", "abcdefgh")
    assert not User.objects.exists()
