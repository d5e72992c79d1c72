"""Reads of the register, always through the viewer's jurisdiction.

Caseworkers and group leaders see the townships of the task groups they belong to or lead;
roles with the view_all_regions capability (leaders, supervisors) see every township.
"""

from django.db.models import Q, QuerySet

from core.roles import has_capability
from enterprises.models import Enterprise, Region, TaskGroup

# Where the ids of a user's townships are kept on the user object (see visible_region_ids).
_REGION_IDS = "_qq_visible_region_ids"


def task_groups_of(user) -> QuerySet[TaskGroup]:
    return TaskGroup.objects.filter(Q(members=user) | Q(leader=user)).distinct()


def _group_regions(user) -> QuerySet[Region]:
    """The townships of the task groups `user` belongs to or leads."""
    return Region.objects.filter(task_group__in=task_groups_of(user))


def _sees_group_regions_only(user) -> bool:
    return has_capability(user, "view_enterprises") and not has_capability(user, "view_all_regions")


def visible_region_ids(user) -> list[int] | None:
    """The ids of the townships `user` sees, or None for every township (view_all_regions).

    A page filters many querysets by the user's jurisdiction; nested as subqueries (groups →
    townships → enterprises) each of them was compiled and planned again, and every case,
    document or approval query hashed the enterprises of the townships. So the ids are read once
    (one query) and kept on the user object, which Django builds afresh for each request, and
    callers filter `region_id IN (…)` on a plain list. Within one request a change of the
    user's groups is not seen, as Django's own permission cache does not see one."""
    if not has_capability(user, "view_enterprises"):
        return []
    if has_capability(user, "view_all_regions"):
        return None
    ids = getattr(user, _REGION_IDS, None)
    if ids is None:
        ids = list(_group_regions(user).order_by("pk").values_list("pk", flat=True))
        setattr(user, _REGION_IDS, ids)
    return ids


def visible_q(user, enterprise: str = "", *, lazy: bool = False) -> Q:
    """The condition that keeps rows of the enterprises `user` sees, for a model that reaches
    the enterprise by the path `enterprise` ("" on Enterprise itself, "enterprise" on a case,
    "item__enterprise" on an adjustment): a filter on the region column of a join the query
    usually makes anyway, instead of `enterprise IN (SELECT … every visible enterprise)`.

    `lazy`: do not read the township ids for this alone. When this request has read them they
    are used; otherwise the query finds them itself in a subquery over the townships. For the
    menu badges (enforcement.approval_badges), counted in two queries whatever the page did."""
    region_in = f"{enterprise}__region_id__in" if enterprise else "region_id__in"
    if lazy and getattr(user, _REGION_IDS, None) is None and _sees_group_regions_only(user):
        return Q(**{region_in: _group_regions(user).values("pk")})
    ids = visible_region_ids(user)
    return Q() if ids is None else Q(**{region_in: ids})


def regions_visible_to(user) -> QuerySet[Region]:
    ids = visible_region_ids(user)
    return Region.objects.all() if ids is None else Region.objects.filter(pk__in=ids)


def task_groups_visible_to(user) -> QuerySet[TaskGroup]:
    if has_capability(user, "view_all_regions"):
        return TaskGroup.objects.all()
    return task_groups_of(user)


def enterprises_visible_to(user) -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(visible_q(user))


# What a row of the register shows (enterprises.templatetags.enterprise_tags.register_rows):
# not the encrypted ID number of the legal representative, decrypted for each row read.
REGISTER_FIELDS = (
    "credit_code",
    "name",
    "industry",
    "status",
    "legal_representative",
    "headcount",
    "region",
    "region__name",
    "region__task_group",
    "region__task_group__name",
)


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
    # The key last: pages of names that repeat stay the same from one request to the next.
    return enterprises.order_by("region__code", "name", "pk")


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
