from datetime import date, datetime, time

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import AuditEntry, User


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
        entries = entries.filter(actor_username__icontains=username)
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
    users = User.objects.prefetch_related("groups", "task_groups", "led_task_groups").order_by(
        "username"
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
