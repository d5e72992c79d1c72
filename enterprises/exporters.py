"""The enterprise register as a spreadsheet (core.exports): what the register list shows, with
its filters, in the viewer's townships."""

from core.exports import COUNT, TEXT, Column, Exporter
from enterprises.forms import EnterpriseSearchForm
from enterprises.selectors import (
    EXPORT_HEADERS,
    enterprise_export_rows,
    enterprise_search,
    regions_visible_to,
    task_groups_visible_to,
)


def filtered(user, params):
    """The register's filter form, its values and the enterprises it finds for `user`: one
    reading for the register list (enterprises.views) and its export."""
    form = EnterpriseSearchForm(
        params or None,
        regions=regions_visible_to(user),
        task_groups=task_groups_visible_to(user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    enterprises = enterprise_search(
        user=user,
        text=(filters.get("q") or "").strip(),
        region=filters.get("region"),
        task_group=filters.get("task_group"),
        status=filters.get("status", ""),
        industry=filters.get("industry", ""),
    )
    return form, filters, enterprises


def select(user, params):
    _, filters, enterprises = filtered(user, params)
    return enterprises, filters


# Width and kind of each of EXPORT_HEADERS, in its order.
_LAYOUT = (
    (22, TEXT),  # 统一社会信用代码
    (36, TEXT),  # 单位名称
    (14, TEXT),  # 社保单位编号
    (12, TEXT),  # 所属乡镇
    (14, TEXT),  # 工作组
    (24, TEXT),  # 行业
    (16, TEXT),  # 经济类型
    (10, TEXT),  # 经营状态
    (12, TEXT),  # 法定代表人
    (16, TEXT),  # 联系电话
    (40, TEXT),  # 地址
    (10, COUNT),  # 职工人数
)

ENTERPRISES = Exporter(
    name="enterprises",
    title="企业名册",
    columns=tuple(
        Column(header, width, kind)
        for header, (width, kind) in zip(EXPORT_HEADERS, _LAYOUT, strict=True)
    ),
    select=select,
    rows=enterprise_export_rows,
    # A register: no totals row (the headcounts of a list of enterprises add up to nothing
    # anyone reports).
)
