"""Evidence import (wages, tax, housing fund, contributions per enterprise and month), all or
nothing like the other importers; behind `manage.py import_evidence` and the web upload."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core.audit import AuditAction, log_action
from core.dates import today
from core.excel import (
    Column,
    ParsedRows,
    Problem,
    normalize_text,
    parse_amount,
    parse_period,
)
from enterprises.codes import enterprise_in_cell
from enterprises.models import Enterprise, Evidence, EvidenceKind

COLUMNS = [
    Column("统一社会信用代码", "credit_code", required=True),
    Column("所属期", "month", required=True, aliases=("月份", "费款所属期")),
    Column("证据类型", "kind", required=True, aliases=("类型",)),
    Column("金额", "amount"),
    Column("来源", "source", aliases=("数据来源",)),
]
HEADER_OF = {c.key: c.header for c in COLUMNS}
_KINDS = {label: value for value, label in EvidenceKind.choices} | {
    "工资": EvidenceKind.WAGES,
    "发放工资": EvidenceKind.WAGES,
    "个税": EvidenceKind.TAX,
    "税款": EvidenceKind.TAX,
    "申报个税": EvidenceKind.TAX,
    "缴纳税款": EvidenceKind.TAX,
    "公积金": EvidenceKind.HOUSING_FUND,
    "住房公积金": EvidenceKind.HOUSING_FUND,
    "社保": EvidenceKind.CONTRIBUTIONS,
    "当期社保": EvidenceKind.CONTRIBUTIONS,
}


@dataclass
class ParsedEvidence(ParsedRows):
    rows: list[Evidence] = field(default_factory=list)


def parse_evidence_file(path: Path, *, allowed_region_ids=None) -> ParsedEvidence:
    parsed = ParsedEvidence()
    opened = parsed.open_sheet(path, COLUMNS)
    if opened is None:
        return parsed
    _, rows = opened
    enterprises = {
        code: (pk, region)
        for code, pk, region in Enterprise.objects.values_list("credit_code", "pk", "region_id")
    }
    seen: dict[tuple, int] = {}
    for row, cells in rows:
        before = len(parsed.problems)

        def problem(key, message, row=row):
            parsed.problems.append(Problem(row, HEADER_OF[key], message))

        entry, error = enterprise_in_cell(cells.get("credit_code"), enterprises, allowed_region_ids)
        if error:
            problem("credit_code", error)
        enterprise_id = entry[0] if entry else None
        month = None
        try:
            month = parse_period(cells.get("month", ""), latest_year=today().year)
        except ValueError as error:
            problem("month", str(error))
        kind = _KINDS.get(normalize_text(cells.get("kind")).replace(" ", ""))
        if kind is None:
            problem(
                "kind", "应为 发放工资、申报或缴纳税款、缴纳住房公积金、缴纳当期社会保险费 之一"
            )
        amount = None
        if cells.get("amount") is not None:
            try:
                amount = parse_amount(cells["amount"])
            except ValueError as error:
                problem("amount", str(error))
        if len(parsed.problems) == before:
            key = (enterprise_id, month, kind)
            if key in seen:
                problem("month", f"与第 {seen[key]} 行重复")
            else:
                seen[key] = row
                parsed.rows.append(
                    Evidence(
                        enterprise_id=enterprise_id,
                        month=month,
                        kind=kind,
                        amount=amount,
                        source=normalize_text(cells.get("source"))[:50],
                    )
                )
    return parsed.finish("工作表没有数据行。")


@transaction.atomic
def evidence_import(*, actor, parsed: ParsedEvidence, filename: str) -> dict:
    if not parsed.ok:
        raise ValueError("only a checked import without problems can be written")
    Evidence.objects.bulk_create(
        parsed.rows,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["enterprise", "month", "kind"],
        update_fields=["amount", "source"],
    )
    summary = {
        "filename": filename,
        "rows": len(parsed.rows),
        "enterprises": sorted({e.enterprise_id for e in parsed.rows}),
    }
    log_action(
        actor=actor,
        action=AuditAction.IMPORT,
        username="" if actor else "manage.py",
        detail={"evidence": summary["rows"], "filename": filename},
    )
    return summary
