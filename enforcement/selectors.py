from datetime import date, timedelta

from django.db.models import QuerySet

from arrears.selectors import pending_adjustments_for, pending_suspensions_for
from core.roles import has_capability
from enforcement.court import case_court_window
from enforcement.models import Approval, AuditLead, Case, CaseworkSettings, Deferral, Instalment
from enforcement.stages import CHAIN, MOVES, Stage
from enterprises.selectors import enterprises_visible_to
from notices.models import Document


def casework_settings() -> CaseworkSettings:
    settings, _ = CaseworkSettings.objects.get_or_create(pk=1)
    return settings


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "enterprise__region", "assigned_to", "current_document"
    )


# Bands of the principal owed when the case opened, in yuan: (label, from, below).
AMOUNT_BANDS = {
    "lt10k": ("1万元以下", None, 10_000),
    "10k-100k": ("1万–10万元", 10_000, 100_000),
    "100k-1m": ("10万–100万元", 100_000, 1_000_000),
    "ge1m": ("100万元以上", 1_000_000, None),
}


def leads_visible_to(user) -> QuerySet[AuditLead]:
    return AuditLead.objects.filter(enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "enterprise__region", "case"
    )


def lead_search(*, user, rule="", status="", region=None) -> QuerySet[AuditLead]:
    found = leads_visible_to(user)
    if rule:
        # The rule names are quoted JSON strings inside the list; matching the quoted name works
        # on PostgreSQL and on the demo's SQLite alike (JSON containment does not).
        found = found.filter(rules__icontains=f'"{rule}"')
    if status:
        found = found.filter(status=status)
    if region:
        found = found.filter(enterprise__region=region)
    return found


def case_search(
    *,
    user,
    stage="",
    ability="",
    region=None,
    group=None,
    assignee=None,
    band="",
    open_only=True,
    overdue=False,
    day=None,
) -> QuerySet[Case]:
    cases = cases_visible_to(user)
    if group:
        cases = cases.filter(task_group=group)
    if band in AMOUNT_BANDS:
        _, low, high = AMOUNT_BANDS[band]
        if low is not None:
            cases = cases.filter(principal_at_opening__gte=low)
        if high is not None:
            cases = cases.filter(principal_at_opening__lt=high)
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


def case_documents(case: Case) -> QuerySet[Document]:
    """The documents issued to the enterprise since the case opened."""
    return Document.objects.filter(
        enterprise_id=case.enterprise_id, issued_at__gte=case.opened_at
    ).order_by("issued_at")


def case_payments(case: Case):
    """Payments recorded since the case opened (whatever their date), reversals included."""
    from arrears.models import Payment

    return Payment.objects.filter(
        enterprise_id=case.enterprise_id, created_at__gte=case.opened_at
    ).order_by("paid_on", "id")


def counts_by_class(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    """(class, label, number of cases) for the cases a filter found, in the classes' order."""
    from django.db.models import Count

    from enterprises.models import AbilityClass

    found = dict(
        cases.order_by()
        .values_list("enterprise__ability")
        .annotate(n=Count("id"))
        .values_list("enterprise__ability", "n")
    )
    return [(value, label, found.get(value, 0)) for value, label in AbilityClass.choices]


def bulk_moves(stage: str) -> list[tuple[str, str]]:
    """(stage, label) of the moves from `stage` a batch may make: the table's moves that issue
    a document and need no approval (approvals are decided case by case)."""
    return [
        (to, Stage(to).label)
        for (frm, to), rule in MOVES.items()
        if frm == stage and rule.document and not rule.approval and not rule.automatic
    ]


def next_moves(case: Case) -> list[tuple[str, str, object]]:
    """(stage, its label, the table's rule) for every move the table allows from here."""
    return [
        (to, Stage(to).label, rule)
        for (frm, to), rule in MOVES.items()
        if frm == case.stage and not rule.automatic
    ]


def chain_progress(case: Case) -> list[tuple[str, str]]:
    """Each stage of the lawful chain with its state on this case: done (the case went through
    it), current, skipped (behind the current one and never entered: 稽核, or an alternative),
    ahead."""
    entered = {Stage.OPENED, *case.events.exclude(to_stage="").values_list("to_stage", flat=True)}
    position = CHAIN.index(case.stage) if case.stage in CHAIN else None
    if position is None:  # a side stage (延期缴费, 跟踪关注): the furthest stage reached
        position = max(CHAIN.index(s) for s in entered if s in CHAIN)
    rows = []
    for index, stage in enumerate(CHAIN):
        if stage == case.stage:
            state = "current"
        elif stage in entered and index <= position:
            state = "done"
        elif index < position:
            state = "skipped"
        else:
            state = "ahead"
        rows.append((Stage(stage).label, state))
    return rows


def approvals_waiting_for(user) -> QuerySet[Approval]:
    """Pending approvals this user could decide: in their jurisdiction, not their own request."""
    pending = Approval.objects.filter(
        status="pending", case__enterprise__in=enterprises_visible_to(user)
    )
    return pending.exclude(requested_by=user).select_related(
        "case", "case__enterprise", "requested_by"
    )


def court_last_day(case: Case) -> date | None:
    """The last day to apply to the court (行政强制法 第五十三条), once the decision and the
    催告书 are served (enforcement.court)."""
    window, _ = case_court_window(case)
    return window.latest if window else None


def court_reminders(cases, *, day, lead_days: int) -> list[tuple[Case, date]]:
    """Cases not yet before the court whose time to apply ends within `lead_days` (or has)."""
    reminders = []
    for case in cases.filter(stage__in=(Stage.BANK, Stage.PENALTY, Stage.DISCIPLINE)):
        last_day = court_last_day(case)
        if last_day is not None and (last_day - day).days <= lead_days:
            reminders.append((case, last_day))
    return reminders


def penalty_clocks(cases) -> list[tuple[Case, str, date]]:
    """The fine's two clocks (行政处罚法 第六十条、第六十一条): the decision within 90 days of 立案,
    its service within 7 working days."""
    from enforcement.penalty_procedure import penalty_state

    clocks = []
    for case in cases.select_related("enterprise"):
        state = penalty_state(case)
        if state["decide_by"] and state["fine"] is None:
            clocks.append((case, "作出处罚决定", state["decide_by"]))
        if state["serve_by"]:
            clocks.append((case, "送达处罚决定书", state["serve_by"]))
    return sorted(clocks, key=lambda row: row[2])


def worklist(user, *, day) -> dict:
    """今日待办: what needs the user today, derived from cases, documents and approvals."""
    from core.calendar import add_working_days
    from notices.selectors import document_search

    mine = cases_visible_to(user).filter(closed_at__isnull=True, assigned_to=user)
    soon = add_working_days(day, 3)
    settings = casework_settings()
    return {
        "reviews_due": mine.filter(stage=Stage.TRACKING, review_due__lte=day),
        "broken_deferrals": Deferral.objects.filter(
            case__in=mine,
            status=Deferral.Status.BROKEN,
            ended_on__gte=day - timedelta(days=30),
        ).select_related("case__enterprise"),
        "instalments_due": Instalment.objects.filter(
            deferral__case__in=mine,
            deferral__status=Deferral.Status.ACTIVE,
            due_on__gte=day,
            due_on__lte=day + timedelta(days=7),
        ).select_related("deferral__case__enterprise"),
        "court": court_reminders(mine, day=day, lead_days=settings.court_reminder_days),
        "penalty_clocks": penalty_clocks(mine.filter(stage=Stage.PENALTY)),
        "overdue": mine.filter(
            current_document__deadline__lt=day, current_document__status="issued"
        ),
        "due_soon": mine.filter(
            current_document__deadline__gte=day, current_document__deadline__lte=soon.day
        ),
        "due_soon_warning": soon.warning,
        # Every document the user can see that waits for its service record, not only a case's
        # current one: a 催告书 or a transfer decision left unserved stops the chain as surely.
        "unserved": document_search(user=user, served="no").order_by("issued_at"),
        "approvals": [
            a for a in approvals_waiting_for(user) if user.has_perm(f"core.{a.capability}")
        ],
        "my_requests": Approval.objects.filter(requested_by=user, status="pending").select_related(
            "case__enterprise"
        ),
        # Requests on the ledger that wait for this leader (停止计收, 调减/核减).
        "ledger_approvals": [
            *pending_suspensions_for(user),
            *pending_adjustments_for(user),
        ]
        if has_capability(user, "approve_actions")
        else [],
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
