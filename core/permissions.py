from functools import wraps

from django.core.exceptions import PermissionDenied

from core.roles import has_capability


def capability_required(codename: str):
    """403 unless the user's role grants the capability; login is already enforced globally."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_capability(request.user, codename):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
