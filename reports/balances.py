"""Each township's outstanding arrears at the end of a month, kept for the growth warning:
the current month's row is written again each night, so at the month's end it holds the
month-end figure and stays."""

from datetime import date

from django.db import transaction

from arrears.models import LedgerAccount
from reports.models import RegionBalance
from reports.selectors import ZERO, money_sum


@transaction.atomic
def region_balances_refresh(*, as_of: date) -> int:
    month = as_of.replace(day=1)
    rows = (
        LedgerAccount.objects.values("enterprise__region_id")
        .annotate(principal=money_sum("principal_outstanding"), fee=money_sum("fee_outstanding"))
        .order_by()
    )
    balances = [
        RegionBalance(
            month=month,
            region_id=row["enterprise__region_id"],
            principal=row["principal"] or ZERO,
            fee=row["fee"] or ZERO,
        )
        for row in rows
    ]
    RegionBalance.objects.bulk_create(
        balances,
        update_conflicts=True,
        unique_fields=["month", "region"],
        update_fields=["principal", "fee", "refreshed_at"],
    )
    return len(balances)
