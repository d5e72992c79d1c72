import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from arrears.hooks import ledger_changed
from arrears.ledger import payment_in, replay_enterprise, write_replay
from arrears.models import (
    EFFECTIVE_KINDS,
    ApprovalStatus,
    InsuranceType,
    LateFeePolicy,
    LateFeeRate,
    LedgerAdjustment,
    LedgerItem,
    Payment,
    PaymentPeriod,
    Suspension,
    SuspensionKind,
    SuspensionStatus,
)
from arrears.policy import current_policy, due_date_for
from core.audit import AuditAction, log_action
from core.dates import today
from core.jobs import send_after_commit
from core.locks import lock_row, lock_rows
from core.menu import badges_changed
from core.money import format_yuan
from core.roles import has_capability
from enterprises.models import Enterprise


def lock_enterprise(enterprise_id: int) -> Enterprise:
    """Every money write on an enterprise holds its row lock until commit (DESIGN §3.5); it is
    the first lock of the house order (core.locks)."""
    return lock_row(Enterprise, enterprise_id)


def _replay_now(enterprise_id: int, as_of: date | None = None) -> None:
    """Replace the enterprise's derived state by a replay of its history; the caller holds
    its lock."""
    as_of = as_of or today()
    write_replay(enterprise_id, replay_enterprise(enterprise_id, as_of=as_of), as_of=as_of)


@transaction.atomic
def enterprise_rebuild(*, enterprise_id: int, as_of: date | None = None) -> None:
    lock_enterprise(enterprise_id)
    _replay_now(enterprise_id, as_of)


@dataclass(frozen=True)
class PaymentPreview:
    allocations: list[tuple[LedgerItem, Decimal, Decimal]]
    credit_added: Decimal
    periods_not_owed: list[date] = ()  # named by the payer, but owing nothing in this fund


def _check_payment(amount: Decimal, paid_on: date) -> None:
    if amount <= 0:
        raise ValidationError({"amount": "金额必须大于 0。"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "金额最多保留两位小数。"})
    if paid_on > today():
        raise ValidationError({"paid_on": "缴款日期不能晚于今天。"})


def payment_preview(
    *,
    enterprise: Enterprise,
    amount: Decimal,
    paid_on: date,
    insurance_type: str = InsuranceType.PENSION,
    periods: list[date] = (),
) -> PaymentPreview:
    """How a payment would be allocated if posted now; writes nothing."""
    _check_payment(amount, paid_on)
    policy = current_policy()
    before = replay_enterprise(enterprise.pk, as_of=today(), policy=policy)
    marker = -1  # an id no real payment has
    extra = payment_in(
        id=marker,
        paid_on=paid_on,
        amount=amount,
        insurance_type=insurance_type,
        named=list(periods),
        policy=policy,
    )
    after = replay_enterprise(enterprise.pk, as_of=today(), extra_payments=[extra], policy=policy)
    items = {i.id: i for i in LedgerItem.objects.filter(enterprise=enterprise)}
    allocations = [(items[i], p, f) for pay, i, p, f in after.allocations if pay == marker]
    owing = {
        item.period
        for item in items.values()
        if item.insurance_type == insurance_type
        and (
            before.items[item.id].principal_paid < item.principal
            or before.items[item.id].fee_paid < before.items[item.id].fee_accrued
        )
    }
    return PaymentPreview(
        allocations=allocations,
        credit_added=after.credit - before.credit,
        periods_not_owed=[p for p in sorted(set(periods)) if p not in owing],
    )


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
    insurance_type: str = InsuranceType.PENSION,
    periods: list[date] = (),
    request=None,
) -> tuple[Payment, bool]:
    """Record a payment for one 险种 and reallocate; `periods` are those the payer named, paid
    first. The same external reference posted twice records one payment: the second call
    returns the first with created=False."""
    _check_payment(amount, paid_on)
    lock_enterprise(enterprise.pk)
    existing = Payment.objects.filter(enterprise=enterprise, external_ref=external_ref).first()
    if existing:
        refuse_conflicting_repost(existing, amount=amount, paid_on=paid_on)
        return existing, False
    payment = Payment.objects.create(
        enterprise=enterprise,
        insurance_type=insurance_type,
        amount=amount,
        paid_on=paid_on,
        method=method,
        external_ref=external_ref,
        note=note,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    PaymentPeriod.objects.bulk_create(
        PaymentPeriod(payment=payment, period=period) for period in sorted(set(periods))
    )
    _replay_now(enterprise.pk)
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
            "insurance_type": insurance_type,
            "periods": [p.strftime("%Y-%m") for p in sorted(set(periods))],
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
    _replay_now(payment.enterprise_id)
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
def adjustment_request(
    *,
    actor,
    item: LedgerItem,
    unit_amount: Decimal,
    individual_amount: Decimal,
    reason: str,
    fee_reduction: Decimal = Decimal("0.00"),
    legal_basis: str = "",
    document: str = "",
    request=None,
) -> LedgerAdjustment:
    """Ask to change an item's amounts or lower its fee. Raising an amount applies at once;
    whatever lowers what is owed waits for a leader other than the requester, and must cite
    its legal basis and document (社会保险法 第六十条)."""
    reason, legal_basis, document = reason.strip(), legal_basis.strip(), document.strip()
    if not reason:
        raise ValidationError({"reason": "调整必须填写原因。"})
    if unit_amount < 0 or individual_amount < 0 or fee_reduction < 0:
        raise ValidationError("金额不能为负数。")
    lock_enterprise(item.enterprise_id)
    item = LedgerItem.objects.get(pk=item.pk)
    adjustment = LedgerAdjustment(
        item=item,
        unit_before=item.unit_amount,
        individual_before=item.individual_amount,
        unit_after=unit_amount,
        individual_after=individual_amount,
        fee_reduction=fee_reduction,
        reason=reason,
        legal_basis=legal_basis,
        document=document,
        created_by=actor,
    )
    if not adjustment.lowers and not adjustment.changes_amounts:
        raise ValidationError("金额没有变化，也没有核减滞纳金，无需调整。")
    if adjustment.lowers:
        errors = {}
        if not legal_basis:
            errors["legal_basis"] = "核减应缴金额须写明法律依据。"
        if not document:
            errors["document"] = "核减应缴金额须填写依据文书的文号。"
        if errors:
            raise ValidationError(errors)
        if fee_reduction > item.fee_accrued:
            raise ValidationError(
                {
                    "fee_reduction": f"核减的滞纳金不能超过现有滞纳金 {format_yuan(item.fee_accrued)} 元。"
                }
            )
        if LedgerAdjustment.objects.filter(item=item, status=ApprovalStatus.PENDING).exists():
            raise ValidationError("该明细已有一项调整在等待审批，请待审批后再提出。")
        adjustment.status = ApprovalStatus.PENDING
    else:
        adjustment.status = ApprovalStatus.APPLIED
    adjustment.save()
    badges_changed()
    if adjustment.status == ApprovalStatus.APPLIED:
        _apply_adjustment(adjustment, actor=actor)
    log_action(
        actor=actor,
        action=AuditAction.CREATE if adjustment.lowers else AuditAction.UPDATE,
        obj=adjustment,
        request=request,
        detail=_adjustment_detail(adjustment),
    )
    return adjustment


def _adjustment_detail(adjustment: LedgerAdjustment) -> dict:
    return {
        "item": str(adjustment.item),
        "unit": [str(adjustment.unit_before), str(adjustment.unit_after)],
        "individual": [str(adjustment.individual_before), str(adjustment.individual_after)],
        "fee_reduction": str(adjustment.fee_reduction),
        "reason": adjustment.reason,
        "legal_basis": adjustment.legal_basis,
        "document": adjustment.document,
        "status": adjustment.status,
    }


def _apply_adjustment(adjustment: LedgerAdjustment, *, actor) -> None:
    """Write the adjustment's amounts and replay; the caller holds the enterprise's lock."""
    item = adjustment.item
    if adjustment.changes_amounts:
        # Paid amounts are caches the replay recomputes; cleared first so that a principal
        # lowered below what was paid never meets the CHECK with stale figures.
        LedgerItem.objects.filter(pk=item.pk).update(
            unit_amount=adjustment.unit_after,
            individual_amount=adjustment.individual_after,
            principal_paid=0,
            fee_paid=0,
        )
    _replay_now(item.enterprise_id)
    ledger_changed(
        enterprise_id=item.enterprise_id, actor=actor, reason=f"调整：{adjustment.reason}"
    )


@transaction.atomic
def adjustment_decide(
    *, actor, adjustment: LedgerAdjustment, approve: bool, comment: str = "", request=None
) -> LedgerAdjustment:
    """A leader other than the requester approves (the adjustment then applies) or rejects."""
    if not has_capability(actor, "approve_actions"):
        raise ValidationError("只有组长或专班领导可以审批。")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError("驳回须写明理由。")
    lock_enterprise(adjustment.item.enterprise_id)
    adjustment = LedgerAdjustment.objects.select_related("item").get(pk=adjustment.pk)
    if adjustment.status != ApprovalStatus.PENDING:
        raise ValidationError("该调整已经审批过。")
    if adjustment.created_by_id == actor.pk:
        raise ValidationError("申请人不能审批自己的申请。")
    item = adjustment.item
    if approve and (item.unit_amount, item.individual_amount) != (
        adjustment.unit_before,
        adjustment.individual_before,
    ):
        raise ValidationError("提出调整后该明细的金额已有变化，请驳回后按现有金额重新提出。")
    adjustment.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    badges_changed()
    adjustment.decided_by, adjustment.decided_at, adjustment.decision_comment = (
        actor,
        timezone.now(),
        comment[:200],
    )
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    if approve:
        _apply_adjustment(adjustment, actor=actor)
    log_action(
        actor=actor,
        action=AuditAction.APPROVE if approve else AuditAction.REJECT,
        obj=adjustment,
        request=request,
        detail={"comment": comment, **_adjustment_detail(adjustment)},
    )
    return adjustment


@transaction.atomic
def suspension_request(
    *,
    actor,
    enterprise: Enterprise,
    kind,
    start,
    end,
    reason,
    document,
    insurance_type: str = "",
    period_from: date | None = None,
    period_to: date | None = None,
    due_before: date | None = None,
    request=None,
):
    """Ask for a suspension of the fee on the items it names (DESIGN §3.4). A bankruptcy covers
    every item due before the court's acceptance, whatever else was filled in; a deferral must
    name its items, by periods or as those due before a day."""
    if kind not in EFFECTIVE_KINDS:
        raise ValidationError(
            {"kind": "社会保险法第六十条不允许减免滞纳金；确有法定依据的，请以台账调整申请核减。"}
        )
    if end is not None and end < start:
        raise ValidationError({"end": "截止日不能早于起始日。"})
    if kind == SuspensionKind.BANKRUPTCY:
        insurance_type, period_from, period_to, due_before = "", None, None, start
    elif period_to is None and due_before is None:
        raise ValidationError(
            {"period_to": "请写明缓缴涵盖的所属期（当期社会保险费仍须按时缴纳）。"}
        )
    if period_from and period_to and period_to < period_from:
        raise ValidationError({"period_to": "所属期止不能早于所属期起。"})
    suspension = Suspension.objects.create(
        enterprise=enterprise,
        kind=kind,
        start=start,
        end=end,
        insurance_type=insurance_type,
        period_from=period_from,
        period_to=period_to,
        due_before=due_before,
        reason=reason,
        document=document,
        requested_by=actor,
    )
    badges_changed()
    log_action(
        actor=actor,
        action=AuditAction.CREATE,
        obj=suspension,
        request=request,
        detail={
            "kind": kind,
            "start": str(start),
            "end": str(end or ""),
            "scope": suspension.scope_text,
        },
    )
    return suspension


@transaction.atomic
def suspension_decide(
    *, actor, suspension: Suspension, approve: bool, comment: str = "", request=None
):
    """A leader other than the requester approves or rejects; approval changes the fees."""
    if not has_capability(actor, "approve_actions"):
        raise ValidationError("只有组长或专班领导可以审批。")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError("驳回须写明理由。")
    lock_enterprise(suspension.enterprise_id)
    suspension = Suspension.objects.get(pk=suspension.pk)
    if suspension.status != SuspensionStatus.PENDING:
        raise ValidationError("该申请已经审批过。")
    if suspension.requested_by_id == actor.pk:
        raise ValidationError("申请人不能审批自己的申请。")
    suspension.status = SuspensionStatus.APPROVED if approve else SuspensionStatus.REJECTED
    badges_changed()
    suspension.decided_by, suspension.decided_at, suspension.decision_comment = (
        actor,
        timezone.now(),
        comment,
    )
    suspension.save()
    if approve:
        _replay_now(suspension.enterprise_id)
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
    _replay_now(suspension.enterprise_id)
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
    # Every due date and cached fee depends on the policy: recompute them all once this
    # commits (the task refreshes the due dates first).
    send_after_commit("arrears.tasks.rebuild_all_ledgers")
    return policy


@transaction.atomic
def due_dates_refresh(*, years: list[int] | None = None) -> list[int]:
    """Bring every due date that follows the policy (not one an import stated) in line with
    the policy and the working-day calendar; returns the enterprises whose items changed, for
    the caller to replay. One UPDATE per period: a county's ledger spans a few hundred.

    `years`: only periods whose due date can fall in those years (a calendar year was edited).
    """
    policy = current_policy()
    followers = LedgerItem.objects.filter(due_date_fixed=False)
    if years:
        # A period's due date falls in its own year or, for December, in the next one.
        followers = followers.filter(period__year__in={y for x in years for y in (x - 1, x)})
    targets = {
        period: due_date_for(period, policy)
        for period in followers.values_list("period", flat=True).distinct().order_by()
    }
    stale = Q(pk__in=[])
    for period, due in targets.items():
        stale |= Q(period=period) & ~Q(due_date=due)
    changed = sorted(
        set(followers.filter(stale).values_list("enterprise_id", flat=True).distinct().order_by())
    )
    if not changed:
        return []
    # The enterprises first (the house lock order): a payment replaying one of them waits.
    lock_rows(Enterprise, changed)
    for period, due in targets.items():
        followers.filter(period=period).exclude(due_date=due).update(due_date=due)
    return changed


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
                    due_date_fixed=row.due_date_fixed,
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
                    due_date_fixed=row.due_date_fixed,
                )
            )
    for start in range(0, len(created), 5000):
        insert_items(created[start : start + 5000])
        if progress:
            progress(start + len(created[start : start + 5000]))
    LedgerItem.objects.bulk_update(
        updated,
        ["unit_amount", "individual_amount", "due_date", "due_date_fixed"],
        batch_size=5000,
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
