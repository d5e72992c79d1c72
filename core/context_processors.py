from django.conf import settings

from core.roles import CAPABILITIES, has_capability


def site(request):
    user = getattr(request, "user", None)
    can = {}
    if user is not None and user.is_authenticated:
        can = {codename: has_capability(user, codename) for codename, _ in CAPABILITIES}
    return {"app_version": settings.VERSION, "office_name": settings.OFFICE_NAME, "can": can}
