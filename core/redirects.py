"""Where a form sends the user back to: only ever a page of this site. `next` and the Referer
are the client's words; taken as they are, a link could send a user from a trusted page to
another site that looks like it (an open redirect)."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def redirect_back(request, target: str, fallback, *args):
    """To `target` when it is a page of this site, else to `fallback` (a URL name or path)."""
    return redirect(target) if same_site(request, target) else redirect(fallback, *args)
