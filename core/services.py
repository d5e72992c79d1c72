from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import AuditAction, AuditResult, log_action
from core.hooks import calendar_changed
from core.models import (
    AdminChangeKind,
    AdminChangeRequest,
    AdminChangeStatus,
    PasswordHistory,
    User,
)
from core.otp import DIGITS, code_step, normalise_code
from core.roles import ROLES, has_capability, roles_problem
from core.selectors import (
    can_confirm,
    is_admin_account,
    otp_enabled,
    otp_required,
    password_expired,
)

# Accounts (三员分立). A change to an administrator's or auditor's account — one that holds
# an administrative role before or after it — is not made by the administrator who asks for it:
# it becomes an AdminChangeRequest that the other administrator confirms or rejects
# (settings.ADMIN_CHANGE_CONFIRMED_BY). The public functions below decide which, and return the
# user (changed now) or the request (waiting); the `_apply_*` functions make the change, either
# directly or at confirmation, in the confirmer's name.


def _check_actor(actor) -> None:
    # The command line (manage.py create_user) has no actor: it is the operator at the
    # server's console, who sets up the first administrators.
    if actor is not None and not has_capability(actor, "manage_users"):
        raise PermissionDenied


def _clean_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": f"没有这个角色：{'、'.join(unknown)}。"})
    problem = roles_problem(roles)
    if problem:
        raise ValidationError({"roles": problem})
    return sorted(roles, key=ROLES.index)


def _roles(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True), key=_role_order)


def _role_order(name: str) -> int:
    return ROLES.index(name) if name in ROLES else len(ROLES)


def _request_change(
    *, actor, kind, subject=None, username="", payload=None, before=None, password_hash="", request
) -> AdminChangeRequest:
    username = subject.username if subject is not None else username
    if AdminChangeRequest.objects.filter(
        subject_username=username, kind=kind, status=AdminChangeStatus.PENDING
    ).exists():
        raise ValidationError(
            f"{username} 已有一项待确认的「{AdminChangeKind(kind).label}」申请，请等待确认或先撤回。"
        )
    change = AdminChangeRequest.objects.create(
        kind=kind,
        subject=subject,
        subject_username=username,
        payload=payload or {},
        before=before or {},
        password_hash=password_hash,
        requested_by=actor,
    )
    detail = {"kind": change.get_kind_display()}
    if kind == AdminChangeKind.UPDATE:
        detail["changes"] = {
            k: [change.before.get(k), v]
            for k, v in change.payload.items()
            if change.before.get(k) != v
        }
    elif kind == AdminChangeKind.CREATE:
        detail["roles"] = change.payload.get("roles", [])
    log_action(actor=actor, action=AuditAction.CREATE, obj=change, request=request, detail=detail)
    return change


@transaction.atomic
def user_create(
    *, actor, username, full_name, phone, roles, password, request=None
) -> User | AdminChangeRequest:
    """A new account. One with an administrative role waits for the other administrator."""
    _check_actor(actor)
    roles = _clean_roles(roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已存在。"})
    if AdminChangeRequest.objects.filter(
        subject_username__iexact=username,
        kind=AdminChangeKind.CREATE,
        status=AdminChangeStatus.PENDING,
    ).exists():
        raise ValidationError({"username": "该用户名已在待确认的新建申请中。"})
    if actor is not None and is_admin_account(roles):
        return _request_change(
            actor=actor,
            kind=AdminChangeKind.CREATE,
            username=username,
            payload={"full_name": full_name, "phone": phone, "roles": roles},
            password_hash=make_password(password),
            request=request,
        )
    return _apply_create(
        actor=actor,
        username=username,
        full_name=full_name,
        phone=phone,
        roles=roles,
        encoded=make_password(password),
        # The administrator chose this password, so the user changes it at the first login.
        must_change=actor is not None,
        request=request,
    )


def _apply_create(
    *, actor, username, full_name, phone, roles, encoded, must_change, request, requested_by=None
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已存在。"})
    user = User.objects.create(username=username, full_name=full_name, phone=phone)
    _password_store(user=user, encoded=encoded, must_change=must_change)
    user.groups.set(Group.objects.filter(name__in=roles))
    detail = {"roles": roles}
    if requested_by is not None:
        detail["requested_by"] = requested_by.get_username()
    log_action(actor=actor, action=AuditAction.CREATE, obj=user, request=request, detail=detail)
    return user


@transaction.atomic
def user_update(
    *, actor, user: User, full_name, phone, roles, is_active, request=None
) -> User | AdminChangeRequest:
    _check_actor(actor)
    roles = _clean_roles(roles)
    before = {
        "full_name": user.full_name,
        "phone": user.phone,
        "roles": _roles(user),
        "is_active": user.is_active,
    }
    after = {"full_name": full_name, "phone": phone, "roles": roles, "is_active": is_active}
    if actor is not None and actor.pk == user.pk:
        # Nobody grants himself a role: the system administrator would otherwise make himself
        # a leader and read every township.
        if roles != before["roles"]:
            raise ValidationError({"roles": "不能修改自己的角色。"})
        if not is_active:
            raise ValidationError({"is_active": "不能停用自己的账号。"})
    if after == before:
        return user
    if actor is not None and (is_admin_account(before["roles"]) or is_admin_account(roles)):
        return _request_change(
            actor=actor,
            kind=AdminChangeKind.UPDATE,
            subject=user,
            payload=after,
            before=before,
            request=request,
        )
    return _apply_update(actor=actor, user=user, data=after, request=request)


def _apply_update(*, actor, user: User, data: dict, request, requested_by=None) -> User:
    roles = _clean_roles(data["roles"])
    before = {
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": user.is_active,
        "roles": _roles(user),
    }
    user.full_name, user.phone, user.is_active = data["full_name"], data["phone"], data["is_active"]
    user.save(update_fields=["full_name", "phone", "is_active"])
    user.groups.set(Group.objects.filter(name__in=roles))
    after = {**data, "roles": roles}
    # Role changes in words for the auditor: "角色：经办人员 → 工作组组长".
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    detail = {"changes": changes}
    if requested_by is not None:
        detail["requested_by"] = requested_by.get_username()
    log_action(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail=detail)
    return user


def _password_store(*, user: User, encoded: str, must_change: bool) -> None:
    user.password = encoded
    user.must_change_password = must_change
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    PasswordHistory.objects.create(user=user, password=encoded)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
        : settings.PASSWORD_HISTORY_COUNT
    ]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()


@transaction.atomic
def user_set_password(*, actor, user: User, password, request=None) -> User | AdminChangeRequest:
    """The administrator's reset: the user must change it at the next login."""
    _check_actor(actor)
    encoded = make_password(password)
    if actor is not None and is_admin_account(_roles(user)):
        return _request_change(
            actor=actor,
            kind=AdminChangeKind.PASSWORD,
            subject=user,
            password_hash=encoded,
            request=request,
        )
    return _apply_password(actor=actor, user=user, encoded=encoded, request=request)


def _apply_password(*, actor, user: User, encoded: str, request, requested_by=None) -> User:
    _password_store(user=user, encoded=encoded, must_change=True)
    detail = {"password": "reset"}
    if requested_by is not None:
        detail["requested_by"] = requested_by.get_username()
    log_action(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail=detail)
    return user


@transaction.atomic
def user_password_change(*, user: User, password, request=None) -> User:
    """The user's own change (修改密码), also the one a reset or an expired password asks for."""
    reason = (
        "管理员重置后首次修改"
        if user.must_change_password
        else ("密码已过期" if password_expired(user) else "")
    )
    _password_store(user=user, encoded=make_password(password), must_change=False)
    detail = {"password": "changed"}
    if reason:
        detail["reason"] = reason
    log_action(actor=user, action=AuditAction.UPDATE, obj=user, request=request, detail=detail)
    return user


@transaction.atomic
def user_unlock(*, actor, user: User, request=None) -> int | AdminChangeRequest:
    _check_actor(actor)
    if actor is not None and is_admin_account(_roles(user)):
        return _request_change(
            actor=actor, kind=AdminChangeKind.UNLOCK, subject=user, request=request
        )
    return _apply_unlock(actor=actor, user=user, request=request)


def _apply_unlock(*, actor, user: User, request, requested_by=None) -> int:
    removed = axes_reset(username=user.get_username())
    detail = {"unlocked": True, "attempts_cleared": removed}
    if requested_by is not None:
        detail["requested_by"] = requested_by.get_username()
    log_action(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail=detail)
    return removed


@transaction.atomic
def user_otp_reset(*, actor, user: User, request=None) -> User | AdminChangeRequest:
    """The administrator removes a user's authenticator and recovery codes (a lost phone): the
    user enrols again at the next login, which his role may demand at once."""
    _check_actor(actor)
    if not otp_enabled(user):
        raise ValidationError(f"{user.username} 没有启用双因素认证。")
    if actor is not None and is_admin_account(_roles(user)):
        return _request_change(
            actor=actor, kind=AdminChangeKind.OTP_RESET, subject=user, request=request
        )
    return _apply_otp_reset(actor=actor, user=user, request=request)


def _apply_otp_reset(*, actor, user: User, request, requested_by=None) -> User:
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    # Whoever holds the lost phone may be signed in with it: that session ends now.
    _session_end(user)
    detail = {"kind": "双因素认证", "status": "管理员重置，已解除绑定并结束该用户的登录"}
    if requested_by is not None:
        detail["requested_by"] = requested_by.get_username()
    log_action(actor=actor, action=AuditAction.UPDATE, obj=user, request=request, detail=detail)
    return user


def _session_end(user: User) -> None:
    if user.session_key:
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=user.session_key).delete()
    User.objects.filter(pk=user.pk).update(session_key="")
    user.session_key = ""


@transaction.atomic
def admin_change_decide(
    *, actor, change: AdminChangeRequest, confirm: bool, reason: str = "", request=None
) -> AdminChangeRequest:
    """The other administrator confirms (the change is made, in his name) or rejects it."""
    change = AdminChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != AdminChangeStatus.PENDING:
        raise ValidationError("该申请已经处理过了。")
    if not can_confirm(actor, change):
        raise PermissionDenied
    reason = reason.strip()
    if not confirm and not reason:
        raise ValidationError({"reason": "驳回须写明理由。"})
    if confirm:
        _apply_change(actor=actor, change=change, request=request)
    change.status = AdminChangeStatus.CONFIRMED if confirm else AdminChangeStatus.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.reason = reason[:200]
    change.password_hash = ""  # needed no longer, kept no longer
    change.save(update_fields=["status", "decided_by", "decided_at", "reason", "password_hash"])
    detail = {"kind": change.get_kind_display(), "requested_by": change.requested_by.get_username()}
    if reason:
        detail["reason" if not confirm else "comment"] = reason
    log_action(
        actor=actor,
        action=AuditAction.APPROVE if confirm else AuditAction.REJECT,
        obj=change,
        request=request,
        detail=detail,
    )
    return change


def _apply_change(*, actor, change: AdminChangeRequest, request) -> None:
    by = change.requested_by
    if change.kind == AdminChangeKind.CREATE:
        change.subject = _apply_create(
            actor=actor,
            username=change.subject_username,
            full_name=change.payload.get("full_name", ""),
            phone=change.payload.get("phone", ""),
            roles=_clean_roles(change.payload.get("roles", [])),
            encoded=change.password_hash,
            must_change=True,
            request=request,
            requested_by=by,
        )
        change.save(update_fields=["subject"])
        return
    user = User.objects.select_for_update().get(pk=change.subject_id)
    if change.kind == AdminChangeKind.UPDATE:
        _apply_update(actor=actor, user=user, data=change.payload, request=request, requested_by=by)
    elif change.kind == AdminChangeKind.PASSWORD:
        _apply_password(
            actor=actor, user=user, encoded=change.password_hash, request=request, requested_by=by
        )
    elif change.kind == AdminChangeKind.UNLOCK:
        _apply_unlock(actor=actor, user=user, request=request, requested_by=by)
    elif change.kind == AdminChangeKind.OTP_RESET:
        _apply_otp_reset(actor=actor, user=user, request=request, requested_by=by)


@transaction.atomic
def admin_change_withdraw(*, actor, change: AdminChangeRequest, request=None) -> None:
    change = AdminChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.requested_by_id != actor.pk:
        raise PermissionDenied
    if change.status != AdminChangeStatus.PENDING:
        raise ValidationError("该申请已经处理过了。")
    change.status = AdminChangeStatus.WITHDRAWN
    change.decided_by, change.decided_at = actor, timezone.now()
    change.password_hash = ""
    change.save(update_fields=["status", "decided_by", "decided_at", "password_hash"])
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=change,
        request=request,
        detail={"status": change.get_status_display()},
    )


# The login: one session per user, the second factor.


def user_login_complete(*, user: User, request, method: str = "") -> None:
    """The login is whole (password, and the code where the user has a device): this session
    becomes the user's one session, and the login is in the audit log."""
    User.objects.filter(pk=user.pk).update(session_key=request.session.session_key or "")
    user.session_key = request.session.session_key or ""
    log_action(
        actor=user,
        action=AuditAction.LOGIN,
        request=request,
        detail={"method": method} if method else None,
    )


def user_session_register(*, user: User, session_key: str) -> None:
    """After the session's key changed under a signed-in user (a password change cycles it)."""
    User.objects.filter(pk=user.pk).update(session_key=session_key or "")
    user.session_key = session_key or ""


def otp_login_verify(*, user: User, code: str, request=None) -> str:
    """The second step of the login: a code from the authenticator or an unused recovery code.
    Returns how the user proved it; a wrong code is refused (ValidationError) and counted by
    django-otp, which makes each next try wait twice as long (1, 2, 4 … seconds)."""
    code = normalise_code(code)
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        # Six digits come from the authenticator; a recovery code is eight letters and digits.
        device = totp if code.isdigit() and len(code) == DIGITS else static
        method, refusal, result = "", "", AuditResult.FAILURE
        if device is None:
            refusal = "验证码不正确。" if totp else "尚未启用双因素认证。"
        else:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                until = timezone.localtime((data or {}).get("locked_until") or timezone.now())
                refusal = f"验证码错误次数过多，请于 {until:%H:%M:%S} 以后再试。"
                result = AuditResult.DENIED
            elif device.verify_token(code):
                method = "密码+动态验证码" if device is totp else "密码+恢复码"
            else:
                refusal = (
                    "验证码不正确，请输入身份验证器上当前显示的 6 位数字，或一个未用过的恢复码。"
                )
        if not method:
            log_action(
                actor=user,
                action=AuditAction.LOGIN_FAILED,
                result=result,
                request=request,
                detail={"reason": "双因素认证：" + refusal.split("，")[0].rstrip("。")},
            )
    if not method:
        raise ValidationError({"code": refusal})
    if request is not None and device is not None:
        otp_login(request, device)
    return method


@transaction.atomic
def otp_enrol(*, user: User, key: str, code: str, request=None) -> list[str]:
    """Bind the authenticator whose secret the enrolment page showed, once the user proved with
    one of its codes that his app holds it; returns the new recovery codes, shown once."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time
    if otp_enabled(user):
        raise ValidationError("已经启用了双因素认证。")
    step = code_step(key, code)
    if step is None:
        raise ValidationError({"code": "验证码不正确，请核对手机时间后输入当前显示的 6 位数字。"})
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    # The code just used is spent: it may not open the next login.
    TOTPDevice.objects.create(user=user, name="身份验证器", key=key, confirmed=True, last_t=step)
    codes = _recovery_codes_new(user)
    log_action(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"kind": "双因素认证", "status": "已绑定身份验证器并生成恢复码"},
    )
    return codes


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes: set[str] = set()
    while len(codes) < settings.OTP_RECOVERY_CODES:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in sorted(codes))
    return sorted(codes)


@transaction.atomic
def otp_recovery_codes_renew(*, user: User, request=None) -> list[str]:
    if not otp_enabled(user):
        raise ValidationError("尚未启用双因素认证。")
    codes = _recovery_codes_new(user)
    log_action(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"kind": "双因素认证", "status": "重新生成恢复码，原恢复码作废"},
    )
    return codes


@transaction.atomic
def otp_remove(*, user: User, request=None) -> None:
    """The user switches two-factor login off, where his role does not require it."""
    if otp_required(user):
        raise ValidationError("您的角色必须使用双因素认证，不能停用。")
    if not otp_enabled(user):
        raise ValidationError("尚未启用双因素认证。")
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    log_action(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"kind": "双因素认证", "status": "本人停用"},
    )


@transaction.atomic
def calendar_year_save(*, actor, year: int, holidays: list, workdays: list, request=None) -> int:
    """Replace a year's holidays and make-up workdays with what the administrator entered."""
    from core.models import CalendarYear, Holiday

    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create(
        [Holiday(date=day, is_workday=False, name=name) for day, name in holidays]
        + [Holiday(date=day, is_workday=True, name="调休上班") for day in workdays]
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"source": "人工录入"})
    log_action(
        actor=actor,
        action=AuditAction.SETTINGS,
        request=request,
        detail={"calendar_year": year, "holidays": len(holidays), "workdays": len(workdays)},
    )
    calendar_changed(year=year)
    return len(holidays) + len(workdays)


@transaction.atomic
def settings_update(*, actor, model, data: dict, request=None):
    """Change a one-row settings model (pk 1) under a row lock and log what changed."""
    row = model.objects.select_for_update().get(pk=1)
    changes = {k: [str(getattr(row, k)), str(v)] for k, v in data.items() if getattr(row, k) != v}
    for name, value in data.items():
        setattr(row, name, value)
    row.save()
    log_action(
        actor=actor,
        action=AuditAction.SETTINGS,
        obj=row,
        request=request,
        detail={"changes": changes},
    )
    return row
