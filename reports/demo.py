"""Demo figures for the dashboards: this year's targets and last month's township balances.
Loads once, after the ledger and the cases."""

from decimal import Decimal

from arrears.models import LedgerAccount
from core.calendar import add_months
from core.dates import today
from core.models import User
from enterprises.models import Region
from reports.balances import region_balances_refresh
from reports.models import RegionBalance, Target
from reports.selectors import money_sum

TEN_THOUSAND = Decimal("10000")


def seed_reports() -> dict:
    day = today()
    if Target.objects.filter(year=day.year).exists():
        return {"targets": 0}
    leader = User.objects.filter(username="lingdao").first()
    owed = dict(
        LedgerAccount.objects.values_list("enterprise__region_id")
        .annotate(principal=money_sum("principal_outstanding"))
        .order_by()
    )
    targets = [
        # A third of what each township owes, in whole 万元: an ambitious year.
        Target(
            year=day.year,
            region=region,
            amount=(owed.get(region.pk, Decimal("0")) / 3 / TEN_THOUSAND).quantize(Decimal("1"))
            * TEN_THOUSAND,
            updated_by=leader,
        )
        for region in Region.objects.all()
    ]
    Target.objects.bulk_create(targets)
    region_balances_refresh(as_of=day)
    # Last month: every township owed a little less, the first one much less, so that the
    # growth warning has something to show.
    last_month = add_months(day.replace(day=1), -1)
    for n, balance in enumerate(RegionBalance.objects.filter(month=day.replace(day=1))):
        factor = Decimal("0.85") if n == 0 else Decimal("0.99")
        RegionBalance.objects.get_or_create(
            month=last_month,
            region_id=balance.region_id,
            defaults={
                "principal": (balance.principal * factor).quantize(Decimal("0.01")),
                "fee": (balance.fee * factor).quantize(Decimal("0.01")),
            },
        )
    return {"targets": len(targets)}
