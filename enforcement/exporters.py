"""The case list (清欠案件) as a spreadsheet (core.exports): the columns the case export always
had (enforcement.selectors.CASE_EXPORT_HEADERS), with the filters of the case list."""

from core.dates import today
from core.exports import DATE, MONEY, TEXT, Column, Exporter
from enforcement import selectors
from enforcement.forms import CaseFilterForm
from enterprises.selectors import regions_visible_to


def filtered(user, params):
    """The case list's filter form, its values and the cases it finds for `user`: one reading
    for the list (enforcement.views.cases) and its export."""
    form = CaseFilterForm(params or None, regions=regions_visible_to(user))
    f = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_search(
        user=user,
        stage=f.get("stage", ""),
        ability=f.get("ability", ""),
        region=f.get("region"),
        group=f.get("group"),
        assignee=f.get("assignee"),
        band=f.get("band", ""),
        open_only=not f.get("closed"),
        overdue=f.get("overdue", False),
        day=today(),
    )
    return form, f, cases


def select(user, params):
    _, f, cases = filtered(user, params)
    return cases, f


def case_rows(cases):
    for case in cases.iterator(chunk_size=1000):
        document = case.current_document
        yield (
            case.enterprise.name,
            case.enterprise.credit_code,
            case.enterprise.region.name,
            case.enterprise.get_ability_display(),
            case.get_stage_display(),
            document.number_text if document else "",
            document.served_on if document else None,
            document.deadline if document else None,
            str(case.assigned_to),
            case.opened_at,  # a moment: written as its local day (core.exports.local_date)
            case.principal_at_opening,
            case.get_closing_reason_display(),
        )


# Width and kind of each of CASE_EXPORT_HEADERS, in its order.
_LAYOUT = (
    (36, TEXT),  # 单位名称
    (22, TEXT),  # 统一社会信用代码
    (12, TEXT),  # 乡镇
    (14, TEXT),  # 分类
    (12, TEXT),  # 阶段
    (26, TEXT),  # 本阶段文书
    (12, DATE),  # 送达日期
    (12, DATE),  # 期限届满
    (12, TEXT),  # 经办人
    (12, DATE),  # 立案日期
    (16, MONEY),  # 立案时欠费本金
    (14, TEXT),  # 结案原因
)

CASES = Exporter(
    name="cases",
    title="清欠案件",
    columns=tuple(
        Column(header, width, kind)
        for header, (width, kind) in zip(selectors.CASE_EXPORT_HEADERS, _LAYOUT, strict=True)
    ),
    select=select,
    rows=case_rows,
    # No totals row: the principal owed when each case opened, summed over cases opened in
    # different months, is no figure anyone reports (the arrears ledger has today's).
)
