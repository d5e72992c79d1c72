"""The audit log in words, for the auditor's page and its export: object types by their Chinese
names, details as "金额：1,000.00；原因：……" instead of Python dicts and field names.

Details are written by every app in its own terms ({"from": "demand", "to": "bank"},
{"changes": {"phone": ["…", "…"]}}). Core names no model above it, so it finds a model's
Chinese name through the app registry, and the apps register what their codes mean
(`register_values`) in their AppConfig.ready, as they register exporters.
"""

from collections.abc import Iterable
from contextlib import suppress
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

# The keys the apps write into `detail`, in words. A key not listed is shown as it is: an
# auditor must see everything recorded, even what nobody has named yet.
KEY_LABELS = {
    "accepted": "是否采纳",
    "amount": "金额",
    "attempts_cleared": "清除失败次数",
    "basic": "基本账户",
    "before": "删除此日期以前",
    "calendar_year": "年度",
    "challenge": "复议/诉讼",
    "challenge_concluded": "复议/诉讼结束",
    "changes": "修改",
    "comment": "意见",
    "court_application": "强制执行申请书",
    "created": "新增",
    "defence": "陈述申辩",
    "deadline": "期限届满日",
    "defence_review": "申辩复核",
    "dismiss": "不予立案理由",
    "document": "文书",
    "documents": "文书",
    "doc_type": "文书类型",
    "failed": "失败",
    "proof": "送达凭证",
    "service": "送达方式",
    "served_on": "送达日期",
    "end": "止期",
    "enterprise": "单位",
    "error": "错误",
    "evidence": "证据条数",
    "export": "导出",
    "file": "文件",
    "exporter": "导出类型",
    "external_ref": "外部流水号",
    "field": "字段",
    "filename": "文件名",
    "filters": "筛选条件",
    "fine": "罚款",
    "from": "原阶段",
    "holidays": "节假日天数",
    "inquiry": "查询结果",
    "insurance_type": "险种",
    "job": "后台任务",
    "kind": "类别",
    "kept_paid_count": "保留已缴条数",
    "leader": "组长",
    "leads": "线索数",
    "members": "组员",
    "method": "方式",
    "missed": "逾期文书",
    "paid_on": "缴费日期",
    "password": "密码",
    "path": "地址",
    "period": "期间",
    "pdf": "PDF",
    "periods": "所属期",
    "reason": "原因",
    "regions": "乡镇",
    "removed": "删除条数",
    "report": "报表",
    "requested_by": "申请人",
    "review": "复核意见",
    "role": "角色",
    "roles": "角色",
    "rows": "行数",
    "seal_image": "印章图片",
    "sha256": "SHA-256 校验值",
    "size": "字节数",
    "step": "环节",
    "status": "状态",
    "sufficient": "余额是否足额",
    "targets": "目标",
    "tax_records": "税务记录条数",
    "to": "新阶段",
    "total": "合计",
    "unchanged": "未变",
    "unlocked": "解除锁定",
    "updated": "更新",
    "workdays": "调休上班天数",
    "full_name": "姓名",
    "phone": "联系电话",
    "is_active": "启用",
}
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "password": {"reset": "管理员重置", "changed": "本人修改"},
    "step": {"generate": "生成并存档", "download": "下载"},
}
_MAX_TEXT = 300


def register_values(keys: Iterable[str], choices) -> None:
    """What the codes under `keys` mean, e.g. the case stages under "from" and "to"."""
    for key in keys:
        _VALUE_LABELS.setdefault(key, {}).update({str(code): str(label) for code, label in choices})


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of ours an entry can be about, by its Chinese name."""
    ours = ("core", "enterprises", "arrears", "notices", "enforcement", "reports")
    models = [m for label in ours for m in apps.get_app_config(label).get_models()]
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name)) for m in models), key=lambda c: c[1]
    )


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return KEY_LABELS.get(name, name)


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{KEY_LABELS.get(k, k)} {_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key in ("amount", "total", "fine") and not isinstance(value, int):
        with suppress(InvalidOperation):
            text = f"{Decimal(text):,.2f}"
    return _VALUE_LABELS.get(key, {}).get(text, text)


def detail_lines(entry) -> list[str]:
    """One line per recorded fact: "金额：1,000.00", "联系电话：6521 0001 → 6521 0002"."""
    model = _model(entry.object_type)
    lines = []
    for key, value in (entry.detail or {}).items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                if isinstance(change, list) and len(change) == 2:
                    text = f"{_value(name, change[0])} → {_value(name, change[1])}"
                else:
                    text = _value(name, change)
                lines.append(f"{_field_label(model, name)}：{text}")
            continue
        lines.append(f"{KEY_LABELS.get(key, key)}：{_value(key, value)}")
    return [line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…" for line in lines]


def detail_text(entry) -> str:
    return "；".join(detail_lines(entry))
