"""The figures of the dashboards (DESIGN §3.10), read from the other apps and never written.

Stocks come from each enterprise's account (arrears.balances), one row per enterprise, never
from the whole ledger; flows from the allocations of payments by payment day. Everything is
scoped to the townships a `Scope` names: the county for the task force, a group's townships for
its leader, and money is summed as Decimal by the database.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Q
from django.db.models.functions import TruncMonth

from arrears.models import Allocation, LedgerAccount, LedgerItem
from arrears.selectors import MINISTRY_LEVEL, PROVINCE_LEVEL
from core.calendar import add_months
from core.money import money_sum
from enforcement.models import Case
from enforcement.stages import CHAIN, Stage
from enterprises.models import Enterprise, Industry, Region, TaskGroup
from reports.models import RegionBalance, Target

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
HALF_FEN = Decimal("0.005")
COLLECTION_RATE_LINE = Decimal("0.90")  # below 90 % is red (DESIGN §3.10)
FLAG_LEVELS = (PROVINCE_LEVEL, MINISTRY_LEVEL)  # provincial and ministry reporting


@dataclass(frozen=True)
class Scope:
    """The townships a dashboard covers, and what it is called."""

    label: str
    region_ids: tuple[int, ...]
    task_group: TaskGroup | None = None
    group_ids: tuple[int, ...] = field(default=())

    def enterprises(self):
        return Enterprise.objects.filter(region_id__in=self.region_ids)


def county_scope() -> Scope:
    return Scope(
        "全县",
        tuple(Region.objects.values_list("pk", flat=True)),
        group_ids=tuple(TaskGroup.objects.values_list("pk", flat=True)),
    )


def group_scope(group: TaskGroup) -> Scope:
    return Scope(
        group.name,
        tuple(group.regions.values_list("pk", flat=True)),
        task_group=group,
        group_ids=(group.pk,),
    )


def _accounts(scope: Scope):
    return LedgerAccount.objects.filter(enterprise__region_id__in=scope.region_ids)


def _owing(accounts):
    return accounts.filter(Q(principal_outstanding__gt=HALF_FEN) | Q(fee_outstanding__gt=HALF_FEN))


def outstanding(scope: Scope) -> dict:
    """累计欠费: principal and fees owed now, and by how many enterprises."""
    return _owing(_accounts(scope)).aggregate(
        principal=money_sum("principal_outstanding"),
        fee=money_sum("fee_outstanding"),
        enterprises=Count("pk"),
    )


def _allocations(scope: Scope, start: date, end: date):
    return Allocation.objects.filter(
        payment__enterprise__region_id__in=scope.region_ids,
        payment__reversed_at__isnull=True,
        payment__paid_on__gte=start,
        payment__paid_on__lte=end,
    )


def recovered(scope: Scope, start: date, end: date) -> dict:
    """清欠回收额: principal and fees recovered between two days, in all and by method."""
    allocations = _allocations(scope, start, end)
    totals = allocations.aggregate(
        principal=money_sum("principal_amount"), fee=money_sum("fee_amount")
    )
    by_method = allocations.values("payment__method").annotate(
        principal=money_sum("principal_amount"), fee=money_sum("fee_amount")
    )
    return {**totals, "total": totals["principal"] + totals["fee"], "by_method": list(by_method)}


def recovery_trend(scope: Scope, *, as_of: date, months: int = 12) -> list[dict]:
    """Recovered principal and fees per month, the last `months` months to `as_of`."""
    first = add_months(as_of.replace(day=1), -(months - 1))
    rows = {
        row["month"]: row
        for row in _allocations(scope, first, as_of)
        .annotate(month=TruncMonth("payment__paid_on"))
        .values("month")
        .annotate(principal=money_sum("principal_amount"), fee=money_sum("fee_amount"))
    }
    trend = []
    for n in range(months):
        month = add_months(first, n)
        row = rows.get(month, {})
        trend.append(
            {
                "month": month,
                "principal": row.get("principal", ZERO),
                "fee": row.get("fee", ZERO),
            }
        )
    return trend


def collection_rate(scope: Scope, *, year: int, as_of: date) -> dict:
    """征缴率: paid ÷ due for the contributions of each period of the year so far, and
    cumulative; below 90 % is flagged."""
    items = LedgerItem.objects.filter(
        enterprise__region_id__in=scope.region_ids,
        period__gte=date(year, 1, 1),
        period__lte=as_of.replace(day=1),
    )
    months = []
    due_total = paid_total = ZERO
    for row in (
        items.values("period")
        .annotate(due=money_sum("principal"), paid=money_sum("principal_paid"))
        .order_by("period")
    ):
        due_total += row["due"]
        paid_total += row["paid"]
        months.append({**row, "rate": _rate(row["paid"], row["due"])})
    rate = _rate(paid_total, due_total)
    return {
        "months": months,
        "due": due_total,
        "paid": paid_total,
        "rate": rate,
        "below_line": rate is not None and rate < COLLECTION_RATE_LINE,
    }


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole else None


def cases_by_stage(scope: Scope) -> list[dict]:
    """Open cases at each stage of the chain, in its order (the funnel), with the side stages."""
    counts = dict(
        Case.objects.filter(enterprise__region_id__in=scope.region_ids, closed_at__isnull=True)
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    order = [*[s for s in CHAIN if s != Stage.CLOSED], Stage.DEFERRAL, Stage.TRACKING]
    return [{"stage": s, "label": Stage(s).label, "count": counts.get(s, 0)} for s in order]


def outstanding_by_region(scope: Scope) -> list[dict]:
    rows = (
        _owing(_accounts(scope))
        .values("enterprise__region_id", "enterprise__region__name")
        .annotate(principal=money_sum("principal_outstanding"), fee=money_sum("fee_outstanding"))
        .order_by("-principal")
    )
    return [
        {"id": r["enterprise__region_id"], "name": r["enterprise__region__name"], **_pf(r)}
        for r in rows
    ]


def outstanding_by_group(scope: Scope) -> list[dict]:
    rows = (
        _owing(_accounts(scope))
        .values("enterprise__region__task_group_id", "enterprise__region__task_group__name")
        .annotate(principal=money_sum("principal_outstanding"), fee=money_sum("fee_outstanding"))
        .order_by("-principal")
    )
    return [
        {
            "id": r["enterprise__region__task_group_id"],
            "name": r["enterprise__region__task_group__name"] or "未分组",
            **_pf(r),
        }
        for r in rows
    ]


def outstanding_by_industry(scope: Scope) -> list[dict]:
    rows = (
        _owing(_accounts(scope))
        .values("enterprise__industry")
        .annotate(principal=money_sum("principal_outstanding"), fee=money_sum("fee_outstanding"))
        .order_by("-principal")
    )
    labels = dict(Industry.choices)
    return [
        {
            "id": r["enterprise__industry"],
            "name": labels.get(r["enterprise__industry"], "未填行业"),
            **_pf(r),
        }
        for r in rows
    ]


def _pf(row: dict) -> dict:
    return {"principal": row["principal"], "fee": row["fee"]}


AGE_BUCKETS = (
    ("aged_under_3m", "3个月以内"),
    ("aged_3_12m", "3至12个月"),
    ("aged_1_3y", "1至3年"),
    ("aged_over_3y", "3年以上"),
)


def ageing(scope: Scope) -> list[dict]:
    """Outstanding principal by how old its periods are."""
    sums = _accounts(scope).aggregate(**{name: money_sum(name) for name, _ in AGE_BUCKETS})
    return [{"key": name, "label": label, "principal": sums[name]} for name, label in AGE_BUCKETS]


def top_debtors(scope: Scope, n: int = 20) -> list[LedgerAccount]:
    return list(
        _owing(_accounts(scope))
        .select_related("enterprise", "enterprise__region")
        .order_by("-principal_outstanding", "enterprise_id")[:n]
    )


def flagged_debtors(scope: Scope) -> list[dict]:
    """Enterprises owing at least 1,000,000 and 10,000,000 yuan of principal."""
    counts = _accounts(scope).aggregate(
        **{
            f"over_{i}": Count("pk", filter=Q(principal_outstanding__gte=level))
            for i, level in enumerate(FLAG_LEVELS)
        }
    )
    labels = ("100 万元以上", "1000 万元以上")
    return [
        {"level": level, "label": label, "count": counts[f"over_{i}"], "band": band}
        for i, (level, label, band) in enumerate(
            zip(FLAG_LEVELS, labels, ("gte1m", "gte10m"), strict=True)
        )
    ]


def growth_warnings(scope: Scope, *, as_of: date) -> list[dict]:
    """Townships whose outstanding principal grew month on month beyond the threshold
    (DESIGN §3.10, default 5 %): this month's balance (refreshed nightly) against last
    month's."""
    threshold = Decimal(str(settings.GROWTH_WARNING_PERCENT)) / 100
    month = as_of.replace(day=1)
    balances = RegionBalance.objects.filter(
        region_id__in=scope.region_ids, month__in=(month, add_months(month, -1))
    ).select_related("region")
    by_region: dict[int, dict] = {}
    for balance in balances:
        by_region.setdefault(balance.region_id, {"region": balance.region})[
            "now" if balance.month == month else "before"
        ] = balance.principal
    warnings = []
    for row in by_region.values():
        before, now = row.get("before"), row.get("now")
        if before and now is not None and now - before > before * threshold:
            warnings.append({**row, "growth": _rate(now - before, before)})
    return sorted(warnings, key=lambda w: -w["growth"])


def overdue_by_group(scope: Scope, *, day: date) -> list[dict]:
    """Open cases whose current document's deadline passed with no next step, per group."""
    rows = (
        Case.objects.filter(
            enterprise__region_id__in=scope.region_ids,
            closed_at__isnull=True,
            current_document__deadline__lt=day,
            current_document__status="issued",
        )
        .values("task_group_id", "task_group__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return [
        {"id": r["task_group_id"], "name": r["task_group__name"] or "未分组", "count": r["n"]}
        for r in rows
    ]


def target_progress(scope: Scope, *, year: int, as_of: date) -> dict:
    """The year's target for the scope (its townships' targets, or its groups' where the
    townships have none) against what was recovered this year."""
    targets = Target.objects.filter(year=year)
    by_region = targets.filter(region_id__in=scope.region_ids).aggregate(s=money_sum("amount"))["s"]
    by_group = targets.filter(task_group_id__in=scope.group_ids).aggregate(s=money_sum("amount"))[
        "s"
    ]
    target = by_region or by_group
    done = recovered(scope, date(year, 1, 1), as_of)["total"]
    share = _rate(done, target)
    return {
        "target": target,
        "recovered": done,
        "share": share,
        "percent": min(100, int(share * 100)) if share is not None else 0,
        "reached": share is not None and share >= 1,
    }


def own_figures(user, *, day: date) -> dict:
    """A caseworker's own figures: open cases, overdue actions, and what the enterprises of
    his cases paid this month and this year. Two queries: 今日待办 loads them every time it is
    opened."""
    cases = Case.objects.filter(assigned_to=user, closed_at__isnull=True).aggregate(
        open=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(current_document__deadline__lt=day, current_document__status="issued"),
        ),
    )
    this_month = Q(payment__paid_on__gte=day.replace(day=1))
    paid = Allocation.objects.filter(
        payment__enterprise_id__in=Case.objects.filter(assigned_to=user).values("enterprise_id"),
        payment__reversed_at__isnull=True,
        payment__paid_on__gte=date(day.year, 1, 1),
        payment__paid_on__lte=day,
    ).aggregate(
        principal_month=money_sum("principal_amount", this_month),
        fee_month=money_sum("fee_amount", this_month),
        principal_year=money_sum("principal_amount"),
        fee_year=money_sum("fee_amount"),
    )
    return {
        "user": user,
        "open": cases["open"],
        "overdue": cases["overdue"],
        "recovered": paid["principal_month"] + paid["fee_month"],
        "recovered_year": paid["principal_year"] + paid["fee_year"],
    }


def caseworker_figures(scope: Scope, *, day: date) -> list[dict]:
    """Each member of the scope's group, with his own figures."""
    if scope.task_group is None:
        return []
    return [
        own_figures(member, day=day) for member in scope.task_group.members.order_by("username")
    ]
