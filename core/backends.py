"""Authentication backends."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


def _tables() -> dict[str, str]:
    user = get_user_model()
    return {
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
        "user_permissions": user.user_permissions.through._meta.db_table,
        "user_groups": user.groups.through._meta.db_table,
        "group_permissions": Group.permissions.through._meta.db_table,
        "group": Group._meta.db_table,
    }


# A user's permissions (their own and their roles') and the names of their roles, in one
# round trip. Written out rather than through the ORM: every page asks for both (the menu
# shows only what the user may do, and the roles beside the user's name), and compiling the
# ORM's two-part UNION was a millisecond of each page's time.
_PERMISSIONS_AND_ROLES = """
SELECT ct.app_label || '.' || p.codename, NULL
FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id
WHERE p.id IN (
    SELECT permission_id FROM {user_permissions} WHERE user_id = %s
    UNION ALL
    SELECT gp.permission_id FROM {group_permissions} gp
    JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s
)
UNION ALL
SELECT NULL, g.name FROM {group} g JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = %s
"""


class RoleModelBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions — their own and their roles' — and
    their roles' names in one query instead of three (core.roles.role_names takes the names
    from here)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            sql = _PERMISSIONS_AND_ROLES.format(
                **{name: connection.ops.quote_name(table) for name, table in _tables().items()}
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [user_obj.pk] * 3)
                rows = cursor.fetchall()
            user_obj._perm_cache = {perm for perm, _ in rows if perm is not None}
            user_obj._role_names = sorted(role for _, role in rows if role is not None)
        return user_obj._perm_cache
