"""The ledger importer of the import pipeline (core.imports), registered when Django starts."""

from arrears.importers import TEMPLATE_HEADERS, parse_ledger_file
from arrears.services import ledger_import
from core.imports import Importer
from core.money import format_yuan


def _check(path, *, allowed_region_ids, progress):
    return parse_ledger_file(
        path,
        allowed_region_ids=allowed_region_ids,
        progress=(lambda done, total=None: progress(done)) if progress else None,
    )


def _write(*, actor, parsed, filename, progress):
    return ledger_import(actor=actor, parsed=parsed, filename=filename, progress=progress)


def _preview(parsed) -> dict:
    s = parsed.summary()
    return {
        "cards": [
            ("数据行", f"{s['rows']:,}"),
            ("涉及企业", f"{s['enterprises']:,} 家"),
            ("欠费本金合计", f"{format_yuan(s['principal'])} 元"),
            ("所属期", f"{s['first_period'][:7]} 至 {s['last_period'][:7]}"),
            ("单位部分", f"{format_yuan(s['unit_amount'])} 元"),
            ("个人部分", f"{format_yuan(s['individual_amount'])} 元"),
        ],
        "table": None,
    }


def _done(w: dict) -> str:
    kept = f"，因已有缴款而保持不变 {w['kept_paid_count']}" if w["kept_paid_count"] else ""
    return (
        f"已导入 {w['rows']} 行：新增 {w['created']}，更新 {w['updated']}，"
        f"未变 {w['unchanged']}{kept}。"
    )


def _details(w: dict) -> dict | None:
    if not w.get("kept_paid"):
        return None
    return {
        "title": "已有缴款、未按文件修改的明细（如需更正请用“调整”）",
        "headers": ["文件行", "所属期", "台账本金", "文件金额"],
        "rows": [
            [k["row"], k["period"], format_yuan(k["stored"]), format_yuan(k["file"])]
            for k in w["kept_paid"]
        ],
    }


LEDGER = Importer(
    kind="ledger",
    title="欠费台账",
    capability="manage_ledger",
    headers=TEMPLATE_HEADERS,
    example=[
        "91110000600037341L",
        "示例机械制造有限公司",
        "养老",
        "2024-03",
        "1,234.50",
        "493.80",
        "",
    ],
    check=_check,
    write=_write,
    preview=_preview,
    done=_done,
    details=_details,
    next_url="arrears:overview",
    notes=[
        "险种空为养老；费款所属期写 2024-03、202403 或 2024年3月；应缴截止日可空，按政策计算。",
        "企业须已在企业名册中；金额单位为元，最多两位小数。",
        "重复导入同一所属期时，只更新尚未缴款的明细；已有缴款的明细保持不变并在结果中列出。",
    ],
)
