"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleModelBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions — their own and their roles' — in
    one query instead of two. Every page asks for them: the menu and the buttons show only
    what the user may do (core.context_processors)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            # Unordered: Permission's default ordering is not allowed in the parts of a UNION
            # on SQLite (the demo).
            columns = ("content_type__app_label", "codename")
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*columns)
            roles = Permission.objects.filter(group__user=user_obj).order_by().values_list(*columns)
            user_obj._perm_cache = {f"{app}.{name}" for app, name in own.union(roles)}
        return user_obj._perm_cache
