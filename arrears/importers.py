"""The ledger importer behind the web upload and `manage.py import_ledger` (DESIGN §4).

Parsing streams the sheet and writes nothing; `ledger_import` writes all rows or none.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

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


@dataclass(frozen=True)
class LedgerRow:
    row: int
    enterprise_id: int
    insurance_type: str
    period: date
    unit_amount: Decimal
    individual_amount: Decimal
    due_date: date


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


def _same_name(a: str, b: str) -> bool:
    # Brackets come full-width or half-width depending on who typed them.
    def plain(text):
        return normalize_text(text).replace(" ", "").replace("(", "（").replace(")", "）")

    return plain(a) == plain(b)


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

    policy = current_policy()
    enterprises = {
        code: (pk, name, region_id)
        for code, pk, name, region_id in Enterprise.objects.values_list(
            "credit_code", "pk", "name", "region_id"
        )
    }
    latest_year = today().year + 1
    seen: dict[tuple, int] = {}
    count = 0
    for row, cells in rows:
        problems_before = len(parsed.problems)

        def problem(key, message, row=row):
            parsed.problems.append(Problem(row, HEADER_OF[key], message))

        enterprise, error = enterprise_in_cell(
            cells.get("credit_code"), enterprises, allowed_region_ids, missing="，请先导入企业"
        )
        if error:
            problem("credit_code", error)
        name = normalize_text(cells.get("name"))
        if not name:
            problem("name", "不能为空")
        elif enterprise and not _same_name(name, enterprise[1]):
            problem(
                "name", f"与企业名册不一致（名册为「{enterprise[1]}」），请核对统一社会信用代码"
            )

        insurance_type = InsuranceType.PENSION
        if cells.get("insurance_type") is not None:
            text = normalize_text(cells["insurance_type"]).replace(" ", "")
            insurance_type = _TYPES.get(text)
            if insurance_type is None:
                problem(
                    "insurance_type", f"「{text}」不是有效的险种（养老、医疗、失业、工伤、生育）"
                )

        period = None
        if cells.get("period") is None:
            problem("period", "不能为空")
        else:
            try:
                period = parse_period(cells["period"], latest_year=latest_year)
            except ValueError as error:
                problem("period", str(error))

        amounts = {}
        for key in ("unit_amount", "individual_amount"):
            if cells.get(key) is None:
                problem(key, "不能为空（没有请填 0）")
                continue
            try:
                amounts[key] = parse_amount(cells[key])
            except ValueError as error:
                problem(key, str(error))
        if len(amounts) == 2 and amounts["unit_amount"] + amounts["individual_amount"] == 0:
            problem("unit_amount", "单位部分和个人部分不能都为 0")

        due = None
        if cells.get("due_date") is not None:
            try:
                due = parse_day(cells["due_date"])
            except ValueError as error:
                problem("due_date", str(error))
        elif period:
            due = due_date_for(period, policy)

        if len(parsed.problems) == problems_before:
            key = (enterprise[0], insurance_type, period)
            if key in seen:
                problem("period", f"与第 {seen[key]} 行重复（同一企业、险种和所属期）")
            else:
                seen[key] = row
                parsed.rows.append(
                    LedgerRow(
                        row,
                        enterprise[0],
                        insurance_type,
                        period,
                        amounts["unit_amount"],
                        amounts["individual_amount"],
                        due,
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
