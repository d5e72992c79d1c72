from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.db import transaction

from core.audit import AuditAction, log_action
from core.hooks import calendar_changed
from core.models import User


@transaction.atomic
def user_create(*, actor, username, full_name, phone, role, password, request=None) -> User:
    user = User(username=username, full_name=full_name, phone=phone)
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    log_action(
        actor=actor, action=AuditAction.CREATE, obj=user, request=request, detail={"role": role}
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, full_name, phone, role, is_active, request=None) -> User:
    before = {
        "full_name": user.full_name,
        "phone": user.phone,
        "is_active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
    user.full_name, user.phone, user.is_active = full_name, phone, is_active
    user.save(update_fields=["full_name", "phone", "is_active"])
    user.groups.set([Group.objects.get(name=role)])
    after = {"full_name": full_name, "phone": phone, "is_active": is_active, "roles": [role]}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"changes": changes},
    )
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password, request=None) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"password": "reset"},
    )


def user_unlock(*, actor, user: User, request=None) -> int:
    removed = axes_reset(username=user.get_username())
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        request=request,
        detail={"unlocked": True, "attempts_cleared": removed},
    )
    return removed


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
