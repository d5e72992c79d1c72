import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from core.audit import AuditAction, AuditResult, log_action
from core.selectors import password_expired

SESSION_STARTED = "qq_started"
SESSION_LAST_SEEN = "qq_last_seen"
# Saving the session on every request would cost a write per click; a minute of slack is fine.
_TOUCH_EVERY_SECONDS = 60


def mark_session_started(request) -> None:
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class SessionLimitsMiddleware:
    """Logs a user out after 30 idle minutes or 12 hours since login (DESIGN §5)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired_reason(request)
            if expired:
                return self._end_session(request, expired)
        return self.get_response(request)

    def _expired_reason(self, request) -> str | None:
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED)
        last_seen = session.get(SESSION_LAST_SEEN)
        if started is None or last_seen is None:
            mark_session_started(request)
            return None
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            return "idle"
        if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return "absolute"
        # A progress page polls by itself: that is not the user at the desk, and must not keep
        # an unattended session open for ever.
        polling = request.headers.get("X-QQ-Poll") == "1"
        if now - last_seen >= _TOUCH_EVERY_SECONDS and not polling:
            session[SESSION_LAST_SEEN] = now
        return None

    def _end_session(self, request, reason: str):
        log_action(
            actor=request.user,
            action=AuditAction.SESSION_EXPIRED,
            request=request,
            detail={"reason": reason},
        )
        logout(request)
        text = (
            "您已超过 30 分钟未操作，系统已自动退出，请重新登录。"
            if reason == "idle"
            else "本次登录已满 12 小时，请重新登录。"
        )
        messages.warning(request, text)
        login_redirect = redirect_to_login(request.get_full_path())
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the login page into a fragment; make the browser navigate instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_redirect["Location"]
            return response
        return login_redirect


# What the login view left for the session to do before it may see anything: "otp" (enter the
# code of the user's authenticator) or "enrol" (bind one: the role requires it). Written only
# by the login view (core.views), so a session without it is a finished login.
LOGIN_PENDING = "qq_login_pending"
# Where the login was going (?next=), for after the second factor.
LOGIN_NEXT = "qq_login_next"

# The pages each pending step leaves open; everything else leads to the step's page.
_OPEN_WHILE = {
    "otp": {"login_verify", "logout"},
    "enrol": {"otp_setup", "otp_recovery", "logout"},
    "password": {"password_change", "otp_recovery", "logout"},
}
_STEP_PAGE = {"otp": "login_verify", "enrol": "otp_setup", "password": "password_change"}


def _navigate(request, url: str):
    if request.headers.get("HX-Request") == "true":
        # htmx would swap the page into a fragment; make the browser navigate instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class LoginStepsMiddleware:
    """What a signed-in session must do before anything else, and whether it may go on at all:

    - with SINGLE_SESSION, a session that is no longer the user's latest login ends, with
      "您的账号已在其他地方登录" on the login page and an entry in the audit log;
    - a login that still owes its second factor reaches only the code page, and one whose role
      requires a second factor it does not have yet only the enrolment page;
    - a password that an administrator reset, or that expired (PASSWORD_EXPIRY_DAYS), leads
      every page to the change form until the user chose a new one.

    Everything it reads is on the session and the user row the request loaded already: no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and settings.SINGLE_SESSION
            and user.session_key
            and not request.session.get(LOGIN_PENDING)
            and user.session_key != request.session.session_key
        ):
            return self._replaced(request)
        return self.get_response(request)

    def _replaced(self, request):
        log_action(
            actor=request.user,
            action=AuditAction.SESSION_EXPIRED,
            request=request,
            detail={"reason": "账号已在其他地方登录，本会话结束"},
        )
        logout(request)
        messages.warning(
            request, "您的账号已在其他地方登录，本次会话已结束。如非本人操作，请立即修改密码。"
        )
        return _navigate(request, redirect_to_login(request.get_full_path())["Location"])

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        step = request.session.get(LOGIN_PENDING)
        if not step and (user.must_change_password or password_expired(user)):
            step = "password"
        if not step or step not in _OPEN_WHILE:
            return None
        if request.resolver_match.url_name in _OPEN_WHILE[step]:
            return None
        return _navigate(request, reverse(_STEP_PAGE[step]))


logger = logging.getLogger(__name__)


class BusyMiddleware:
    """A writer that waited longer than LOCK_TIMEOUT_MS for a row someone else holds gives up
    (core.locks); its transaction rolled back, so nothing was written. The user is told to try
    again rather than shown a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_lock_timeout(exception):
            return None
        logger.warning("lock timeout on %s %s", request.method, request.path)
        return TemplateResponse(request, "busy.html", status=503)


def is_lock_timeout(error: BaseException) -> bool:
    # psycopg2 raises LockNotAvailable (SQLSTATE 55P03) when lock_timeout expires.
    return isinstance(error, OperationalError) and getattr(error.__cause__, "pgcode", "") == "55P03"


class RefusedAccessAuditMiddleware:
    """A signed-in user refused (403) or sent to 404 — which is also what another township's
    enterprise, case or document answers, so as not to tell that it exists — is in the audit
    log with the address asked for: probing for other townships' data leaves a trace."""

    REFUSED = {403: "无权访问", 404: "对象不存在或不在本人管辖范围"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        reason = self.REFUSED.get(response.status_code)
        if reason and request.user.is_authenticated:
            log_action(
                actor=request.user,
                action=AuditAction.ACCESS_REFUSED,
                result=AuditResult.DENIED,
                request=request,
                detail={
                    "status": response.status_code,
                    "reason": reason,
                    "method": request.method,
                    "path": request.get_full_path()[:500],
                },
            )
        return response


class NoStoreMiddleware:
    """Nothing a signed-in user is shown is kept by the browser's or a proxy's cache: every
    page carries personal or financial data of enterprises, and an office PC is shared. Static
    files are answered before this (WhiteNoise) and keep their long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
