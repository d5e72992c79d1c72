import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from arrears.hooks import ledger_changed
from arrears.ledger import replay_enterprise, write_replay
from arrears.models import (
    LateFeePolicy,
    LateFeeRate,
    LedgerAdjustment,
    LedgerItem,
    Payment,
    Suspension,
    SuspensionStatus,
)
from arrears.replay import PaymentIn
from core.audit import AuditAction, log_action
from core.dates import today
from core.jobs import send_after_commit
from core.locks import lock_row, lock_rows
from core.money import format_yuan
from core.roles import has_capability
from enterprises.models import Enterprise


def lock_enterprise(enterprise_id: int) -> Enterprise:
    """Every money write on an enterprise holds its row lock until commit (DESIGN §3.5); it is
    the first lock of the house order (core.locks)."""
    return lock_row(Enterprise, enterprise_id)


@transaction.atomic
def enterprise_rebuild(*, enterprise_id: int, as_of: date | None = None) -> None:
    lock_enterprise(enterprise_id)
    as_of = as_of or today()
    write_replay(enterprise_id, replay_enterprise(enterprise_id, as_of=as_of), as_of=as_of)


@dataclass(frozen=True)
class PaymentPreview:
    allocations: list[tuple[LedgerItem, Decimal, Decimal]]
    credit_added: Decimal


def _check_payment(amount: Decimal, paid_on: date) -> None:
    if amount <= 0:
        raise ValidationError({"amount": "金额必须大于 0。"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "金额最多保留两位小数。"})
    if paid_on > today():
        raise ValidationError({"paid_on": "缴款日期不能晚于今天。"})


def payment_preview(*, enterprise: Enterprise, amount: Decimal, paid_on: date) -> PaymentPreview:
    """How a payment would be allocated if posted now; writes nothing."""
    _check_payment(amount, paid_on)
    before = replay_enterprise(enterprise.pk, as_of=today())
    marker = -1  # an id no real payment has
    after = replay_enterprise(
        enterprise.pk, as_of=today(), extra_payments=[PaymentIn(marker, paid_on, amount)]
    )
    items = {i.id: i for i in LedgerItem.objects.filter(enterprise=enterprise)}
    allocations = [(items[i], p, f) for pay, i, p, f in after.allocations if pay == marker]
    return PaymentPreview(allocations=allocations, credit_added=after.credit - before.credit)


@transaction.atomic
def payment_post(
    *,
    actor,
    enterprise: Enterprise,
    amount: Decimal,
    paid_on: date,
    method: str,
    external_ref: str,
    note: str = "",
    request=None,
) -> tuple[Payment, bool]:
    """Record a payment and reallocate. The same external reference posted twice records one
    payment: the second call returns the first with created=False."""
    _check_payment(amount, paid_on)
    lock_enterprise(enterprise.pk)
    existing = Payment.objects.filter(enterprise=enterprise, external_ref=external_ref).first()
    if existing:
        refuse_conflicting_repost(existing, amount=amount, paid_on=paid_on)
        return existing, False
    payment = Payment.objects.create(
        enterprise=enterprise,
        amount=amount,
        paid_on=paid_on,
        method=method,
        external_ref=external_ref,
        note=note,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    as_of = today()
    write_replay(enterprise.pk, replay_enterprise(enterprise.pk, as_of=as_of), as_of=as_of)
    ledger_changed(
        enterprise_id=enterprise.pk,
        actor=actor,
        reason=f"缴款 {format_yuan(amount)} 元（{external_ref}）",
        paid=True,
    )
    log_action(
        actor=actor,
        action=AuditAction.POST_MONEY,
        obj=payment,
        request=request,
        detail={
            "amount": str(amount),
            "paid_on": paid_on.isoformat(),
            "method": method,
            "external_ref": external_ref,
        },
    )
    return payment, True


def refuse_conflicting_repost(existing, *, amount: Decimal, paid_on: date) -> None:
    """The same reference posted twice is one payment (a double submit, the same bank file
    again), but only if it says the same thing: a different amount or date is a mistake in the
    reference or in the money, and must not be silently taken for the first one."""
    if (existing.amount, existing.paid_on) != (amount, paid_on):
        raise ValidationError(
            {
                "external_ref": f"凭证号 {existing.external_ref} 已于 {existing.paid_on} 登记 "
                f"{format_yuan(existing.amount)} 元，与本次填写的金额或日期不同，未登记。"
                "请核对凭证号；确属另一笔缴款的，请填写该笔缴款自己的凭证号。"
            }
        )


@transaction.atomic
def payment_reverse(*, actor, payment: Payment, reason: str, request=None) -> Payment:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "冲正必须填写原因。"})
    lock_enterprise(payment.enterprise_id)
    payment = Payment.objects.get(pk=payment.pk)
    if payment.is_reversed:
        raise ValidationError("该笔缴款已经冲正。")
    payment.reversed_at, payment.reversed_by, payment.reversal_reason = (
        timezone.now(),
        actor,
        reason,
    )
    payment.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    as_of = today()
    write_replay(
        payment.enterprise_id, replay_enterprise(payment.enterprise_id, as_of=as_of), as_of=as_of
    )
    ledger_changed(enterprise_id=payment.enterprise_id, actor=actor, reason=f"冲正：{reason}")
    log_action(
        actor=actor,
        action=AuditAction.REVERSE,
        obj=payment,
        request=request,
        detail={"amount": str(payment.amount), "reason": reason},
    )
    return payment


@transaction.atomic
def ledger_item_adjust(
    *,
    actor,
    item: LedgerItem,
    unit_amount: Decimal,
    individual_amount: Decimal,
    reason: str,
    request=None,
) -> LedgerAdjustment:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "调整必须填写原因。"})
    if unit_amount < 0 or individual_amount < 0:
        raise ValidationError("金额不能为负数。")
    lock_enterprise(item.enterprise_id)
    item = LedgerItem.objects.get(pk=item.pk)
    adjustment = LedgerAdjustment.objects.create(
        item=item,
        unit_before=item.unit_amount,
        individual_before=item.individual_amount,
        unit_after=unit_amount,
        individual_after=individual_amount,
        reason=reason,
        created_by=actor,
    )
    # Paid amounts are caches the replay below recomputes; cleared first so that a principal
    # lowered below what was paid never meets the CHECK with stale figures.
    LedgerItem.objects.filter(pk=item.pk).update(
        unit_amount=unit_amount, individual_amount=individual_amount, principal_paid=0, fee_paid=0
    )
    as_of = today()
    write_replay(
        item.enterprise_id, replay_enterprise(item.enterprise_id, as_of=as_of), as_of=as_of
    )
    ledger_changed(enterprise_id=item.enterprise_id, actor=actor, reason=f"调整：{reason}")
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        request=request,
        detail={
            "unit": [str(item.unit_amount), str(unit_amount)],
            "individual": [str(item.individual_amount), str(individual_amount)],
            "reason": reason,
        },
    )
    return adjustment


@transaction.atomic
def suspension_request(
    *, actor, enterprise: Enterprise, kind, start, end, reason, document, request=None
):
    if end is not None and end < start:
        raise ValidationError({"end": "截止日不能早于起始日。"})
    suspension = Suspension.objects.create(
        enterprise=enterprise,
        kind=kind,
        start=start,
        end=end,
        reason=reason,
        document=document,
        requested_by=actor,
    )
    log_action(
        actor=actor,
        action=AuditAction.CREATE,
        obj=suspension,
        request=request,
        detail={"kind": kind, "start": str(start), "end": str(end or "")},
    )
    return suspension


@transaction.atomic
def suspension_decide(
    *, actor, suspension: Suspension, approve: bool, comment: str = "", request=None
):
    """A leader other than the requester approves or rejects; approval changes the fees."""
    if not has_capability(actor, "approve_actions"):
        raise ValidationError("只有组长或专班领导可以审批。")
    lock_enterprise(suspension.enterprise_id)
    suspension = Suspension.objects.get(pk=suspension.pk)
    if suspension.status != SuspensionStatus.PENDING:
        raise ValidationError("该申请已经审批过。")
    if suspension.requested_by_id == actor.pk:
        raise ValidationError("申请人不能审批自己的申请。")
    suspension.status = SuspensionStatus.APPROVED if approve else SuspensionStatus.REJECTED
    suspension.decided_by, suspension.decided_at, suspension.decision_comment = (
        actor,
        timezone.now(),
        comment,
    )
    suspension.save()
    if approve:
        as_of = today()
        write_replay(
            suspension.enterprise_id,
            replay_enterprise(suspension.enterprise_id, as_of=as_of),
            as_of=as_of,
        )
    log_action(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=suspension,
        request=request,
        detail={"comment": comment},
    )
    return suspension


@transaction.atomic
def suspension_end(*, actor, suspension: Suspension, end, reason: str, request=None) -> Suspension:
    """Cut an approved suspension short (a deferral agreement not honoured): fees accrue again
    from the day after `end`, and the ledger is replayed so the allocations agree."""
    lock_enterprise(suspension.enterprise_id)
    suspension = Suspension.objects.get(pk=suspension.pk)
    if suspension.status != SuspensionStatus.APPROVED:
        raise ValidationError("只有已批准的停止计收才能终止。")
    if end < suspension.start:
        end = suspension.start
    if suspension.end is not None and suspension.end <= end:
        return suspension
    before = suspension.end
    suspension.end = end
    suspension.save(update_fields=["end"])
    as_of = today()
    write_replay(
        suspension.enterprise_id,
        replay_enterprise(suspension.enterprise_id, as_of=as_of),
        as_of=as_of,
    )
    log_action(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=suspension,
        request=request,
        detail={"end": [str(before or ""), str(end)], "reason": reason},
    )
    return suspension


@transaction.atomic
def policy_update(
    *, actor, data: dict, rates: list[tuple[date, Decimal]], request=None
) -> LateFeePolicy:
    policy = LateFeePolicy.objects.select_for_update().get(pk=1)
    before = {name: str(getattr(policy, name)) for name in data}
    before["rates"] = [(str(r.effective_from), str(r.daily_rate)) for r in policy.rates.all()]
    for name, value in data.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    policy.rates.all().delete()
    LateFeeRate.objects.bulk_create(
        LateFeeRate(policy=policy, effective_from=d, daily_rate=r) for d, r in rates
    )
    after = {name: str(value) for name, value in data.items()}
    after["rates"] = [(str(d), str(r)) for d, r in sorted(rates)]
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    log_action(
        actor=actor,
        action=AuditAction.SETTINGS,
        obj=policy,
        request=request,
        detail={"changes": changes},
    )
    # Every cached fee depends on the policy: recompute them all once this commits.
    send_after_commit("arrears.tasks.rebuild_all_ledgers")
    return policy


def insert_items(items: list[LedgerItem]) -> None:
    """Insert new ledger items. On PostgreSQL by COPY: an import of 100,000 rows spent two
    thirds of its time in bulk_create preparing values one by one. Every concrete column is
    written from the instance, defaults included, so a column added later cannot be missed."""
    if connection.vendor != "postgresql":
        LedgerItem.objects.bulk_create(items, batch_size=5000)
        return
    fields = [f for f in LedgerItem._meta.concrete_fields if not f.primary_key and not f.generated]
    buffer = io.StringIO()
    for item in items:
        buffer.write("\t".join(_copy_text(f.pre_save(item, add=True)) for f in fields) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {LedgerItem._meta.db_table} ({columns}) FROM STDIN", buffer
        )


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@transaction.atomic
def ledger_import(*, actor, parsed, filename: str, request=None, progress=None) -> dict:
    """Write a checked ledger import: all rows or none (DESIGN §4).

    Items are created, or updated where no payment has touched them; an item money has
    touched keeps its amounts (those change only through an adjustment) and is reported.
    """
    from arrears.accrual import accrue_chunk
    from arrears.importers import existing_items

    if not parsed.ok:
        raise ValueError("only a checked import without problems can be written")
    enterprise_ids = sorted({r.enterprise_id for r in parsed.rows})
    # Before any item is written: a payment replaying one of these enterprises must not hold
    # item rows this import is about to update while waiting for the enterprise.
    lock_rows(Enterprise, enterprise_ids)
    existing = existing_items(parsed.rows)
    created, updated, unchanged, kept = [], [], 0, []
    for row in parsed.rows:
        found = existing.get((row.enterprise_id, row.insurance_type, row.period))
        if found is None:
            created.append(
                LedgerItem(
                    enterprise_id=row.enterprise_id,
                    insurance_type=row.insurance_type,
                    period=row.period,
                    unit_amount=row.unit_amount,
                    individual_amount=row.individual_amount,
                    due_date=row.due_date,
                )
            )
            continue
        item_id, unit, individual, principal_paid = found
        if (unit, individual) == (row.unit_amount, row.individual_amount):
            unchanged += 1
        elif principal_paid > 0:
            kept.append(
                {
                    "row": row.row,
                    "item": item_id,
                    "period": row.period.strftime("%Y-%m"),
                    "stored": str(unit + individual),
                    "file": str(row.unit_amount + row.individual_amount),
                }
            )
        else:
            updated.append(
                LedgerItem(
                    pk=item_id,
                    unit_amount=row.unit_amount,
                    individual_amount=row.individual_amount,
                    due_date=row.due_date,
                )
            )
    for start in range(0, len(created), 5000):
        insert_items(created[start : start + 5000])
        if progress:
            progress(start + len(created[start : start + 5000]))
    LedgerItem.objects.bulk_update(
        updated, ["unit_amount", "individual_amount", "due_date"], batch_size=5000
    )

    # Fees of the touched enterprises: replay those with payments (new items may take up their
    # credit), accrue the rest set-based.
    with_payments = set(
        Payment.objects.filter(enterprise_id__in=enterprise_ids)
        .values_list("enterprise_id", flat=True)
        .distinct()
    )
    as_of = today()
    for enterprise_id in sorted(with_payments):
        write_replay(enterprise_id, replay_enterprise(enterprise_id, as_of=as_of), as_of=as_of)
    plain = [e for e in enterprise_ids if e not in with_payments]
    for start in range(0, len(plain), 2000):
        chunk = plain[start : start + 2000]
        accrue_chunk(lo=chunk[0], hi=chunk[-1], as_of=as_of, only=chunk)

    summary = {
        "filename": filename,
        "rows": len(parsed.rows),
        "created": len(created),
        "updated": len(updated),
        "unchanged": unchanged,
        "kept_paid": kept[:200],
        "kept_paid_count": len(kept),
    }
    log_action(
        actor=actor,
        action=AuditAction.IMPORT,
        request=request,
        username="" if actor else "manage.py",
        detail={k: v for k, v in summary.items() if k != "kept_paid"},
    )
    return summary
