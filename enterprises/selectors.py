"""Reads of the register, always through the viewer's jurisdiction.

Caseworkers and group leaders see the townships of the task groups they belong to or lead;
roles with the view_all_regions capability (leaders, supervisors) see every township.
"""

from django.db.models import Q, QuerySet

from core.roles import has_capability
from enterprises.models import Enterprise, Region, TaskGroup


def task_groups_of(user) -> QuerySet[TaskGroup]:
    return TaskGroup.objects.filter(Q(members=user) | Q(leader=user)).distinct()


def regions_visible_to(user) -> QuerySet[Region]:
    if not has_capability(user, "view_enterprises"):
        return Region.objects.none()
    if has_capability(user, "view_all_regions"):
        return Region.objects.all()
    return Region.objects.filter(task_group__in=task_groups_of(user))


def task_groups_visible_to(user) -> QuerySet[TaskGroup]:
    if has_capability(user, "view_all_regions"):
        return TaskGroup.objects.all()
    return task_groups_of(user)


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    if not has_capability(user, "view_enterprises"):
        return Enterprise.objects.none()
    if has_capability(user, "view_all_regions"):
        return Enterprise.objects.all()
    return Enterprise.objects.filter(region__in=regions_visible_to(user))


def enterprise_search(
    *, user, text="", region=None, task_group=None, status="", industry=""
) -> QuerySet[Enterprise]:
    enterprises = enterprises_visible_to(user).select_related("region", "region__task_group")
    if text:
        enterprises = enterprises.filter(
            Q(name__icontains=text) | Q(credit_code__istartswith=text) | Q(unit_number=text)
        )
    if region:
        enterprises = enterprises.filter(region=region)
    if task_group:
        enterprises = enterprises.filter(region__task_group=task_group)
    if status:
        enterprises = enterprises.filter(status=status)
    if industry:
        enterprises = enterprises.filter(industry=industry)
    return enterprises.order_by("region__code", "name")


def enterprise_export_rows(enterprises: QuerySet[Enterprise]):
    yield from (
        [
            e.credit_code,
            e.name,
            e.unit_number,
            e.region.name,
            e.region.task_group.name if e.region.task_group else "",
            e.get_industry_display(),
            e.get_ownership_display(),
            e.get_status_display(),
            e.legal_representative,
            e.phone,
            e.address,
            e.headcount,
        ]
        for e in enterprises.iterator(chunk_size=2000)
    )


EXPORT_HEADERS = [
    "统一社会信用代码",
    "单位名称",
    "社保单位编号",
    "所属乡镇",
    "工作组",
    "行业",
    "经济类型",
    "经营状态",
    "法定代表人",
    "联系电话",
    "地址",
    "职工人数",
]
