from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from core.menu import cached_badges
from core.roles import CAPABILITIES, capabilities, role_names

# The menu's approval badges come from the app that owns approvals. core imports nothing of
# ours (DESIGN §2), so it names the selector by its dotted path; a deployment may point the
# setting elsewhere. `user -> {"waiting": int, "rejected": [...], "rejected_count": int, ...}`.
MENU_BADGES = "enforcement.selectors.approval_badges"


def site(request):
    user = getattr(request, "user", None)
    can = {}
    roles = []
    badges = {}
    if user is not None and user.is_authenticated:
        held = capabilities(user)
        can = {codename: codename in held for codename, _ in CAPABILITIES}
        roles = role_names(user)
        # Lazy: counted only when a page draws the menu, never for an htmx fragment.
        badges = SimpleLazyObject(
            lambda: cached_badges(
                user, import_string(getattr(settings, "MENU_BADGES", MENU_BADGES))
            )
        )
    return {
        "app_version": settings.VERSION,
        "office_name": settings.OFFICE_NAME,
        "can": can,
        # The same as a list, for `{% if approval.capability in capabilities %}`.
        "capabilities": [codename for codename, held in can.items() if held],
        "menu_badges": badges,
        # The user's roles, shown beside the name in the menu.
        "menu_roles": roles,
    }
