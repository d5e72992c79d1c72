from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import AuditAction, log_action
from core.locks import lock_row, lock_rows
from enterprises.importers import UPDATABLE, ParsedImport
from enterprises.models import BankAccount, Enterprise, Region, TaskGroup


def _changes(instance, data: dict) -> dict:
    return {
        name: [str(getattr(instance, name) or ""), str(value or "")]
        for name, value in data.items()
        if getattr(instance, name) != value
    }


@transaction.atomic
def enterprise_create(*, actor, data: dict, request=None) -> Enterprise:
    enterprise = Enterprise(**data)
    enterprise.full_clean()
    enterprise.save()
    log_action(actor=actor, action=AuditAction.CREATE, obj=enterprise, request=request)
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, data: dict, request=None) -> Enterprise:
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    changes = _changes(enterprise, data)
    for name, value in data.items():
        setattr(enterprise, name, value)
    enterprise.full_clean()
    enterprise.save()
    if changes:
        # ID numbers never go into the log in clear text.
        if "legal_rep_id_number" in changes:
            changes["legal_rep_id_number"] = ["***", "***"]
        log_action(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=enterprise,
            request=request,
            detail={"changes": changes},
        )
    return enterprise


@transaction.atomic
def bank_account_save(
    *, actor, enterprise: Enterprise, data: dict, account: BankAccount | None = None, request=None
) -> BankAccount:
    creating = account is None
    account = account or BankAccount(enterprise=enterprise)
    # The enterprise, then the accounts this may write, in id order (core.locks): the old basic
    # account demoted below and the one edited, which a key rotation may hold at the same time.
    lock_row(Enterprise, enterprise.pk)
    basic = enterprise.bank_accounts.filter(is_basic=True).values_list("pk", flat=True)
    lock_rows(BankAccount, [*basic, *([account.pk] if account.pk else [])])
    if data.get("is_basic"):
        # Only one basic account per enterprise: a new basic account demotes the old one.
        enterprise.bank_accounts.exclude(pk=account.pk).filter(is_basic=True).update(is_basic=False)
    for name, value in data.items():
        setattr(account, name, value)
    account.save()
    log_action(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=account,
        request=request,
        detail={"enterprise": enterprise.credit_code, "basic": account.is_basic},
    )
    return account


@transaction.atomic
def bank_account_remove_duplicate(*, actor, account_id: int, request=None) -> BankAccount:
    """Remove an account entered twice for the same enterprise — the only removal of an account
    there is, for the conflict a key rotation names (core.field_keys): refused unless another
    account of the enterprise has the same number. That one stays, and stays basic if either
    was."""
    enterprise_id = BankAccount.objects.values_list("enterprise_id", flat=True).get(pk=account_id)
    lock_row(Enterprise, enterprise_id)
    account = BankAccount.objects.select_related("enterprise").get(pk=account_id)
    # An exact search finds the other under any key while a rotation is pending.
    twin = (
        BankAccount.objects.filter(
            enterprise_id=enterprise_id, account_number=account.account_number
        )
        .exclude(pk=account.pk)
        .order_by("pk")
        .first()
    )
    if twin is None:
        raise ValidationError("该单位没有账号与此相同的另一个银行账户，不能删除。")
    was_basic = account.is_basic
    account.delete()
    if was_basic and not twin.is_basic:
        BankAccount.objects.filter(pk=twin.pk).update(is_basic=True)
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=account.enterprise,
        request=request,
        detail={"bank_account_removed": account_id, "duplicate_of": twin.pk, "basic": was_basic},
        username="" if actor else "manage.py",
    )
    return account


def personal_data_unmask(*, actor, obj, field: str, request=None) -> str:
    """The clear value of a masked field; every look is logged."""
    log_action(
        actor=actor, action=AuditAction.UNMASK, obj=obj, request=request, detail={"field": field}
    )
    return getattr(obj, field)


@transaction.atomic
def enterprises_import(*, actor, parsed: ParsedImport, filename: str, request=None) -> dict:
    """Write every row of a checked import, or none (the caller passes only a clean parse)."""
    if not parsed.ok:
        raise ValueError("only a checked import without problems can be written")
    existing = {
        e.credit_code: e
        for e in Enterprise.objects.select_for_update().filter(
            credit_code__in=[r.credit_code for r in parsed.rows]
        )
    }
    created, updated = [], []
    for row in parsed.rows:
        enterprise = existing.get(row.credit_code)
        if enterprise is None:
            created.append(Enterprise(credit_code=row.credit_code, **row.values))
            continue
        for name, value in row.values.items():
            setattr(enterprise, name, value)
        updated.append(enterprise)
    Enterprise.objects.bulk_create(created, batch_size=1000)
    if updated:
        Enterprise.objects.bulk_update(updated, UPDATABLE, batch_size=1000)
    summary = {
        "filename": filename,
        "rows": len(parsed.rows),
        "created": len(created),
        "updated": len(updated),
    }
    log_action(
        actor=actor,
        action=AuditAction.IMPORT,
        request=request,
        detail=summary,
        username="" if actor else "manage.py",
    )
    return summary


@transaction.atomic
def region_save(*, actor, data: dict, region: Region | None = None, request=None) -> Region:
    creating = region is None
    region = region or Region()
    changes = _changes(region, data)
    for name, value in data.items():
        setattr(region, name, value)
    region.save()
    log_action(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.SETTINGS,
        obj=region,
        request=request,
        detail={"changes": changes},
    )
    return region


@transaction.atomic
def task_group_save(
    *, actor, name, leader, members, regions, group: TaskGroup | None = None, request=None
) -> TaskGroup:
    creating = group is None
    group = group or TaskGroup()
    group.name, group.leader = name, leader
    group.save()
    group.members.set(members)
    Region.objects.filter(task_group=group).exclude(pk__in=[r.pk for r in regions]).update(
        task_group=None
    )
    Region.objects.filter(pk__in=[r.pk for r in regions]).update(task_group=group)
    log_action(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.SETTINGS,
        obj=group,
        request=request,
        detail={
            "leader": leader.username if leader else "",
            "members": sorted(m.username for m in members),
            "regions": sorted(r.name for r in regions),
        },
    )
    return group


def enterprise_reclassify(*, enterprise: Enterprise, arrears_months: list) -> Enterprise:
    """Refresh the cached class from the evidence; the caller supplies the arrears months
    (the ledger lives above this app)."""
    from enterprises.classification import classify

    evidence: dict[str, list] = {}
    for kind, month in enterprise.evidence.values_list("kind", "month"):
        evidence.setdefault(kind, []).append(month)
    result = classify(status=enterprise.status, evidence=evidence, arrears_months=arrears_months)
    if (enterprise.ability, enterprise.ability_reason) != (result.ability, result.reason):
        Enterprise.objects.filter(pk=enterprise.pk).update(
            ability=result.ability, ability_reason=result.reason[:300]
        )
        enterprise.ability, enterprise.ability_reason = result.ability, result.reason[:300]
    return enterprise
