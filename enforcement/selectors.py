from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from arrears.models import ApprovalStatus, LedgerAdjustment, Suspension, SuspensionKind
from arrears.selectors import pending_adjustments_for, pending_suspensions_for
from core.calendar import add_working_days, one_reading
from core.roles import CAPABILITIES, has_capability
from enforcement.court import case_court_window, case_court_windows
from enforcement.models import Approval, AuditLead, Case, CaseworkSettings, Deferral, Instalment
from enforcement.stages import CHAIN, MOVES, Stage
from enterprises.selectors import visible_q
from notices.models import Document


def casework_settings() -> CaseworkSettings:
    settings, _ = CaseworkSettings.objects.get_or_create(pk=1)
    return settings


# What a row of the case list shows (enforcement.templatetags.casework.case_rows), and the
# relations it follows: the list reads only these, not the documents' frozen content nor the
# enterprises' encrypted numbers, which would be decoded for each of its fifty rows.
CASE_LIST_FIELDS = (
    "number_text",
    "stage",
    "principal_at_opening",
    "opened_at",
    "enterprise",
    "enterprise__name",
    "enterprise__ability",
    "enterprise__region",
    "enterprise__region__name",
    "current_document",
    "current_document__number_text",
    "current_document__deadline",
    "assigned_to",
    "assigned_to__username",
    "assigned_to__full_name",
)


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(visible_q(user, "enterprise")).select_related(
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
    return AuditLead.objects.filter(visible_q(user, "enterprise")).select_related(
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


def counts_by_class(cases: QuerySet[Case]) -> tuple[list[tuple[str, str, int]], int]:
    """(class, label, number of cases) for the cases a filter found, in the classes' order,
    and the number of them all (unclassified ones too), which the list's paginator takes
    instead of counting the same cases again."""
    from django.db.models import Count

    from enterprises.models import AbilityClass

    found = dict(
        cases.order_by()
        .values_list("enterprise__ability")
        .annotate(n=Count("id"))
        .values_list("enterprise__ability", "n")
    )
    by_class = [(value, label, found.get(value, 0)) for value, label in AbilityClass.choices]
    return by_class, sum(found.values())


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
        visible_q(user, "case__enterprise", lazy=True), status="pending"
    )
    return pending.exclude(requested_by=user).select_related(
        "case", "case__enterprise", "requested_by"
    )


def approvals_decidable_by(user) -> QuerySet[Approval]:
    """What 待我审批 lists: approvals_waiting_for narrowed to the capabilities the user holds
    (a group leader does not see the high-risk steps only a task-force leader may decide)."""
    held = [codename for codename, _ in CAPABILITIES if has_capability(user, codename)]
    return approvals_waiting_for(user).filter(capability__in=held)


# A rejected request stays in its requester's menu for this many days, or until a new request
# is made on the same case, enterprise or ledger item (the requester has dealt with it).
REJECTED_SHOWN_DAYS = 14
REJECTED_SHOWN_MAX = 10


def _rejected_rows(queryset, *, kind, what, case, enterprise, comment):
    """One source of rejected requests as rows of the same columns, for a UNION ALL. Without
    the models' default ordering, which SQLite (the demo) refuses inside a compound query."""
    return (
        queryset.order_by()
        .annotate(
            row_kind=Value(kind, output_field=CharField()),
            row_case=case,
            row_enterprise=F(enterprise),
            row_enterprise_name=F(f"{enterprise}__name"),
            row_what=what,
            row_comment=F(comment),
            row_decider=F("decided_by__full_name"),
            row_decider_login=F("decided_by__username"),
        )
        .values_list(
            "row_kind",
            "pk",
            "row_case",
            "row_enterprise",
            "row_enterprise_name",
            "row_what",
            "row_comment",
            "row_decider",
            "row_decider_login",
            "decided_at",
        )
    )


def rejected_requests_of(user) -> list[dict]:
    """The user's own requests rejected lately and not taken up again: case steps, suspensions
    and ledger adjustments, newest first, at most REJECTED_SHOWN_MAX + 1 (the menu shows "10+").
    One query (UNION ALL)."""
    since = timezone.now() - timedelta(days=REJECTED_SHOWN_DAYS)
    cases = Approval.objects.filter(
        visible_q(user, "case__enterprise", lazy=True),
        requested_by=user,
        status=Approval.Status.REJECTED,
        decided_at__gte=since,
    ).exclude(
        Exists(
            Approval.objects.filter(
                case=OuterRef("case"), requested_at__gt=OuterRef("decided_at")
            ).exclude(pk=OuterRef("pk"))
        )
    )
    suspensions = Suspension.objects.filter(
        visible_q(user, "enterprise", lazy=True),
        requested_by=user,
        status=ApprovalStatus.REJECTED,
        decided_at__gte=since,
    ).exclude(
        Exists(
            Suspension.objects.filter(
                enterprise=OuterRef("enterprise"), requested_at__gt=OuterRef("decided_at")
            ).exclude(pk=OuterRef("pk"))
        )
    )
    adjustments = LedgerAdjustment.objects.filter(
        visible_q(user, "item__enterprise", lazy=True),
        created_by=user,
        status=ApprovalStatus.REJECTED,
        decided_at__gte=since,
    ).exclude(
        Exists(
            LedgerAdjustment.objects.filter(
                item=OuterRef("item"), created_at__gt=OuterRef("decided_at")
            ).exclude(pk=OuterRef("pk"))
        )
    )
    no_case = Value(None, output_field=IntegerField())
    rows = (
        _rejected_rows(
            cases,
            kind="case",
            what=F("to_stage"),
            case=F("case_id"),
            enterprise="case__enterprise",
            comment="comment",
        )
        .union(
            _rejected_rows(
                suspensions,
                kind="suspension",
                what=F("kind"),
                case=no_case,
                enterprise="enterprise",
                comment="decision_comment",
            ),
            _rejected_rows(
                adjustments,
                kind="adjustment",
                what=Value("", output_field=CharField()),
                case=no_case,
                enterprise="item__enterprise",
                comment="decision_comment",
            ),
            all=True,
        )
        .order_by("-decided_at")[: REJECTED_SHOWN_MAX + 1]
    )
    return [_rejected_row(*row) for row in rows]


def _rejected_row(kind, pk, case_id, enterprise_id, name, what, comment, decider, login, at):
    if kind == "case":
        label = f"申请{Stage(what).label}"
    elif kind == "suspension":
        label = f"停止计收（{SuspensionKind(what).label}）"
    else:
        label = "台账调整"
    return {
        "kind": kind,
        "pk": pk,
        "case_id": case_id,
        "enterprise_id": enterprise_id,
        "enterprise_name": name,
        "label": label,
        "comment": comment,
        "decided_by": decider or login,
        "decided_at": at,
    }


def approval_badges(user) -> dict:
    """The menu's numbers: requests waiting for this user's decision (case steps they may
    decide, suspensions and ledger adjustments) and their own requests rejected lately.
    Two queries: one COUNT over a UNION ALL, one list of the rejected requests."""
    waiting = 0
    if has_capability(user, "approve_actions"):
        waiting = (
            approvals_decidable_by(user)
            .order_by()
            .values_list("pk")
            .union(
                pending_suspensions_for(user).order_by().values_list("pk"),
                pending_adjustments_for(user).order_by().values_list("pk"),
                all=True,
            )
            .count()
        )
    rejected = rejected_requests_of(user)
    return {
        "waiting": waiting,
        "days": REJECTED_SHOWN_DAYS,
        "rejected": rejected[:REJECTED_SHOWN_MAX],
        "rejected_count": min(len(rejected), REJECTED_SHOWN_MAX),
        "rejected_more": len(rejected) > REJECTED_SHOWN_MAX,
    }


def court_last_day(case: Case) -> date | None:
    """The last day to apply to the court (行政强制法 第五十三条), once the decision and the
    催告书 are served (enforcement.court)."""
    window, _ = case_court_window(case)
    return window.latest if window else None


# The stages in which the time to apply to the court runs and the case is not before it yet.
COURT_REMINDER_STAGES = (Stage.BANK, Stage.PENALTY, Stage.DISCIPLINE)


def court_reminders(cases, *, day, lead_days: int | None = None) -> list[tuple[Case, date]]:
    """Cases not yet before the court whose time to apply ends within `lead_days` (or has).
    `cases`: a list of cases, or of rows with their pk, stage, enterprise_id, opened_at and
    order_id (今日待办's); their windows are read together (enforcement.court.
    case_court_windows), not case by case — 80 such cases made 80 queries of 今日待办.
    `lead_days`: the casework settings' court_reminder_days unless given, read only when some
    case has a window."""
    cases = [case for case in cases if case.stage in COURT_REMINDER_STAGES]
    windows = case_court_windows(cases)
    if not windows:
        return []
    if lead_days is None:
        lead_days = casework_settings().court_reminder_days
    return [
        (case, windows[case.pk].latest)
        for case in cases
        if case.pk in windows and (windows[case.pk].latest - day).days <= lead_days
    ]


def penalty_clocks(cases) -> list[tuple[Case, str, date]]:
    """The fine's two clocks (行政处罚法 第六十条、第六十一条): the decision within 90 days of 立案,
    its service within 7 working days. `cases`: a list of cases, or of rows with their pk and
    stage (今日待办's); read together, two queries in all."""
    from enforcement.penalty_procedure import penalty_clocks_of

    cases = [case for case in cases if case.stage == Stage.PENALTY]
    states = penalty_clocks_of(cases)
    clocks = []
    for case in cases:
        state = states[case.pk]
        if state["decide_by"] and state["fine"] is None:
            clocks.append((case, "作出处罚决定", state["decide_by"]))
        if state["serve_by"]:
            clocks.append((case, "送达处罚决定书", state["serve_by"]))
    return sorted(clocks, key=lambda row: row[2])


UNSERVED_SHOWN = 20


class _OpenCase(NamedTuple):
    """What 今日待办 reads of an open case to put it on its lists (the clocks read the same
    names as on a Case), without building the case."""

    pk: int
    stage: str
    review_due: date | None
    opened_at: datetime
    order_id: int | None
    enterprise_id: int
    deadline: date | None  # of the current document
    document_status: str | None


_OPEN_CASE_VALUES = (
    "pk",
    "stage",
    "review_due",
    "opened_at",
    "order_id",
    "enterprise_id",
    "current_document__deadline",
    "current_document__status",
)


@one_reading()  # the court and penalty clocks of every listed case read the calendar once
def worklist(user, *, day) -> dict:
    """今日待办: what needs the user today, derived from cases, documents and approvals."""
    from notices.selectors import document_search

    soon = add_working_days(day, 3)
    # The user's open cases as plain rows, newest first: a caseworker may hold a couple of
    # hundred and most are on no list today. The lists are cut from them here, and the cases
    # they show are read once afterwards (a query per list before, and the court and penalty
    # clocks read case by case).
    mine = [
        _OpenCase(*values)
        for values in cases_visible_to(user)
        .filter(closed_at__isnull=True, assigned_to=user)
        .values_list(*_OPEN_CASE_VALUES)
    ]
    ids = [case.pk for case in mine]
    reviews_due = [
        case
        for case in mine
        if case.stage == Stage.TRACKING and case.review_due is not None and case.review_due <= day
    ]
    overdue = [
        case
        for case in mine
        if case.deadline is not None and case.deadline < day and case.document_status == "issued"
    ]
    due_soon = [
        case for case in mine if case.deadline is not None and day <= case.deadline <= soon.day
    ]
    court = court_reminders(mine, day=day)
    clocks = penalty_clocks(mine)
    shown_ids = {case.pk for case in (*reviews_due, *overdue, *due_soon)}
    shown_ids |= {row[0].pk for row in (*court, *clocks)}
    shown = cases_visible_to(user).in_bulk(shown_ids) if shown_ids else {}

    def cases(rows):
        return [shown[case.pk] for case in rows if case.pk in shown]

    unserved = document_search(user=user, served="no").order_by("issued_at")
    # What the lines show: not the documents' frozen content, which is decoded (and its
    # account numbers decrypted) for every row read.
    unserved_shown = list(
        unserved.select_related(None)
        .select_related("enterprise")
        .only("number_text", "doc_type", "issued_at", "enterprise__name")[:UNSERVED_SHOWN]
    )
    # The agreements of the user's cases that a line may show, read once for two lists: few
    # cases have one, and then the instalments are read for the running ones only. What the
    # lines show is read, not every column of the rows they join (the same below), whose
    # selection Django composes anew on every request.
    deferrals = list(
        Deferral.objects.filter(
            Q(status=Deferral.Status.BROKEN, ended_on__gte=day - timedelta(days=30))
            | Q(status=Deferral.Status.ACTIVE),
            case_id__in=ids,
        )
        .select_related("case__enterprise")
        .only("status", "ended_on", "resume_stage", "case__enterprise__name")
    )
    running = [d.pk for d in deferrals if d.status == Deferral.Status.ACTIVE]
    approves = has_capability(user, "approve_actions")
    # Lists, not querysets: the page shows each list's length and then its lines, which on a
    # queryset is a COUNT and a SELECT each (the worklist is the page every caseworker opens).
    return {
        "reviews_due": cases(reviews_due),
        "broken_deferrals": [d for d in deferrals if d.status == Deferral.Status.BROKEN],
        "instalments_due": list(
            Instalment.objects.filter(
                deferral_id__in=running,
                due_on__gte=day,
                due_on__lte=day + timedelta(days=7),
            )
            .select_related("deferral__case__enterprise")
            .only("number", "amount", "due_on", "deferral__case__enterprise__name")
        )
        if running
        else [],
        "court": [(shown[case.pk], last_day) for case, last_day in court if case.pk in shown],
        "penalty_clocks": [
            (shown[case.pk], what, last_day) for case, what, last_day in clocks if case.pk in shown
        ],
        "overdue": cases(overdue),
        "due_soon": cases(due_soon),
        "due_soon_warning": soon.warning,
        # Every document the user can see that waits for its service record, not only a case's
        # current one: a 催告书 or a transfer decision left unserved stops the chain as surely.
        "unserved": unserved_shown,
        # Counted only when the list was cut short: otherwise the list is all of them.
        "unserved_count": unserved.count()
        if len(unserved_shown) == UNSERVED_SHOWN
        else len(unserved_shown),
        # As the menu's badge (approval_badges): without approve_actions there is nothing to
        # decide; with it, the capability is filtered in the query, and requests only a
        # task-force leader may decide are not read only to be dropped.
        "approvals": list(approvals_decidable_by(user)) if approves else [],
        "my_requests": Approval.objects.filter(requested_by=user, status="pending")
        .select_related("case__enterprise")
        .only("to_stage", "case__enterprise__name"),
        # Requests on the ledger that wait for this leader (停止计收, 调减/核减).
        "ledger_approvals": [
            *pending_suspensions_for(user),
            *pending_adjustments_for(user),
        ]
        if approves
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
