"""The arrears ledger (欠费台账) and the payments (缴款记录) as spreadsheets (core.exports), in
the viewer's townships."""

from django import forms
from django.db.models import Q

from arrears.forms import OverviewFilterForm
from arrears.models import Payment
from arrears.selectors import arrears_overview
from core.exports import DATE, MONEY, Column, Exporter
from core.forms import FilterForm
from enterprises.models import Region, TaskGroup
from enterprises.selectors import enterprises_visible_to, regions_visible_to, task_groups_visible_to


def overview_filtered(user, params):
    """The overview's filter form, its values and the enterprises it finds for `user`: one
    reading for the overview (arrears.views) and its export."""
    form = OverviewFilterForm(
        params or None,
        regions=regions_visible_to(user),
        task_groups=task_groups_visible_to(user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    enterprises = arrears_overview(
        user=user,
        region=filters.get("region"),
        task_group=filters.get("task_group"),
        band=filters.get("band", ""),
        text=(filters.get("q") or "").strip(),
        sort=filters.get("sort") or "principal",
    )
    return form, filters, enterprises


def select_arrears(user, params):
    _, filters, enterprises = overview_filtered(user, params)
    return enterprises, filters


def arrears_rows(enterprises):
    # The amounts are each enterprise's account (LedgerAccount), as the overview shows them.
    for e in enterprises.iterator(chunk_size=2000):
        yield (
            e.credit_code,
            e.name,
            e.region.name,
            e.region.task_group.name if e.region.task_group else "",
            e.get_status_display(),
            e.principal_outstanding,
            e.fee_outstanding,
            e.principal_outstanding + e.fee_outstanding,
            e.oldest_unpaid.strftime("%Y-%m") if e.oldest_unpaid else "",
        )


ARREARS = Exporter(
    name="arrears",
    title="欠费台账",
    columns=(
        Column("统一社会信用代码", 22),
        Column("单位名称", 36),
        Column("所属乡镇", 12),
        Column("工作组", 14),
        Column("经营状态", 10),
        Column("欠费本金（元）", 16, MONEY),
        Column("滞纳金（元）", 16, MONEY),
        Column("合计应缴（元）", 16, MONEY),
        Column("最早欠费期", 12),
    ),
    select=select_arrears,
    rows=arrears_rows,
    totals=True,
)


class PaymentFilterForm(FilterForm):
    """The payments of the enterprises the overview's filters name (paid off or not), or of one
    enterprise (its ledger page)."""

    q = forms.CharField(label="名称或代码", required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False)
    task_group = forms.ModelChoiceField(queryset=TaskGroup.objects.none(), required=False)
    enterprise = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, regions, task_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["task_group"].queryset = task_groups


def select_payments(user, params):
    form = PaymentFilterForm(
        params or None,
        regions=regions_visible_to(user),
        task_groups=task_groups_visible_to(user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    payments = Payment.objects.filter(enterprise__in=enterprises_visible_to(user)).select_related(
        "enterprise", "enterprise__region"
    )
    text = (filters.get("q") or "").strip()
    if text:
        payments = payments.filter(
            Q(enterprise__name__icontains=text) | Q(enterprise__credit_code__istartswith=text)
        )
    if filters.get("region"):
        payments = payments.filter(enterprise__region=filters["region"])
    if filters.get("task_group"):
        payments = payments.filter(enterprise__region__task_group=filters["task_group"])
    if filters.get("enterprise"):
        # Within the user's townships only: another township's enterprise gives no rows.
        payments = payments.filter(enterprise_id=filters["enterprise"])
    return payments.order_by("paid_on", "enterprise__name", "pk"), filters


REVERSED = "已冲正"
_STATUS = 8  # the column that says whether a payment was reversed


def payment_rows(payments):
    for p in payments.iterator(chunk_size=2000):
        yield (
            p.enterprise.name,
            p.enterprise.credit_code,
            p.enterprise.region.name,
            p.get_insurance_type_display(),
            p.paid_on,
            p.amount,
            p.get_method_display(),
            p.external_ref,
            REVERSED if p.is_reversed else "有效",
            p.reversed_at,
            p.reversal_reason,
            p.note,
        )


PAYMENTS = Exporter(
    name="payments",
    title="缴款记录",
    columns=(
        Column("单位名称", 36),
        Column("统一社会信用代码", 22),
        Column("所属乡镇", 12),
        Column("险种", 8),
        Column("缴款日期", 12, DATE),
        Column("金额（元）", 16, MONEY),
        Column("缴款方式", 10),
        Column("外部凭证号", 22),
        Column("状态", 8),
        Column("冲正日期", 12, DATE),
        Column("冲正原因", 24),
        Column("备注", 24),
    ),
    select=select_payments,
    rows=payment_rows,
    totals=True,
    # A reversed payment is listed, but it received nothing.
    total_label="合计（不含已冲正）",
    counts_in_total=lambda row: row[_STATUS] != REVERSED,
)
