from django.db.models import QuerySet

from enforcement.models import Approval, Case
from enforcement.stages import MOVES, Stage
from enterprises.selectors import enterprises_visible_to


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "enterprise__region", "assigned_to", "current_document"
    )


def case_search(
    *,
    user,
    stage="",
    ability="",
    region=None,
    assignee=None,
    open_only=True,
    overdue=False,
    day=None,
) -> QuerySet[Case]:
    cases = cases_visible_to(user)
    if overdue:
        cases = cases.filter(current_document__deadline__lt=day, current_document__status="issued")
    if open_only:
        cases = cases.filter(closed_at__isnull=True)
    if stage:
        cases = cases.filter(stage=stage)
    if ability:
        cases = cases.filter(enterprise__ability=ability)
    if region:
        cases = cases.filter(enterprise__region=region)
    if assignee:
        cases = cases.filter(assigned_to=assignee)
    return cases.order_by("-opened_at")


def next_moves(case: Case) -> list[tuple[str, str, object]]:
    """(stage, its label, the table's rule) for every move the table allows from here."""
    return [(to, Stage(to).label, rule) for (frm, to), rule in MOVES.items() if frm == case.stage]


def approvals_waiting_for(user) -> QuerySet[Approval]:
    """Pending approvals this user could decide: in their jurisdiction, not their own request."""
    pending = Approval.objects.filter(
        status="pending", case__enterprise__in=enterprises_visible_to(user)
    )
    return pending.exclude(requested_by=user).select_related(
        "case", "case__enterprise", "requested_by"
    )


def worklist(user, *, day) -> dict:
    """今日待办: what needs the user today, derived from cases, documents and approvals."""
    from core.calendar import add_working_days

    mine = cases_visible_to(user).filter(closed_at__isnull=True, assigned_to=user)
    soon = add_working_days(day, 3)
    return {
        "overdue": mine.filter(
            current_document__deadline__lt=day, current_document__status="issued"
        ),
        "due_soon": mine.filter(
            current_document__deadline__gte=day, current_document__deadline__lte=soon.day
        ),
        "due_soon_warning": soon.warning,
        "unserved": mine.filter(
            current_document__served_on__isnull=True, current_document__status="issued"
        ),
        "approvals": [
            a for a in approvals_waiting_for(user) if user.has_perm(f"core.{a.capability}")
        ],
        "my_requests": Approval.objects.filter(requested_by=user, status="pending").select_related(
            "case__enterprise"
        ),
    }


CASE_EXPORT_HEADERS = [
    "单位名称",
    "统一社会信用代码",
    "乡镇",
    "分类",
    "阶段",
    "本阶段文书",
    "送达日期",
    "期限届满",
    "经办人",
    "立案日期",
    "立案时欠费本金",
    "结案原因",
]


def case_export_rows(cases: QuerySet[Case]):
    for case in cases.iterator(chunk_size=1000):
        document = case.current_document
        yield [
            case.enterprise.name,
            case.enterprise.credit_code,
            case.enterprise.region.name,
            case.enterprise.get_ability_display(),
            case.get_stage_display(),
            document.number_text if document else "",
            document.served_on if document else None,
            document.deadline if document else None,
            str(case.assigned_to),
            case.opened_at.date(),
            case.principal_at_opening,
            case.get_closing_reason_display(),
        ]
