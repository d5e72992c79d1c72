from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from arrears.engine import COLLECTION_ACT_START, FeeQuote, compute_late_fee
from arrears.ledger import approved_suspensions, ledger_items_in
from arrears.models import (
    Allocation,
    ApprovalStatus,
    LedgerAccount,
    LedgerAdjustment,
    LedgerItem,
    Payment,
    Suspension,
)
from arrears.policy import current_policy, fee_rules, statutory_due_date
from core.dates import today
from enterprises.models import Enterprise
from enterprises.selectors import enterprises_visible_to, visible_q

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))
# "Owes something" means at least a fen: on the demo's SQLite, sums of decimals are binary
# floats and a paid-off item can differ from zero by 1e-12.
HALF_FEN = Decimal("0.005")
MONEY = DecimalField(max_digits=16, decimal_places=2)

# Outstanding principal from which an enterprise is reported to the province (100 万元) and to
# the ministry (1000 万元), DESIGN §3.10: the overview's badges, the dashboard's and the monthly
# report's counts, and the bands below all draw the line here.
PROVINCE_LEVEL = Decimal("1000000")
MINISTRY_LEVEL = Decimal("10000000")

# Amount bands for filtering, in yuan of outstanding principal.
AMOUNT_BANDS = {
    "lt10k": ("1 万元以下", None, Decimal("10000")),
    "10k-100k": ("1–10 万元", Decimal("10000"), Decimal("100000")),
    "100k-1m": ("10–100 万元", Decimal("100000"), PROVINCE_LEVEL),
    "1m-10m": ("100–1000 万元", PROVINCE_LEVEL, MINISTRY_LEVEL),
    "gte10m": ("1000 万元以上", MINISTRY_LEVEL, None),
    # The provincial reporting line, the 1000万 ones included.
    "gte1m": ("100 万元以上（含 1000 万元以上）", PROVINCE_LEVEL, None),
}
SORTS = {
    "principal": "-principal_outstanding",
    "fee": "-fee_outstanding",
    "oldest": "oldest_unpaid",
    "name": "name",
}


# What a row of the overview shows (arrears.templatetags.arrears_rows), besides the account's
# figures it is annotated with: not the enterprises' other columns, nor their encrypted
# numbers, decoded for each of the fifty rows.
OVERVIEW_FIELDS = (
    "name",
    "status",
    "region",
    "region__name",
    "region__task_group",
    "region__task_group__name",
)


def arrears_overview(
    *, user, region=None, task_group=None, band="", text="", sort="principal"
) -> QuerySet:
    """Enterprises with money outstanding, with their totals, in the viewer's jurisdiction:
    read from each enterprise's account (arrears.balances), never summed from the items."""
    enterprises = (
        enterprises_visible_to(user)
        .select_related("region", "region__task_group")
        .annotate(
            principal_outstanding=F("ledger_account__principal_outstanding"),
            fee_outstanding=F("ledger_account__fee_outstanding"),
            oldest_unpaid=F("ledger_account__oldest_unpaid"),
        )
        .filter(
            Q(ledger_account__principal_outstanding__gt=HALF_FEN)
            | Q(ledger_account__fee_outstanding__gt=HALF_FEN)
        )
    )
    if text:
        enterprises = enterprises.filter(Q(name__icontains=text) | Q(credit_code__istartswith=text))
    if region:
        enterprises = enterprises.filter(region=region)
    if task_group:
        enterprises = enterprises.filter(region__task_group=task_group)
    if band in AMOUNT_BANDS:
        _, low, high = AMOUNT_BANDS[band]
        if low is not None:
            enterprises = enterprises.filter(ledger_account__principal_outstanding__gte=low)
        if high is not None:
            enterprises = enterprises.filter(ledger_account__principal_outstanding__lt=high)
    return enterprises.order_by(SORTS.get(sort, SORTS["principal"]), "pk")


def amounts_outstanding(enterprise_id: int, insurance_type: str = "") -> tuple[Decimal, Decimal]:
    """(principal, fee) an enterprise owes now, of one 险种 or all, in one aggregate query."""
    items = LedgerItem.objects.filter(enterprise_id=enterprise_id)
    if insurance_type:
        items = items.filter(insurance_type=insurance_type)
    totals = items.aggregate(
        principal=Coalesce(
            Sum(ExpressionWrapper(F("principal") - F("principal_paid"), output_field=MONEY)), ZERO
        ),
        fee=Coalesce(
            Sum(
                Greatest(
                    ExpressionWrapper(F("fee_accrued") - F("fee_paid"), output_field=MONEY), ZERO
                )
            ),
            ZERO,
        ),
    )
    return totals["principal"], totals["fee"]


def overview_totals(enterprises: QuerySet) -> dict:
    """The count and sums of the overview's enterprises in one query over the accounts they
    already join (the page's paginator takes the count from here instead of counting again)."""
    return enterprises.order_by().aggregate(
        count=Count("pk"),
        principal=Coalesce(Sum("ledger_account__principal_outstanding"), ZERO),
        fee=Coalesce(Sum("ledger_account__fee_outstanding"), ZERO),
    )


@dataclass
class EnterpriseLedger:
    items: list[LedgerItem]
    payments: list[Payment]
    suspensions: list[Suspension]
    adjustments: list[LedgerAdjustment]
    credit: Decimal
    totals: dict


def item_notes(items: list[LedgerItem], *, on) -> None:
    """What the ledger and the documents say about each item's fee beside the figure: a due
    date moved off a rest day, a fee left to local rules (before the 征缴条例), a suspension
    that covers it today, the part of the fee above the principal. Set on each item as
    `notes` (a dict)."""
    if not items:
        return
    policy = current_policy()
    suspensions = approved_suspensions(items[0].enterprise_id)
    for item in items:
        covering = [
            s
            for s in suspensions
            if s.covers(
                insurance_type=item.insurance_type, period=item.period, due_date=item.due_date
            )
            and s.start <= on
            and (s.end is None or on <= s.end)
        ]
        item.notes = {
            "due_moved": not item.due_date_fixed
            and item.due_date != statutory_due_date(item.period, policy),
            "local_rule": item.due_date < COLLECTION_ACT_START
            and policy.pre1999_daily_rate is None,
            "suspended_by": covering[0] if covering else None,
            "above_principal": max(item.fee_accrued - item.principal, Decimal("0.00")),
        }


def enterprise_ledger(enterprise: Enterprise) -> EnterpriseLedger:
    items = list(enterprise.ledger_items.order_by("-period", "insurance_type"))
    item_notes(items, on=today())
    totals = {
        name: sum((getattr(i, name) for i in items), Decimal("0"))
        for name in ("principal", "principal_paid", "fee_accrued", "fee_paid")
    }
    totals["principal_outstanding"] = totals["principal"] - totals["principal_paid"]
    totals["fee_outstanding"] = sum((i.fee_outstanding for i in items), Decimal("0"))
    # 合计应缴 is summed here, as Decimal: a template's `add` filter turns decimals into ints.
    totals["total_outstanding"] = totals["principal_outstanding"] + totals["fee_outstanding"]
    payments = list(
        enterprise.payments.select_related("created_by", "reversed_by")
        .prefetch_related("allocations__item", "periods")
        .order_by("-paid_on", "-id")
    )
    account = LedgerAccount.objects.filter(enterprise=enterprise).first()
    return EnterpriseLedger(
        items=items,
        payments=payments,
        suspensions=list(enterprise.suspensions.select_related("requested_by", "decided_by")),
        adjustments=list(
            LedgerAdjustment.objects.filter(item__enterprise=enterprise).select_related(
                "item", "created_by", "decided_by"
            )
        ),
        credit=account.credit_balance if account else Decimal("0.00"),
        totals=totals,
    )


def enterprise_fee_quotes(enterprise_id: int, *, as_of) -> dict[int, FeeQuote]:
    """Every item's fee quote of one enterprise as of a day, from three queries whatever the
    number of items: the items, their principal payments, the suspensions (and the policy)."""
    rules = fee_rules()
    payments: dict[int, list] = {}
    for item_id, paid_on, amount in Allocation.objects.filter(
        item__enterprise_id=enterprise_id,
        principal_amount__gt=0,
        payment__reversed_at__isnull=True,
    ).values_list("item_id", "payment__paid_on", "principal_amount"):
        payments.setdefault(item_id, []).append((paid_on, amount))
    return {
        item.id: compute_late_fee(
            principal=item.principal,
            due_date=item.due_date,
            as_of=as_of,
            payments=payments.get(item.id, []),
            suspensions=item.suspensions,
            rules=rules,
        )
        for item in ledger_items_in(enterprise_id)
    }


def amounts_owed_on(enterprise_id: int, *, as_of) -> tuple[Decimal, Decimal]:
    """(principal, fee) owed as of a day, the fee computed to that day rather than read from the
    nightly accrual: what a decision ordering payment today may name."""
    quotes = enterprise_fee_quotes(enterprise_id, as_of=as_of)
    principal = fee = Decimal("0")
    for item in LedgerItem.objects.filter(enterprise_id=enterprise_id):
        principal += item.principal - item.principal_paid
        fee += max(quotes[item.pk].fee - item.fee_paid, Decimal("0"))
    return principal, fee


def item_fee_quote(item: LedgerItem, *, as_of=None) -> FeeQuote:
    """The segments behind an item's fee as of today, for showing how it was computed."""
    return enterprise_fee_quotes(item.enterprise_id, as_of=as_of or today())[item.pk]


def pending_suspensions_for(user) -> QuerySet[Suspension]:
    return (
        Suspension.objects.filter(visible_q(user, "enterprise", lazy=True), status="pending")
        .exclude(requested_by=user)
        .select_related("enterprise", "requested_by")
    )


def pending_adjustments_for(user) -> QuerySet[LedgerAdjustment]:
    """Adjustments that lower what is owed, waiting for a leader other than the requester."""
    return (
        LedgerAdjustment.objects.filter(
            visible_q(user, "item__enterprise", lazy=True), status=ApprovalStatus.PENDING
        )
        .exclude(created_by=user)
        .select_related("item", "item__enterprise", "created_by")
    )
