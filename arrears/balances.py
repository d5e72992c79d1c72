"""Each enterprise's balance (LedgerAccount) from its items, written by the same code that
writes the items — a replay (arrears.ledger.write_replay) and the accrual (arrears.accrual) —
so that no page sums the whole ledger on request. `verify_ledger` recomputes and compares.

The caller holds the enterprises' row locks, as for the items themselves.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import Greatest

from arrears.models import LedgerAccount, LedgerItem
from core.calendar import add_months
from core.money import money_sum, round_fen

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
HALF_FEN = Decimal("0.005")
BALANCE_FIELDS = [
    "principal_outstanding",
    "fee_outstanding",
    "oldest_unpaid",
    "aged_under_3m",
    "aged_3_12m",
    "aged_1_3y",
    "aged_over_3y",
    "balance_on",
]


def age_limits(as_of: date) -> tuple[date, date, date]:
    """The first periods that are at most 3, 12 and 36 months old on `as_of`: on 2026-11-22 the
    period 2026-08 is 3 months old, 2025-11 twelve, 2023-11 thirty-six."""
    month = as_of.replace(day=1)
    return add_months(month, -3), add_months(month, -12), add_months(month, -36)


def balances_of(items, *, as_of: date):
    """One row per enterprise of `items`: the account's figures as of `as_of`."""
    principal = ExpressionWrapper(F("principal") - F("principal_paid"), output_field=MONEY)
    fee = Greatest(ExpressionWrapper(F("fee_accrued") - F("fee_paid"), output_field=MONEY), ZERO)
    three, twelve, thirty_six = age_limits(as_of)
    open_item = Q(principal_paid__lt=F("principal") - HALF_FEN) | Q(
        fee_paid__lt=F("fee_accrued") - HALF_FEN
    )
    return (
        items.order_by()
        .values("enterprise_id")
        .annotate(
            principal_outstanding=money_sum(principal),
            fee_outstanding=money_sum(fee),
            oldest_unpaid=Min("period", filter=open_item),
            aged_under_3m=money_sum(principal, Q(period__gte=three)),
            aged_3_12m=money_sum(principal, Q(period__gte=twelve, period__lt=three)),
            aged_1_3y=money_sum(principal, Q(period__gte=thirty_six, period__lt=twelve)),
            aged_over_3y=money_sum(principal, Q(period__lt=thirty_six)),
        )
    )


def _account(enterprise_id: int, row: dict | None, as_of: date, model=LedgerAccount):
    figures = {name: row[name] for name in BALANCE_FIELDS[:-1]} if row else {}
    # To the fen: SQLite (the demo) sums in binary floats and hands back -1.36E-12 for zero.
    for name, value in figures.items():
        if isinstance(value, Decimal):
            figures[name] = round_fen(value) + ZERO
    return model(enterprise_id=enterprise_id, balance_on=as_of, **figures)


def balances_refresh(
    *,
    as_of: date,
    enterprise_ids: Iterable[int] | None = None,
    lo=None,
    hi=None,
    models=(LedgerItem, LedgerAccount),
) -> int:
    """Write the accounts of the given enterprises, or of every enterprise with items in the id
    range lo…hi. An enterprise named but without items gets a zero account. `models`: the
    migration that fills the accounts passes its historical models."""
    item_model, account_model = models
    items = item_model.objects.all()
    if enterprise_ids is not None:
        enterprise_ids = list(enterprise_ids)
        items = items.filter(enterprise_id__in=enterprise_ids)
    else:
        items = items.filter(enterprise_id__gte=lo, enterprise_id__lte=hi)
    rows = {row["enterprise_id"]: row for row in balances_of(items, as_of=as_of)}
    ids = enterprise_ids if enterprise_ids is not None else list(rows)
    account_model.objects.bulk_create(
        [
            _account(enterprise_id, rows.get(enterprise_id), as_of, account_model)
            for enterprise_id in ids
        ],
        update_conflicts=True,
        unique_fields=["enterprise"],
        update_fields=BALANCE_FIELDS,
        batch_size=2000,
    )
    return len(ids)


def balance_differences(enterprise_id: int, *, as_of: date) -> list[str]:
    """What the stored account says that its items do not (for verify_ledger). The ageing is
    compared as of the day the account was written."""
    account = LedgerAccount.objects.filter(enterprise_id=enterprise_id).first()
    on = account.balance_on if account and account.balance_on else as_of
    items = LedgerItem.objects.filter(enterprise_id=enterprise_id)
    expected = _account(enterprise_id, next(iter(balances_of(items, as_of=on)), None), on)
    if account is None:
        owed = expected.principal_outstanding + expected.fee_outstanding
        return [f"enterprise {enterprise_id}: no account for what it owes"] if owed else []
    return [
        f"enterprise {enterprise_id}: account {name} stored {getattr(account, name)}, "
        f"derived {getattr(expected, name)}"
        for name in BALANCE_FIELDS[:-1]
        if getattr(account, name) != getattr(expected, name)
    ]
