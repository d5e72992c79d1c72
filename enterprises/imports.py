"""The enterprise register's importer (core.imports) and the township scope every importer
checks against, registered when Django starts."""

from django.db.models import Q

from core.imports import Importer
from core.roles import has_capability
from enterprises.importers import TEMPLATE_HEADERS, parse_enterprise_file
from enterprises.models import TaskGroup
from enterprises.selectors import regions_visible_to
from enterprises.services import enterprises_import


def allowed_region_ids(user):
    """The townships a user may import for; None: all of them."""
    if has_capability(user, "view_all_regions"):
        return None
    return set(regions_visible_to(user).values_list("id", flat=True))


def colleagues(user) -> set[int]:
    """The users of the task groups a user belongs to or leads, the user included: whose
    imports they see in the history."""
    groups = TaskGroup.objects.filter(Q(members=user) | Q(leader=user))
    ids = set(groups.values_list("members", flat=True)) | set(
        groups.values_list("leader", flat=True)
    )
    return (ids - {None}) | {user.pk}


def _check(path, *, allowed_region_ids, progress):
    return parse_enterprise_file(path, allowed_region_ids=allowed_region_ids)


def _write(*, actor, parsed, filename, progress):
    return enterprises_import(actor=actor, parsed=parsed, filename=filename)


def _preview(parsed) -> dict:
    changes = list(parsed.changes.items())[:50]
    return {
        "cards": [
            ("数据行", f"{len(parsed.rows):,}"),
            ("新增企业", f"{parsed.new_count:,} 家"),
            ("更新已有企业", f"{parsed.update_count:,} 家"),
        ],
        "table": {
            "title": "将被更新的企业" + ("（前 50 家）" if parsed.update_count > 50 else ""),
            "headers": ["统一社会信用代码", "变化"],
            "rows": [
                [
                    code,
                    "；".join(f"{f}：{old or '（空）'} → {new}" for f, (old, new) in diff.items())
                    or "无变化",
                ]
                for code, diff in changes
            ],
        }
        if changes
        else None,
    }


ENTERPRISES = Importer(
    kind="enterprises",
    title="企业名册",
    capability="edit_enterprises",
    headers=TEMPLATE_HEADERS,
    example=[
        "91110000600037341L",
        "示例机械制造有限公司",
        "城关镇",
        "C 制造业",
        "有限责任公司",
        "张三",
        "0355-1234567",
        "城关镇建设路 1 号",
    ],
    check=_check,
    write=_write,
    preview=_preview,
    done=lambda s: f"已导入 {s['rows']} 行：新增 {s['created']} 家，更新 {s['updated']} 家。",
    next_url="enterprises:list",
    notes=["从第 2 行起每行一家企业；所属乡镇须是已有乡镇，且在您的辖区内。"],
)
