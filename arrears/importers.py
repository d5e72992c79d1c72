"""The ledger importer behind the web upload and `manage.py import_ledger` (DESIGN §4).

Parsing streams the sheet and writes nothing; `ledger_import` writes all rows or none.
"""

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from arrears.models import InsuranceType, LedgerItem
from arrears.policy import current_policy, due_date_for
from core.dates import today
from core.excel import (
    Column,
    ParsedRows,
    Problem,
    normalize_text,
    parse_amount,
    parse_day,
    parse_period,
)
from enterprises.codes import enterprise_in_cell
from enterprises.models import Enterprise

COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True, aliases=("社会信用代码", "信用代码")),
    Column("单位名称", "name", required=True, aliases=("企业名称",)),
    Column("险种", "insurance_type"),
    Column("费款所属期", "period", required=True, aliases=("所属期", "费款所属期（年月）")),
    Column("单位部分", "unit_amount", required=True, aliases=("单位缴费", "单位应缴")),
    Column("个人部分", "individual_amount", required=True, aliases=("个人缴费", "个人应缴")),
    Column("应缴截止日", "due_date", aliases=("缴费截止日",)),
]
TEMPLATE_HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.key: c.header for c in COLUMNS}
_TYPES = {label: value for value, label in InsuranceType.choices} | {
    "企业职工基本养老保险": InsuranceType.PENSION,
    "基本养老保险": InsuranceType.PENSION,
    "养老保险": InsuranceType.PENSION,
    "基本医疗保险": InsuranceType.MEDICAL,
    "医疗保险": InsuranceType.MEDICAL,
    "失业保险": InsuranceType.UNEMPLOYMENT,
    "工伤保险": InsuranceType.INJURY,
    "生育保险": InsuranceType.MATERNITY,
}
PROGRESS_EVERY = 2000
# One item's principal. Each part fits numeric(14, 2) on its own (parse_amount), but the
# principal column holds their sum and the late fee — not capped by default, up to about 25×
# the principal for an item of 1999 by 2100 at the policy's rates — must fit it too.
PRINCIPAL_MAX = Decimal("10000000000.00")


class LedgerRow(NamedTuple):
    row: int
    enterprise_id: int
    insurance_type: str
    period: date
    unit_amount: Decimal
    individual_amount: Decimal
    due_date: date
    due_date_fixed: bool = False  # stated by the file: kept as given


@dataclass
class ParsedLedger(ParsedRows):
    rows: list[LedgerRow] = field(default_factory=list)

    def summary(self) -> dict:
        unit = sum((r.unit_amount for r in self.rows), Decimal("0"))
        individual = sum((r.individual_amount for r in self.rows), Decimal("0"))
        return {
            "rows": len(self.rows),
            "enterprises": len({r.enterprise_id for r in self.rows}),
            "unit_amount": str(unit),
            "individual_amount": str(individual),
            "principal": str(unit + individual),
            "first_period": min(r.period for r in self.rows).isoformat() if self.rows else "",
            "last_period": max(r.period for r in self.rows).isoformat() if self.rows else "",
        }


def _month_end(period: date) -> date:
    return date(period.year, period.month, monthrange(period.year, period.month)[1])


def _same_name(a: str, b: str) -> bool:
    # Brackets come full-width or half-width depending on who typed them.
    def plain(text):
        return normalize_text(text).replace(" ", "").replace("(", "（").replace(")", "）")

    return plain(a) == plain(b)


def _cached(function, limit: int = 50_000):
    """`function(value)` → (result, None) or (None, the ValueError's message), remembered for
    the file — periods, names, types, due dates and often amounts repeat on every row of an
    enterprise — up to `limit` distinct values, to keep memory bounded."""
    cache: dict = {}

    def lookup(value):
        key = (value.__class__, value)  # 1, 1.0 and True are equal as dict keys
        try:
            return cache[key]
        except KeyError:
            pass
        try:
            result = (function(value), None)
        except ValueError as error:
            result = (None, str(error))
        if len(cache) < limit:
            cache[key] = result
        return result

    return lookup


def parse_ledger_file(
    path: Path,
    *,
    allowed_region_ids=None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ParsedLedger:
    parsed = ParsedLedger()
    opened = parsed.open_sheet(path, COLUMNS)
    if opened is None:
        return parsed
    sheet, rows = opened
    problems = parsed.problems

    policy = current_policy()
    enterprises = {
        code: (pk, name, region_id)
        for code, pk, name, region_id in Enterprise.objects.values_list(
            "credit_code", "pk", "name", "region_id"
        )
    }
    latest_year = today().year + 1

    def register_entry(value):
        entry, error = enterprise_in_cell(
            value, enterprises, allowed_region_ids, missing="，请先导入企业"
        )
        if error:
            raise ValueError(error)
        return entry

    def type_in_cell(value):
        if value is None:
            return InsuranceType.PENSION
        text = normalize_text(value).replace(" ", "")
        if text not in _TYPES:
            raise ValueError(f"「{text}」不是有效的险种（养老、医疗、失业、工伤、生育）")
        return _TYPES[text]

    def period_in_cell(value):
        if value is None:
            raise ValueError("不能为空")
        return parse_period(value, latest_year=latest_year)

    enterprise_of = _cached(register_entry)
    name_of = _cached(normalize_text)
    type_of = _cached(type_in_cell)
    period_of = _cached(period_in_cell)
    day_of = _cached(parse_day)
    amount_of = _cached(parse_amount)
    month_ends: dict[date, date] = {}
    default_dues: dict[date, date] = {}
    same_names: dict[tuple, bool] = {}

    seen: dict[tuple, int] = {}
    count = 0
    for row, cells in rows:
        before = len(problems)
        get = cells.get

        enterprise, error = enterprise_of(get("credit_code"))
        if error:
            problems.append(Problem(row, HEADER_OF["credit_code"], error))
        name, _ = name_of(get("name"))
        if not name:
            problems.append(Problem(row, HEADER_OF["name"], "不能为空"))
        elif enterprise:
            known = (name, enterprise[1])
            if known not in same_names:
                same_names[known] = _same_name(name, enterprise[1])
            if not same_names[known]:
                problems.append(
                    Problem(
                        row,
                        HEADER_OF["name"],
                        f"与企业名册不一致（名册为「{enterprise[1]}」），请核对统一社会信用代码",
                    )
                )

        insurance_type, error = type_of(get("insurance_type"))
        if error:
            problems.append(Problem(row, HEADER_OF["insurance_type"], error))
        period, error = period_of(get("period"))
        if error:
            problems.append(Problem(row, HEADER_OF["period"], error))

        amounts = []
        for key in ("unit_amount", "individual_amount"):
            value = get(key)
            if value is None:
                problems.append(Problem(row, HEADER_OF[key], "不能为空（没有请填 0）"))
                continue
            amount, error = amount_of(value)
            if error:
                problems.append(Problem(row, HEADER_OF[key], error))
            else:
                amounts.append(amount)
        if len(amounts) == 2:
            principal = amounts[0] + amounts[1]
            if principal == 0:
                problems.append(
                    Problem(row, HEADER_OF["unit_amount"], "单位部分和个人部分不能都为 0")
                )
            elif principal > PRINCIPAL_MAX:
                problems.append(
                    Problem(
                        row,
                        HEADER_OF["unit_amount"],
                        f"单位部分与个人部分合计（欠费本金）不能超过 {PRINCIPAL_MAX:,} 元",
                    )
                )

        due = None
        value = get("due_date")
        if value is not None:
            due, error = day_of(value)
            if error:
                problems.append(Problem(row, HEADER_OF["due_date"], error))
            elif period:
                if period not in month_ends:
                    month_ends[period] = _month_end(period)
                if due < month_ends[period]:
                    problems.append(
                        Problem(
                            row,
                            HEADER_OF["due_date"],
                            f"不能早于费款所属期的最后一天（{month_ends[period]}）",
                        )
                    )
        elif period:
            if period not in default_dues:
                default_dues[period] = due_date_for(period, policy)
            due = default_dues[period]

        if len(problems) == before:
            key = (enterprise[0], insurance_type, period)
            if key in seen:
                problems.append(
                    Problem(
                        row,
                        HEADER_OF["period"],
                        f"与第 {seen[key]} 行重复（同一企业、险种和所属期）",
                    )
                )
            else:
                seen[key] = row
                parsed.rows.append(
                    LedgerRow(
                        row,
                        enterprise[0],
                        insurance_type,
                        period,
                        amounts[0],
                        amounts[1],
                        due,
                        value is not None,
                    )
                )
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count, sheet.max_row and sheet.max_row - 1)
    return parsed.finish("工作表没有数据行：第 1 行为列名，请从第 2 行起填写欠费明细。")


def existing_items(rows: list[LedgerRow]) -> dict[tuple, tuple]:
    """(enterprise, type, period) → (id, unit, individual, principal_paid) for the rows' enterprises."""
    enterprise_ids = sorted({r.enterprise_id for r in rows})
    found = {}
    for start in range(0, len(enterprise_ids), 1000):
        for values in LedgerItem.objects.filter(
            enterprise_id__in=enterprise_ids[start : start + 1000]
        ).values_list(
            "enterprise_id",
            "insurance_type",
            "period",
            "id",
            "unit_amount",
            "individual_amount",
            "principal_paid",
        ):
            found[values[:3]] = values[3:]
    return found
