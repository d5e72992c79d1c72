"""The signed-in user's own account: the second step of the login, the password change and the
two-factor settings. LoginStepsMiddleware sends a login that is not finished to these pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_POST

from core import services
from core.forms import OtpCodeForm, PasswordChangeForm, add_service_errors
from core.middleware import LOGIN_NEXT, LOGIN_PENDING
from core.otp import config_url, key_text, new_key, qr_svg
from core.selectors import otp_enabled, otp_required, password_expired, recovery_codes_left

# The secret the enrolment page shows, kept in the session (not in the database) until the
# user proved with a code that his app holds it.
OTP_NEW_KEY = "qq_otp_new_key"
# New recovery codes, until the page that shows them once has been drawn.
RECOVERY_CODES = "qq_recovery_codes"


def _finish_login(request, method: str):
    """The second factor is done: a fresh session key for the stronger login (so that a key
    seen before it is worth nothing), then the login is registered and audited."""
    request.session.pop(LOGIN_PENDING, None)
    destination = request.session.pop(LOGIN_NEXT, None) or resolve_url(settings.LOGIN_REDIRECT_URL)
    request.session.cycle_key()
    services.user_login_complete(user=request.user, request=request, method=method)
    return destination


def login_verify(request):
    if request.session.get(LOGIN_PENDING) != "otp":
        return redirect("home")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.otp_login_verify(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_finish_login(request, method))
    return render(request, "registration/login_verify.html", {"form": form})


def otp_setup(request):
    user = request.user
    enrolling = request.session.get(LOGIN_PENDING) == "enrol"
    required = otp_required(user)
    if otp_enabled(user):
        if enrolling:
            # Bound meanwhile (another tab): this login proves it with a code like any other.
            request.session[LOGIN_PENDING] = "otp"
            return redirect("login_verify")
        return render(
            request,
            "core/otp_setup.html",
            {"enabled": True, "required": required, "codes_left": recovery_codes_left(user)},
        )
    key = request.session.get(OTP_NEW_KEY) or new_key()
    request.session[OTP_NEW_KEY] = key
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.otp_enrol(
                user=user, key=key, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop(OTP_NEW_KEY, None)
            if enrolling:
                request.session[LOGIN_NEXT] = _finish_login(request, "密码+新绑定的身份验证器")
            request.session[RECOVERY_CODES] = codes
            return redirect("otp_recovery")
    return render(
        request,
        "core/otp_setup.html",
        {
            "enabled": False,
            "required": required,
            "enrolling": enrolling,
            "form": form,
            "qr": qr_svg(config_url(user, key)),
            "key_text": key_text(key),
        },
    )


def otp_recovery(request):
    """The new recovery codes, shown once: they are not shown again, only renewed."""
    codes = request.session.pop(RECOVERY_CODES, None)
    if not codes:
        return redirect("otp_setup")
    destination = request.session.pop(LOGIN_NEXT, None) or resolve_url("otp_setup")
    return render(request, "core/otp_recovery.html", {"codes": codes, "next": destination})


@require_POST
def otp_recovery_new(request):
    try:
        codes = services.otp_recovery_codes_renew(user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("otp_setup")
    request.session[RECOVERY_CODES] = codes
    return redirect("otp_recovery")


@require_POST
def otp_remove(request):
    try:
        services.otp_remove(user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已停用双因素认证。")
    return redirect("otp_setup")


def password_change(request):
    user = request.user
    forced = user.must_change_password or password_expired(user)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_password_change(
            user=user, password=form.cleaned_data["password1"], request=request
        )
        # Keep this session signed in with the new password (the key is cycled), and keep it
        # the user's one session; every other session ended with the old password.
        update_session_auth_hash(request, user)
        services.user_session_register(user=user, session_key=request.session.session_key)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "forced": forced,
            "reset": user.must_change_password,
            "expiry_days": settings.PASSWORD_EXPIRY_DAYS,
        },
    )
