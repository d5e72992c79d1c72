"""月报 (monthly report): the figures of DESIGN §3.10 for a report month, and its six sheets.

Flows are exact by date: recoveries are the allocations of payments not reversed, by payment
day; cases opened and closed by their local (Asia/Shanghai) day. Stocks — what is owed, its
age, open cases — come from each enterprise's account cache (arrears.models.LedgerAccount),
one row per enterprise, as it stands when the report is made; the ledger is never summed item
by item for them. The 征缴率 and 当年新增欠费 sum one year's items (paid ÷ due for the
periods of the year), in the database.

For a month still running this is the current picture, and the sheets say when it was taken.
For a past month the recoveries are still exact, but the stocks are the accounts as they
stand now, not at the month's end: the ledger keeps no dated balances, and the late fee at a
past day would mean running the fee engine over every item. The sheets say so in a note. The
report that beat makes on the 1st (reports.tasks) is taken a few hours after the month ended,
so its stocks are the month-end figures.

Building blocks shared with the ten-day report and the bulletin: `Period`, the grouped
queries, `area_sheet` and `recoveries_sheet`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery
from django.utils import timezone

from arrears.models import Allocation, InsuranceType, LedgerAccount, LedgerItem, PaymentMethod
from arrears.selectors import MINISTRY_LEVEL, PROVINCE_LEVEL
from core.calendar import add_months
from core.dates import chinese_date
from core.money import money_sum
from enforcement.models import Case
from enforcement.stages import CHAIN, ClosingReason, Stage
from enterprises.models import AbilityClass, Industry, Region, TaskGroup
from reports.models import Target
from reports.selectors import COLLECTION_RATE_LINE
from reports.sheets import (
    Column,
    ReportSheet,
    month_label,
    new_workbook,
    progress_steps,
    rate,
    workbook_bytes,
)

ZERO = Decimal("0.00")
HALF_FEN = Decimal("0.005")
MONEY = DecimalField(max_digits=16, decimal_places=2)
FLAG_LEVELS = ((MINISTRY_LEVEL, "1000万元以上"), (PROVINCE_LEVEL, "100万元以上"))
OPEN_STAGES = [*[s for s in CHAIN if s != Stage.CLOSED], Stage.DEFERRAL, Stage.TRACKING]
NO_GROUP = "未分组"


@dataclass(frozen=True)
class Period:
    """The days a report covers, and the moment its figures were taken (local time)."""

    start: date
    end: date
    taken_at: datetime

    @property
    def taken_on(self) -> date:
        return self.taken_at.date()

    @property
    def through(self) -> date:
        """The last day the flows count: the period's end, or today while it runs."""
        return min(self.end, self.taken_on)

    @property
    def year_start(self) -> date:
        return date(self.end.year, 1, 1)

    @property
    def complete(self) -> bool:
        return self.end < self.taken_on

    def taken_text(self) -> str:
        return f"{chinese_date(self.taken_on)} {self.taken_at:%H:%M}"


def taken_now() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def month_period(month: date, taken_at: datetime | None = None) -> Period:
    first = month.replace(day=1)
    return Period(first, add_months(first, 1) - timedelta(days=1), taken_at or taken_now())


def county_name() -> str:
    return settings.OFFICE_NAME.removesuffix("社会保险中心") or settings.OFFICE_NAME


def stock_note(period: Period) -> str:
    if not period.complete:
        return (
            f"说明：欠费本金、滞纳金、账龄和在办案件为 {period.taken_text()} 的台账余额（本期尚未结束）；"
            f"回收额按缴款日期统计至 {chinese_date(period.through)}。"
        )
    if period.taken_on <= period.end + timedelta(days=1):
        return (
            f"说明：回收额、立案和结案按日期统计；欠费本金、滞纳金、账龄、征缴率和在办案件为期末次日 "
            f"{period.taken_text()} 的台账余额，即 {chinese_date(period.end)} 的期末余额"
            "（次日零时后登记的缴款不在其内）。"
        )
    return (
        f"说明：回收额、立案和结案按日期统计，为本期准确数；欠费本金、滞纳金、账龄、征缴率和在办案件为生成时"
        f"（{period.taken_text()}）的台账余额，不是 {chinese_date(period.end)} 的期末余额——期末之后登记的缴款和调整已计入。"
        "每月1日自动生成的上月月报为月末余额。"
    )


# ---- figures ---------------------------------------------------------------------------------


def _grouped(queryset, key: str | None, **aggregates) -> dict:
    if key is None:
        return {None: queryset.aggregate(**aggregates)}
    return {row[key]: row for row in queryset.order_by().values(key).annotate(**aggregates)}


@dataclass(frozen=True)
class Breakdown:
    """How each table reaches the thing rows are grouped by (None: the whole county)."""

    account: str | None = None
    allocation: str | None = None
    item: str | None = None


COUNTY = Breakdown()
BY_REGION = Breakdown(
    "enterprise__region_id", "payment__enterprise__region_id", "enterprise__region_id"
)
BY_GROUP = Breakdown(
    "enterprise__region__task_group_id",
    "payment__enterprise__region__task_group_id",
    "enterprise__region__task_group_id",
)


def owing_accounts():
    return LedgerAccount.objects.filter(
        Q(principal_outstanding__gt=HALF_FEN) | Q(fee_outstanding__gt=HALF_FEN)
    )


def outstanding(by: Breakdown = COUNTY) -> dict:
    return _grouped(
        owing_accounts(),
        by.account,
        enterprises=Count("pk"),
        principal=money_sum("principal_outstanding"),
        fee=money_sum("fee_outstanding"),
    )


def recovered(start: date, end: date, key: str | None = None) -> dict:
    """Principal and fees recovered between two days (payment days), grouped by `key`."""
    allocations = Allocation.objects.filter(
        payment__reversed_at__isnull=True, payment__paid_on__gte=start, payment__paid_on__lte=end
    )
    return _grouped(
        allocations, key, principal=money_sum("principal_amount"), fee=money_sum("fee_amount")
    )


def contributions(first: date, last: date, by: Breakdown = COUNTY) -> dict:
    """Due and paid principal of the periods first…last (征缴率; due − paid is what is owed)."""
    items = LedgerItem.objects.filter(period__gte=first, period__lte=last)
    return _grouped(items, by.item, due=money_sum("principal"), paid=money_sum("principal_paid"))


def targets(year: int, by: Breakdown) -> dict:
    """The year's target per row: a group's own, or else its townships' together."""
    rows = list(Target.objects.filter(year=year).values("region_id", "task_group_id", "amount"))
    regions = {r["region_id"]: r["amount"] for r in rows if r["region_id"]}
    groups = {r["task_group_id"]: r["amount"] for r in rows if r["task_group_id"]}
    if by is BY_REGION:
        return regions
    group_of = dict(Region.objects.values_list("pk", "task_group_id"))
    from_regions: dict = {}
    for region_id, amount in regions.items():
        key = group_of.get(region_id)
        from_regions[key] = from_regions.get(key, ZERO) + amount
    if by is BY_GROUP:
        return {**from_regions, **groups}
    # The county's: each group's, its own or its townships' (and townships without a group).
    return {None: sum({**from_regions, **groups}.values(), ZERO)}


def _local(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def cases_between(start: date, end: date, field: str):
    """Cases opened (field "opened_at") or closed ("closed_at") on local days start…end."""
    return Case.objects.filter(
        **{f"{field}__gte": _local(start), f"{field}__lt": _local(end + timedelta(days=1))}
    )


def money_pair(row: dict | None) -> tuple[Decimal, Decimal]:
    return (row["principal"], row["fee"]) if row else (ZERO, ZERO)


# ---- shared sheets ---------------------------------------------------------------------------


def area_rows(by: Breakdown) -> list[tuple]:
    """(key, name, second column) for each township or group, in their order."""
    if by is BY_REGION:
        return [
            (r.pk, r.name, r.task_group.name if r.task_group else NO_GROUP)
            for r in Region.objects.select_related("task_group")
        ]
    rows = []
    names: dict = {}
    for region in Region.objects.all():
        names.setdefault(region.task_group_id, []).append(region.name)
    for group in TaskGroup.objects.all():
        rows.append((group.pk, group.name, "、".join(names.get(group.pk, []))))
    if None in names:
        rows.append((None, NO_GROUP, "、".join(names[None])))
    return rows


def area_sheet(workbook, *, period: Period, by: Breakdown, title: str, windows: dict) -> list:
    """分乡镇 / 分工作组: what is owed, recovered in each window (name → (first, last day)),
    the year's target and 征缴率. Returns the totals row's sums."""
    township = by is BY_REGION
    columns = [
        Column("乡镇" if township else "工作组", width=14),
        Column("工作组" if township else "所辖乡镇", width=12 if township else 24),
        Column("欠费单位数（户）", "count", 9, total=True),
        Column("欠费本金", "money", 15, total=True),
        Column("滞纳金", "money", 14, total=True),
        Column("欠费合计", "money", 15, total=True),
        Column("当年新增欠费", "money", 14, total=True),
        *[Column(name, "money", 14, total=True) for name in windows],
        Column("年度目标", "money", 14, total=True),
        Column("目标完成率", "percent", 10),
        Column("本年征缴率", "percent", 10),
    ]
    sheet = ReportSheet(
        workbook,
        name="分乡镇" if township else "分工作组",
        title=title,
        subtitle=f"单位：元　　欠费为 {period.taken_text()} 台账余额",
        columns=columns,
    )
    stock = outstanding(by)
    year = contributions(period.year_start, period.end.replace(day=1), by)
    flows = {name: recovered(*days, by.allocation) for name, days in windows.items()}
    goals = targets(period.end.year, by)
    due_total = paid_total = ZERO
    n = len(windows)
    for key, name, second in area_rows(by):
        owed = stock.get(key) or {"enterprises": 0, "principal": ZERO, "fee": ZERO}
        contributed = year.get(key) or {"due": ZERO, "paid": ZERO}
        due_total += contributed["due"]
        paid_total += contributed["paid"]
        recoveries = [sum(money_pair(flows[w].get(key)), ZERO) for w in windows]
        goal = goals.get(key)
        collection = rate(contributed["paid"], contributed["due"])
        sheet.row(
            [
                name,
                second,
                owed["enterprises"],
                owed["principal"],
                owed["fee"],
                owed["principal"] + owed["fee"],
                contributed["due"] - contributed["paid"],
                *recoveries,
                goal,
                rate(recoveries[-1], goal) if goal else None,
                collection,
            ],
            red_columns=[9 + n]
            if collection is not None and collection < COLLECTION_RATE_LINE
            else (),
        )
    sums = sheet.sums
    sheet.totals(
        extra={
            8 + n: rate(sums[6 + n], sums[7 + n]) if sums[7 + n] else None,
            9 + n: rate(paid_total, due_total),
        }
    )
    sheet.note(
        f"当年新增欠费为 {period.end.year} 年各所属期（至 {month_label(period.end)}）尚未缴纳的本金；"
        "目标完成率 = 本年累计回收 ÷ 年度目标；本年征缴率 = 本年各所属期已缴本金 ÷ 应缴本金，低于 90% 的以红色标出。"
    )
    sheet.note(stock_note(period))
    return sums


RECOVERY_COLUMNS = [
    Column("序号", "count", 6),
    Column("缴款日期", "date", 11),
    Column("统一社会信用代码", width=21),
    Column("单位名称", width=30),
    Column("乡镇", width=10),
    Column("工作组", width=11),
    Column("险种", width=6),
    Column("缴款方式", width=9),
    Column("凭证号", width=18),
    Column("冲抵本金", "money", 14, total=True),
    Column("冲抵滞纳金", "money", 13, total=True),
    Column("回收合计", "money", 14, total=True),
]


def recovery_lines(start: date, end: date):
    """One line per payment not reversed, paid start…end, with what it recovered."""
    return (
        Allocation.objects.filter(
            payment__reversed_at__isnull=True,
            payment__paid_on__gte=start,
            payment__paid_on__lte=end,
        )
        .values_list(
            "payment_id",
            "payment__paid_on",
            "payment__enterprise__credit_code",
            "payment__enterprise__name",
            "payment__enterprise__region__name",
            "payment__enterprise__region__task_group__name",
            "payment__insurance_type",
            "payment__method",
            "payment__external_ref",
        )
        .annotate(principal=money_sum("principal_amount"), fee=money_sum("fee_amount"))
        .order_by("payment__paid_on", "payment_id")
    )


def recoveries_sheet(workbook, *, title: str, start: date, end: date) -> list:
    sheet = ReportSheet(
        workbook,
        name="回收明细",
        title=title,
        subtitle=f"单位：元　　缴款日期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        columns=RECOVERY_COLUMNS,
        freeze_columns=4,
    )
    kinds, methods = dict(InsuranceType.choices), dict(PaymentMethod.choices)
    for number, line in enumerate(recovery_lines(start, end).iterator(chunk_size=2000), 1):
        _, paid_on, code, name, region, group, kind, method, ref, principal, fee = line
        sheet.row(
            [
                number,
                paid_on,
                code,
                name,
                region,
                group or NO_GROUP,
                kinds.get(kind, kind),
                methods.get(method, method),
                ref,
                principal,
                fee,
                principal + fee,
            ]
        )
    sums = sheet.totals()
    sheet.note(
        "回收额为缴款冲抵欠费本金和滞纳金的金额（已冲正的缴款不计；转为预缴余额的部分不计）。"
    )
    return sums


def recovery_by_method(start: date, end: date) -> list[tuple[str, Decimal, Decimal]]:
    grouped = recovered(start, end, "payment__method")
    return [(label, *money_pair(grouped.get(value))) for value, label in PaymentMethod.choices]


# ---- the monthly report ----------------------------------------------------------------------

SUMMARY_COLUMNS = [
    Column("指标", width=34),
    Column("单位", width=6),
    Column("本月", "money", 17),
    Column("本年累计", "money", 17),
    Column("说明", width=46),
]


class SummaryLines:
    """The 汇总 sheet's lines: label, unit, this month, the year so far, a remark."""

    def __init__(self, sheet: ReportSheet):
        self.sheet = sheet

    def section(self, label: str) -> None:
        self.sheet.row([label, None, None, None, None], bold=True)

    def line(self, label, unit, month=None, year=None, note="", kind="money", red=False):
        self.sheet.row(
            [label, unit, month, year, note],
            kinds={2: kind, 3: kind},
            red_columns=(2, 3) if red else (),
        )


def summary_sheet(workbook, *, period: Period, title: str) -> None:
    sheet = ReportSheet(
        workbook,
        name="汇总",
        title=title,
        subtitle=f"单位：元　　数据提取时间：{period.taken_text()}",
        columns=SUMMARY_COLUMNS,
    )
    out = SummaryLines(sheet)
    stock_at = f"截至 {period.taken_text()}"
    owed = outstanding()[None]
    accounts = owing_accounts()
    ages = accounts.aggregate(
        a=money_sum("aged_under_3m"),
        b=money_sum("aged_3_12m"),
        c=money_sum("aged_1_3y"),
        d=money_sum("aged_over_3y"),
    )
    first_period = period.end.replace(day=1)
    year_items = contributions(period.year_start, first_period)[None]
    month_items = contributions(first_period, first_period)[None]

    out.section("一、欠费情况")
    out.line("欠费单位数", "户", owed["enterprises"], None, stock_at, kind="count")
    out.line("累计欠费本金", "元", owed["principal"], None, stock_at)
    out.line("累计欠缴滞纳金", "元", owed["fee"], None, stock_at)
    out.line("欠费合计", "元", owed["principal"] + owed["fee"], None, stock_at)
    out.line(
        "其中：当年新增欠费本金",
        "元",
        None,
        year_items["due"] - year_items["paid"],
        f"{period.end.year}年各所属期（至{month_label(period.end)}）尚未缴纳的本金",
    )
    labels = ("3个月以内", "3至12个月", "1至3年", "3年以上")
    for label, value in zip(labels, ages.values(), strict=True):
        out.line(f"　　欠费本金账龄{label}", "元", value, None, "按所属期距台账余额计算日的月数")
    for level, label in FLAG_LEVELS:
        count = accounts.filter(principal_outstanding__gte=level).count()
        out.line(f"欠费本金{label}的单位", "户", count, None, "报省、部备案", kind="count")

    out.section("二、清欠回收")
    month = recovered(period.start, period.through)[None]
    year = recovered(period.year_start, period.through)[None]
    out.line("回收本金", "元", month["principal"], year["principal"])
    out.line("回收滞纳金", "元", month["fee"], year["fee"])
    month_total, year_total = sum(money_pair(month), ZERO), sum(money_pair(year), ZERO)
    out.line("回收合计", "元", month_total, year_total)
    in_month = {label: p + f for label, p, f in recovery_by_method(period.start, period.through)}
    for label, principal, fee in recovery_by_method(period.year_start, period.through):
        out.line(f"　　其中：{label}", "元", in_month[label], principal + fee, "本金与滞纳金合计")

    out.section("三、征缴率")
    out.line(
        "应缴本金",
        "元",
        month_items["due"],
        year_items["due"],
        "本月：本月所属期；本年：本年各所属期",
    )
    out.line("已缴本金", "元", month_items["paid"], year_items["paid"])
    month_rate = rate(month_items["paid"], month_items["due"])
    year_rate = rate(year_items["paid"], year_items["due"])
    low = any(r is not None and r < COLLECTION_RATE_LINE for r in (month_rate, year_rate))
    out.line(
        "征缴率",
        "%",
        month_rate,
        year_rate,
        "低于 90%，须重点督办" if low else "已缴 ÷ 应缴；低于 90% 的以红色标出",
        kind="percent",
        red=low,
    )

    out.section("四、清欠目标")
    goal = targets(period.end.year, COUNTY)[None]
    out.line("年度清欠目标", "元", None, goal or None, "" if goal else "未设定目标")
    out.line(
        "目标完成率",
        "%",
        None,
        rate(year_total, goal) if goal else None,
        "本年累计回收 ÷ 年度目标",
        kind="percent",
    )

    out.section("五、案件")
    out.line(
        "在办案件",
        "件",
        Case.objects.filter(closed_at__isnull=True).count(),
        None,
        stock_at,
        kind="count",
    )
    for label, field in (("立案", "opened_at"), ("结案", "closed_at")):
        out.line(
            label,
            "件",
            cases_between(period.start, period.through, field).count(),
            cases_between(period.year_start, period.through, field).count(),
            kind="count",
        )
    sheet.note(stock_note(period))


DETAIL_COLUMNS = [
    Column("序号", "count", 7),
    Column("统一社会信用代码", width=21),
    Column("单位名称", width=30),
    Column("乡镇", width=10),
    Column("工作组", width=11),
    Column("行业", width=14),
    Column("清欠分类", width=12),
    Column("欠费本金", "money", 15, total=True),
    Column("滞纳金", "money", 14, total=True),
    Column("欠费合计", "money", 15, total=True),
    Column("最早欠费所属期", "month", 10),
    Column("3个月以内", "money", 14, total=True),
    Column("3至12个月", "money", 14, total=True),
    Column("1至3年", "money", 14, total=True),
    Column("3年以上", "money", 14, total=True),
    Column("案件阶段", width=12),
    Column("大额标记", width=11),
]


def detail_lines():
    """Each enterprise that owes anything, the largest debt first, with its open case's stage."""
    open_stage = Case.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), closed_at__isnull=True
    ).values("stage")[:1]
    return (
        owing_accounts()
        .annotate(stage=Subquery(open_stage))
        .order_by("-principal_outstanding", "enterprise_id")
        .values_list(
            "enterprise__credit_code",
            "enterprise__name",
            "enterprise__region__name",
            "enterprise__region__task_group__name",
            "enterprise__industry",
            "enterprise__ability",
            "principal_outstanding",
            "fee_outstanding",
            "oldest_unpaid",
            "aged_under_3m",
            "aged_3_12m",
            "aged_1_3y",
            "aged_over_3y",
            "stage",
        )
    )


def detail_sheet(workbook, *, period: Period, title: str, step=None) -> list:
    sheet = ReportSheet(
        workbook,
        name="欠费单位明细",
        title=title,
        subtitle=f"单位：元　　{period.taken_text()} 台账余额，按欠费本金从高到低",
        columns=DETAIL_COLUMNS,
        freeze_columns=3,
    )
    industries, classes = dict(Industry.choices), dict(AbilityClass.choices)
    stages = dict(Stage.choices)
    total = owing_accounts().count() or 1
    for number, line in enumerate(detail_lines().iterator(chunk_size=2000), 1):
        code, name, region, group, industry, ability, principal, fee, oldest, *ages, stage = line
        flag = next((label for level, label in FLAG_LEVELS if principal >= level), "")
        sheet.row(
            [
                number,
                code,
                name,
                region,
                group or NO_GROUP,
                industries.get(industry, ""),
                classes.get(ability, ""),
                principal,
                fee,
                principal + fee,
                oldest,
                *ages,
                stages.get(stage, "未立案"),
                flag,
            ]
        )
        if step and number % 2000 == 0:
            step(number / total)
    sums = sheet.totals()
    sheet.note(
        "账龄按所属期距台账余额计算日的月数分段，四段之和等于欠费本金。" + stock_note(period)
    )
    return sums


def cases_sheet(workbook, *, period: Period, title: str) -> list:
    reasons = list(ClosingReason.choices)
    columns = [
        Column("工作组", width=12),
        *[Column(f"在办·{Stage(s).label}", "count", 8, total=True) for s in OPEN_STAGES],
        Column("在办合计", "count", 8, total=True),
        Column("本月立案", "count", 8, total=True),
        Column("本月结案", "count", 8, total=True),
        *[Column(f"本月结案·{label}", "count", 9, total=True) for _, label in reasons],
        Column("本年立案", "count", 8, total=True),
        Column("本年结案", "count", 8, total=True),
    ]
    sheet = ReportSheet(
        workbook,
        name="案件进度",
        title=title,
        subtitle=f"单位：件　　在办案件为 {period.taken_text()} 的状态",
        columns=columns,
        freeze_columns=1,
    )
    open_cases = {
        (r["task_group_id"], r["stage"]): r["n"]
        for r in Case.objects.filter(closed_at__isnull=True)
        .order_by()
        .values("task_group_id", "stage")
        .annotate(n=Count("pk"))
    }

    def per_group(queryset, *extra):
        return {
            tuple(r[k] for k in ("task_group_id", *extra)): r["n"]
            for r in queryset.order_by().values("task_group_id", *extra).annotate(n=Count("pk"))
        }

    opened = per_group(cases_between(period.start, period.through, "opened_at"))
    closed = per_group(cases_between(period.start, period.through, "closed_at"), "closing_reason")
    opened_year = per_group(cases_between(period.year_start, period.through, "opened_at"))
    closed_year = per_group(cases_between(period.year_start, period.through, "closed_at"))
    groups = [(g.pk, g.name) for g in TaskGroup.objects.all()]
    if Case.objects.filter(task_group__isnull=True).exists():
        groups.append((None, NO_GROUP))
    for key, name in groups:
        in_stage = [open_cases.get((key, s), 0) for s in OPEN_STAGES]
        by_reason = [closed.get((key, value), 0) for value, _ in reasons]
        sheet.row(
            [
                name,
                *in_stage,
                sum(in_stage),
                opened.get((key,), 0),
                sum(by_reason),
                *by_reason,
                opened_year.get((key,), 0),
                closed_year.get((key,), 0),
            ]
        )
    sums = sheet.totals()
    sheet.note(
        f"在办案件按 {period.taken_text()} 所处阶段统计；立案、结案按立案、结案日期（北京时间）统计，"
        "本月为 " + f"{chinese_date(period.start)}至{chinese_date(period.through)}。"
    )
    return sums


def monthly_title(period: Period) -> str:
    return f"{county_name()}社会保险费清欠工作月报（{month_label(period.start)}）"


def monthly_file_name(month: date) -> str:
    return f"清欠月报_{month:%Y-%m}.xlsx"


def build_monthly(
    *, month: date, taken_at: datetime | None = None, progress: Callable | None = None
) -> bytes:
    """The monthly report for the month of `month`, as xlsx bytes."""
    period = month_period(month, taken_at)
    title = monthly_title(period)
    step = progress_steps(progress, 10)
    workbook = new_workbook()
    summary_sheet(workbook, period=period, title=title)
    step(1)
    windows = {
        "本月回收": (period.start, period.through),
        "本年累计回收": (period.year_start, period.through),
    }
    for by in (BY_REGION, BY_GROUP):
        area_sheet(workbook, period=period, by=by, title=title, windows=windows)
    step(2)
    detail_sheet(workbook, period=period, title=title, step=lambda f: step(2 + 5 * f))
    step(7)
    recoveries_sheet(workbook, title=title, start=period.start, end=period.through)
    step(9)
    cases_sheet(workbook, period=period, title=title)
    return workbook_bytes(workbook, taken_at=period.taken_at, author=settings.OFFICE_NAME)
