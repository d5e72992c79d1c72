"""旬报 (ten-day report): 上旬 1–10, 中旬 11–20, 下旬 21 to the month's end, issued on the 10th,
the 20th and the last day. The monthly report's building blocks on fewer sheets: 汇总 (what is
owed now; recovered in the ten days, the month so far and the year so far, by payment method;
cases opened and closed), 分乡镇 and 回收明细 of the ten days.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings

from core.calendar import add_months
from reports.monthly import (
    BY_REGION,
    SUMMARY_COLUMNS,
    ZERO,
    Period,
    SummaryLines,
    area_sheet,
    cases_between,
    county_name,
    money_pair,
    outstanding,
    recovered,
    recoveries_sheet,
    recovery_by_method,
    stock_note,
    taken_now,
)
from reports.sheets import Column, ReportSheet, month_label, new_workbook, workbook_bytes

PARTS = {1: "上旬", 2: "中旬", 3: "下旬"}


def ten_day_bounds(month: date, part: int) -> tuple[date, date]:
    """The days of part 1, 2 or 3 of the month."""
    if part not in PARTS:
        raise ValueError("旬次应为 1、2 或 3")
    first = month.replace(day=1)
    if part == 3:
        return first.replace(day=21), add_months(first, 1) - timedelta(days=1)
    return first.replace(day=10 * part - 9), first.replace(day=10 * part)


def part_of(day: date) -> int:
    return min(3, (day.day - 1) // 10 + 1)


def ten_day_title(start: date) -> str:
    label = f"{month_label(start)}{PARTS[part_of(start)]}"
    return f"{county_name()}社会保险费清欠工作旬报（{label}）"


def ten_day_file_name(start: date) -> str:
    return f"清欠旬报_{start:%Y-%m}_{PARTS[part_of(start)]}.xlsx"


def _summary(workbook, period: Period, title: str) -> None:
    columns = list(SUMMARY_COLUMNS)
    columns[2:4] = [Column("本旬", "money", 16), Column("本月累计", "money", 16)]
    columns.insert(4, Column("本年累计", "money", 16))
    sheet = ReportSheet(
        workbook,
        name="汇总",
        title=title,
        subtitle=f"单位：元　　数据提取时间：{period.taken_text()}",
        columns=columns,
    )
    out = SummaryLines(sheet)

    def line(label, unit, values, note="", kind="money"):
        out.sheet.row([label, unit, *values, note], kinds={2: kind, 3: kind, 4: kind})

    month_start = period.start.replace(day=1)
    windows = [
        (period.start, period.through),
        (month_start, period.through),
        (period.year_start, period.through),
    ]
    owed = outstanding()[None]
    stock_at = f"截至 {period.taken_text()}"
    out.sheet.row(["一、欠费情况", None, None, None, None, None], bold=True)
    line("欠费单位数", "户", [owed["enterprises"], None, None], stock_at, kind="count")
    line("累计欠费本金", "元", [owed["principal"], None, None], stock_at)
    line("累计欠缴滞纳金", "元", [owed["fee"], None, None], stock_at)

    out.sheet.row(["二、清欠回收", None, None, None, None, None], bold=True)
    flows = [recovered(*days)[None] for days in windows]
    line("回收本金", "元", [f["principal"] for f in flows])
    line("回收滞纳金", "元", [f["fee"] for f in flows])
    line("回收合计", "元", [sum(money_pair(f), ZERO) for f in flows])
    methods = [
        {label: principal + fee for label, principal, fee in recovery_by_method(*days)}
        for days in windows
    ]
    for label in methods[0]:
        line(f"　　其中：{label}", "元", [m[label] for m in methods], "本金与滞纳金合计")

    out.sheet.row(["三、案件", None, None, None, None, None], bold=True)
    for label, field in (("立案", "opened_at"), ("结案", "closed_at")):
        counts = [cases_between(*days, field).count() for days in windows]
        line(label, "件", counts, kind="count")
    sheet.note(stock_note(period))


def build_ten_day(
    *,
    month: date,
    part: int,
    taken_at: datetime | None = None,
    progress: Callable | None = None,
) -> bytes:
    start, end = ten_day_bounds(month, part)
    period = Period(start, end, taken_at or taken_now())
    title = ten_day_title(start)
    workbook = new_workbook()
    _summary(workbook, period, title)
    if progress:
        progress(30)
    windows = {
        "本旬回收": (period.start, period.through),
        "本月累计回收": (period.start.replace(day=1), period.through),
        "本年累计回收": (period.year_start, period.through),
    }
    area_sheet(workbook, period=period, by=BY_REGION, title=title, windows=windows)
    if progress:
        progress(60)
    recoveries_sheet(workbook, title=title, start=period.start, end=period.through)
    return workbook_bytes(workbook, taken_at=period.taken_at, author=settings.OFFICE_NAME)
