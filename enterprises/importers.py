"""The enterprise importer behind both the web upload and `manage.py import_enterprises`.

Parsing reads and checks every row and writes nothing; `enterprises_import` (services) writes
all rows or none. Messages are in Chinese; the command prints them as
`row R, column C: message` (DESIGN §4).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.excel import (
    Column,
    ParsedRows,
    Problem,
    normalize_text,
    parse_count,
)
from enterprises.codes import NOT_YOURS, credit_code_from_cell, uscc_problem
from enterprises.models import Enterprise, Industry, Ownership, Region

COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True, aliases=("社会信用代码", "信用代码")),
    Column("单位名称", "name", required=True, aliases=("企业名称",)),
    Column("所属乡镇", "region", required=True, aliases=("乡镇", "乡镇（街道）", "乡镇(街道)")),
    Column("行业", "industry"),
    Column("经济类型", "ownership", aliases=("登记注册类型",)),
    Column("法定代表人", "legal_representative"),
    Column("联系电话", "phone"),
    Column("地址", "address", aliases=("单位地址",)),
    Column("社保单位编号", "unit_number", aliases=("单位编号",)),
    Column("职工人数", "headcount"),
]
TEMPLATE_HEADERS = [c.header for c in COLUMNS[:8]]
HEADER_OF = {c.key: c.header for c in COLUMNS}
UPDATABLE = (
    "name",
    "region_id",
    "industry",
    "ownership",
    "legal_representative",
    "phone",
    "address",
    "unit_number",
    "headcount",
)

_PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")


@dataclass
class EnterpriseRow:
    row: int
    credit_code: str
    values: dict  # model field → value, only for cells that were filled in


@dataclass
class ParsedImport(ParsedRows):
    rows: list[EnterpriseRow] = field(default_factory=list)
    # credit code → {field: (old, new)} for enterprises that already exist
    changes: dict[str, dict] = field(default_factory=dict)

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.credit_code not in self.changes)

    @property
    def update_count(self) -> int:
        return len(self.changes)


def _choice_by_text(choices, text: str) -> str | None:
    plain = text.replace(" ", "")
    for value, label in choices:
        if plain in (value, label, f"{value}{label}"):
            return value
    return None


def _cell_text(value) -> str:
    # Whole numbers arrive as floats from number-formatted cells: 13800000000.0 → '13800000000'.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def _parse_row(row: int, cells: dict, regions: dict[str, Region], allowed_region_ids):
    problems: list[Problem] = []
    values: dict = {}

    def problem(key, message):
        problems.append(Problem(row, HEADER_OF[key], message))

    code = ""
    try:
        code = credit_code_from_cell(cells.get("credit_code"))
    except ValueError as error:
        problem("credit_code", str(error))
    else:
        reason = uscc_problem(code)
        if reason:
            problem("credit_code", reason)

    name = _cell_text(cells.get("name"))
    if not name:
        problem("name", "不能为空")
    elif len(name) > 200:
        problem("name", "不能超过 200 个字")
    else:
        values["name"] = name

    region_name = _cell_text(cells.get("region")).replace(" ", "")
    region = regions.get(region_name)
    if not region_name:
        problem("region", "不能为空")
    elif region is None:
        problem("region", f"乡镇「{region_name}」不存在，请先由系统管理员登记")
    elif allowed_region_ids is not None and region.id not in allowed_region_ids:
        problem("region", f"乡镇「{region_name}」不在您所在工作组的辖区内")
    else:
        values["region_id"] = region.id

    for key, choices, label in (
        ("industry", Industry.choices, "行业门类（GB/T 4754）"),
        ("ownership", Ownership.choices, "经济类型"),
    ):
        text = _cell_text(cells.get(key))
        if text:
            chosen = _choice_by_text(choices, text)
            if chosen is None:
                problem(key, f"「{text}」不是有效的{label}")
            else:
                values[key] = chosen

    for key, limit in (("legal_representative", 50), ("address", 200), ("unit_number", 30)):
        text = _cell_text(cells.get(key))
        if len(text) > limit:
            problem(key, f"不能超过 {limit} 个字")
        elif text:
            values[key] = text

    phone = _cell_text(cells.get("phone"))
    if phone:
        if _PHONE.match(phone):
            values["phone"] = phone
        else:
            problem("phone", f"「{phone}」不是有效的电话号码")

    if cells.get("headcount") is not None:
        try:
            values["headcount"] = parse_count(cells["headcount"])
        except ValueError as error:
            problem("headcount", str(error))
    return code, values, problems


def parse_enterprise_file(path: Path, *, allowed_region_ids=None) -> ParsedImport:
    """Read and check every row. `allowed_region_ids` None means no jurisdiction limit."""
    parsed = ParsedImport()
    opened = parsed.open_sheet(path, COLUMNS)
    if opened is None:
        return parsed
    _, rows = opened

    regions = {r.name: r for r in Region.objects.all()}
    first_row_of: dict[str, int] = {}
    for row, cells in rows:
        code, values, problems = _parse_row(row, cells, regions, allowed_region_ids)
        parsed.problems.extend(problems)
        if code and not problems:
            if code in first_row_of:
                parsed.problems.append(
                    Problem(row, HEADER_OF["credit_code"], f"与第 {first_row_of[code]} 行重复")
                )
                continue
            first_row_of[code] = row
            parsed.rows.append(EnterpriseRow(row, code, values))
    _compare_with_register(parsed, allowed_region_ids)  # adds nothing when there are no rows
    return parsed.finish("工作表没有数据行：第 1 行为列名，请从第 2 行起填写企业。")


def _compare_with_register(parsed: ParsedImport, allowed_region_ids) -> None:
    codes = [r.credit_code for r in parsed.rows]
    existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
    unit_numbers = {r.values["unit_number"]: r for r in parsed.rows if "unit_number" in r.values}
    taken = dict(
        Enterprise.objects.filter(unit_number__in=unit_numbers).values_list(
            "unit_number", "credit_code"
        )
    )
    for row in parsed.rows:
        number = row.values.get("unit_number")
        if number and taken.get(number, row.credit_code) != row.credit_code:
            parsed.problems.append(
                Problem(
                    row.row,
                    HEADER_OF["unit_number"],
                    f"社保单位编号 {number} 不能用于该企业，请核对",
                )
            )
        enterprise = existing.get(row.credit_code)
        if enterprise is None:
            continue
        if allowed_region_ids is not None and enterprise.region_id not in allowed_region_ids:
            parsed.problems.append(Problem(row.row, HEADER_OF["credit_code"], NOT_YOURS))
            continue
        diff = {
            name: (getattr(enterprise, name), value)
            for name, value in row.values.items()
            if getattr(enterprise, name) != value
        }
        parsed.changes[row.credit_code] = diff
