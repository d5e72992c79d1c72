"""The casework importers of the import pipeline (core.imports): business evidence, which
reclassifies the enterprises it concerns, and income-tax data, which refreshes audit leads."""

from core.imports import Importer
from core.money import format_yuan
from enforcement import leads
from enforcement.classification import evidence_import_and_reclassify
from enterprises.evidence_import import COLUMNS as EVIDENCE_COLUMNS
from enterprises.evidence_import import parse_evidence_file

SAMPLE_ROWS = 20


def _sample_preview(parsed, headers: list[str], cells) -> dict:
    """Rows and enterprises, and the first rows as the user will find them written."""
    return {
        "cards": [
            ("数据行", f"{len(parsed.rows):,}"),
            ("涉及企业", f"{len({r.enterprise_id for r in parsed.rows}):,} 家"),
        ],
        "table": {
            "title": f"前 {min(SAMPLE_ROWS, len(parsed.rows))} 行",
            "headers": ["企业", "所属期", *headers],
            "rows": [
                [r.enterprise.name, r.month.strftime("%Y-%m"), *cells(r)]
                for r in parsed.rows[:SAMPLE_ROWS]
            ],
        },
    }


def _evidence_preview(parsed) -> dict:
    return _sample_preview(
        parsed,
        ["证据类型", "金额", "来源"],
        lambda r: [
            r.get_kind_display(),
            format_yuan(r.amount) if r.amount is not None else "—",
            r.source,
        ],
    )


def _tax_preview(parsed) -> dict:
    return _sample_preview(
        parsed,
        ["个税人数", "应税工资", "参保人数", "缴费基数"],
        lambda r: [
            r.tax_headcount,
            format_yuan(r.taxable_wages),
            r.insured_headcount,
            format_yuan(r.declared_base),
        ],
    )


EVIDENCE = Importer(
    kind="evidence",
    title="经营证据（工资、税款、公积金、社保缴纳）",
    capability="manage_ledger",
    headers=[c.header for c in EVIDENCE_COLUMNS],
    example=["91140527MA0K3XXXXX", "2025-03", "发放工资", 86000, "开户银行"],
    check=lambda path, *, allowed_region_ids, progress: parse_evidence_file(
        path, allowed_region_ids=allowed_region_ids
    ),
    write=lambda *, actor, parsed, filename, progress: evidence_import_and_reclassify(
        actor=actor, parsed=parsed, filename=filename
    ),
    preview=_evidence_preview,
    done=lambda s: f"已导入 {s['rows']} 行证据，{s['reclassified']} 家企业已重新分类。",
    next_url="enforcement:list",
    notes=["证据类型为 发放工资、申报或缴纳税款、缴纳住房公积金、缴纳当期社会保险费 之一。"],
)

TAX = Importer(
    kind="tax",
    title="个税与参保申报比对数据",
    capability="manage_ledger",
    headers=leads.TEMPLATE_HEADERS,
    example=["91140527MA0K3XXXXX", "2026-05", 12, 60000, 8, 40000],
    check=lambda path, *, allowed_region_ids, progress: leads.parse_tax_file(
        path, allowed_region_ids=allowed_region_ids
    ),
    write=lambda *, actor, parsed, filename, progress: leads.tax_data_import(
        actor=actor, parsed=parsed, filename=filename
    ),
    preview=_tax_preview,
    done=lambda s: (
        f"已导入 {s['rows']} 行，现有待处理稽核线索 {s['leads']} 条（涉及本次导入的企业）。"
    ),
    next_url="enforcement:leads",
)
