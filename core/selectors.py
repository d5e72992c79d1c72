from datetime import date, datetime, time, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AdminChangeRequest, AdminChangeStatus, AuditEntry, User
from core.roles import ADMIN_ROLES, has_capability


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_search(
    *,
    username="",
    action="",
    object_type="",
    result="",
    text="",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if username:
        # The user exactly (jingban is not jingban2), or by part of the full name.
        entries = entries.filter(
            Q(actor_username__iexact=username) | Q(actor__full_name__icontains=username)
        )
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if result:
        entries = entries.filter(result=result)
    if text:
        entries = entries.filter(Q(object_repr__icontains=text) | Q(object_id=text))
    if date_from:
        entries = entries.filter(at__gte=_local_midnight(date_from))
    if date_to:
        entries = entries.filter(at__lt=_local_midnight(date_to) + timezone.timedelta(days=1))
    return entries


def users_list(*, text="") -> QuerySet[User]:
    # The task groups by their reverse names: core sits above enterprises and names no model of it.
    users = (
        User.objects.prefetch_related("groups", "task_groups", "led_task_groups")
        .annotate(
            otp_enabled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            change_pending=Exists(
                AdminChangeRequest.objects.filter(
                    subject=OuterRef("pk"), status=AdminChangeStatus.PENDING
                )
            ),
        )
        .order_by("username")
    )
    if text:
        users = users.filter(Q(username__icontains=text) | Q(full_name__icontains=text))
    return users


def locked_usernames(usernames) -> set[str]:
    """Those of `usernames` that django-axes refuses now: as many failures as the limit within
    the cool-off time (the lockout is by user name, settings.AXES_LOCKOUT_PARAMETERS)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


# Accounts and their login (三员分立, passwords, two-factor login, one session per user).


def is_admin_account(roles) -> bool:
    """An administrator's or auditor's account, whose changes need the other administrator."""
    return any(role in ADMIN_ROLES for role in roles)


def otp_required(user) -> bool:
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(required) and user.groups.filter(name__in=required).exists()


def otp_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def password_expired(user) -> bool:
    """Older than PASSWORD_EXPIRY_DAYS (0: never). A password set outside the application has
    no date and does not expire: the migration dated every existing one."""
    days = settings.PASSWORD_EXPIRY_DAYS
    changed = user.password_changed_at
    return bool(days) and changed is not None and timezone.now() - changed >= timedelta(days=days)


def confirmer_label() -> str:
    return (
        "另一位系统管理员"
        if settings.ADMIN_CHANGE_CONFIRMED_BY == "second_sysadmin"
        else "安全管理员"
    )


def can_confirm(user, change: AdminChangeRequest) -> bool:
    """The other administrator: holds the confirming capability of the setting, and is neither
    the requester nor the account's holder."""
    capability = (
        "manage_users"
        if settings.ADMIN_CHANGE_CONFIRMED_BY == "second_sysadmin"
        else "confirm_admin_changes"
    )
    return (
        has_capability(user, capability)
        and user.pk != change.requested_by_id
        and user.pk != change.subject_id
    )


def can_see_admin_changes(user) -> bool:
    return has_capability(user, "manage_users") or has_capability(user, "confirm_admin_changes")


def admin_changes_pending() -> QuerySet[AdminChangeRequest]:
    return AdminChangeRequest.objects.filter(status=AdminChangeStatus.PENDING).select_related(
        "requested_by", "subject"
    )


def admin_changes_recent(*, days: int = 7, limit: int = 10) -> QuerySet[AdminChangeRequest]:
    """Requests decided lately, so that the requester sees a rejection and its reason."""
    return (
        AdminChangeRequest.objects.exclude(status=AdminChangeStatus.PENDING)
        .filter(decided_at__gte=timezone.now() - timedelta(days=days))
        .select_related("requested_by", "decided_by", "subject")
        .order_by("-decided_at", "-id")[:limit]
    )


def admin_change_lines(change: AdminChangeRequest) -> list[str]:
    """The request in words, for the users page: "角色：经办人员 → 审计管理员"."""
    payload, before = change.payload or {}, change.before or {}
    labels = {"full_name": "姓名", "phone": "联系电话", "roles": "角色", "is_active": "状态"}

    def words(key, value):
        if key == "roles":
            return "、".join(value) or "（无）"
        if key == "is_active":
            return "启用" if value else "停用"
        return value or "（空）"

    if change.kind == "create":
        return [f"用户名：{change.subject_username}"] + [
            f"{labels[k]}：{words(k, payload[k])}" for k in ("full_name", "roles") if k in payload
        ]
    if change.kind == "update":
        return [
            f"{labels[k]}：{words(k, before.get(k))} → {words(k, payload[k])}"
            for k in ("roles", "is_active", "full_name", "phone")
            if k in payload and payload[k] != before.get(k)
        ]
    return [change.get_kind_display()]
