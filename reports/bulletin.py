"""公布征缴情况: the quarterly public bulletin of collection figures. Aggregates only — the
county and each township — and no enterprise, no person: it is published as it is.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings

from core.calendar import add_months
from core.dates import chinese_date
from reports.monthly import (
    BY_REGION,
    COLLECTION_RATE_LINE,
    ZERO,
    Period,
    SummaryLines,
    area_rows,
    contributions,
    county_name,
    money_pair,
    outstanding,
    recovered,
    recovery_by_method,
    taken_now,
)
from reports.sheets import Column, ReportSheet, new_workbook, rate, workbook_bytes

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in QUARTERS:
        raise ValueError("季度应为 1 至 4")
    first = date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - timedelta(days=1)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def bulletin_title(start: date) -> str:
    return f"{county_name()}社会保险费征缴情况公布（{start.year}年{QUARTERS[quarter_of(start)]}）"


def bulletin_file_name(start: date) -> str:
    return f"征缴情况公布_{start.year}年{QUARTERS[quarter_of(start)]}.xlsx"


def _county_sheet(workbook, period: Period, title: str) -> None:
    sheet = ReportSheet(
        workbook,
        name="征缴情况",
        title=title,
        subtitle=f"单位：元　　统计至 {chinese_date(period.through)}",
        columns=[
            Column("项目", width=30),
            Column("单位", width=6),
            Column("本季度", "money", 18),
            Column("本年累计", "money", 18),
            Column("说明", width=40),
        ],
    )
    out = SummaryLines(sheet)
    last_period = period.end.replace(day=1)
    quarter = contributions(period.start, last_period)[None]
    year = contributions(period.year_start, last_period)[None]
    out.section("一、社会保险费征缴（按费款所属期）")
    out.line("应缴本金", "元", quarter["due"], year["due"], "本季度各所属期；本年各所属期")
    out.line("已缴本金", "元", quarter["paid"], year["paid"])
    rates = rate(quarter["paid"], quarter["due"]), rate(year["paid"], year["due"])
    low = any(r is not None and r < COLLECTION_RATE_LINE for r in rates)
    out.line("征缴率", "%", *rates, "已缴 ÷ 应缴", kind="percent", red=low)

    out.section("二、清欠回收（按缴款日期）")
    flows = [recovered(period.start, period.through)[None]]
    flows.append(recovered(period.year_start, period.through)[None])
    out.line("回收欠费本金", "元", flows[0]["principal"], flows[1]["principal"])
    out.line("回收滞纳金", "元", flows[0]["fee"], flows[1]["fee"])
    out.line("回收合计", "元", *[sum(money_pair(f), ZERO) for f in flows])
    in_quarter = {label: p + f for label, p, f in recovery_by_method(period.start, period.through)}
    for label, principal, fee in recovery_by_method(period.year_start, period.through):
        out.line(f"　　其中：{label}", "元", in_quarter[label], principal + fee)

    out.section("三、欠费情况")
    owed = outstanding()[None]
    at = f"截至 {period.taken_text()}"
    out.line("欠费单位数", "户", owed["enterprises"], None, at, kind="count")
    out.line("欠费本金", "元", owed["principal"], None, at)
    out.line("欠缴滞纳金", "元", owed["fee"], None, at)
    sheet.note("本表为汇总数据，不含单位和个人信息。征缴率低于 90% 的以红色标出。")


def _township_sheet(workbook, period: Period, title: str) -> None:
    sheet = ReportSheet(
        workbook,
        name="分乡镇",
        title=title,
        subtitle="单位：元",
        columns=[
            Column("乡镇", width=14),
            Column("本年应缴本金", "money", 16, total=True),
            Column("本年已缴本金", "money", 16, total=True),
            Column("本年征缴率", "percent", 11),
            Column("本季度清欠回收", "money", 16, total=True),
            Column("本年累计清欠回收", "money", 16, total=True),
            Column("欠费单位数（户）", "count", 10, total=True),
            Column("欠费本金", "money", 16, total=True),
        ],
    )
    year = contributions(period.year_start, period.end.replace(day=1), BY_REGION)
    key = BY_REGION.allocation
    quarter_flows = recovered(period.start, period.through, key)
    year_flows = recovered(period.year_start, period.through, key)
    owed = outstanding(BY_REGION)
    for region_id, name, _ in area_rows(BY_REGION):
        due = year.get(region_id) or {"due": ZERO, "paid": ZERO}
        stock = owed.get(region_id) or {"enterprises": 0, "principal": ZERO}
        collection = rate(due["paid"], due["due"])
        sheet.row(
            [
                name,
                due["due"],
                due["paid"],
                collection,
                sum(money_pair(quarter_flows.get(region_id)), ZERO),
                sum(money_pair(year_flows.get(region_id)), ZERO),
                stock["enterprises"],
                stock["principal"],
            ],
            red_columns=[3] if collection is not None and collection < COLLECTION_RATE_LINE else (),
        )
    sums = sheet.sums
    sheet.totals(extra={3: rate(sums[2], sums[1])})
    sheet.note(f"欠费为 {period.taken_text()} 的台账余额。")


def build_bulletin(
    *,
    year: int,
    quarter: int,
    taken_at: datetime | None = None,
    progress: Callable | None = None,
) -> bytes:
    start, end = quarter_bounds(year, quarter)
    period = Period(start, end, taken_at or taken_now())
    title = bulletin_title(start)
    workbook = new_workbook()
    _county_sheet(workbook, period, title)
    if progress:
        progress(50)
    _township_sheet(workbook, period, title)
    return workbook_bytes(workbook, taken_at=period.taken_at, author=settings.OFFICE_NAME)
