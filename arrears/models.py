from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from core.money import format_yuan
from enterprises.models import Enterprise

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class InsuranceType(models.TextChoices):
    PENSION = "pension", "养老"
    MEDICAL = "medical", "医疗"
    UNEMPLOYMENT = "unemployment", "失业"
    INJURY = "injury", "工伤"
    MATERNITY = "maternity", "生育"


class DueRule(models.TextChoices):
    NEXT_MONTH_END = "next_month_end", "所属期次月最后一日"
    NEXT_MONTH_DAY = "next_month_day", "所属期次月第 N 日"
    PERIOD_MONTH_END = "period_month_end", "所属期当月最后一日"


class Pre2011Mode(models.TextChoices):
    SPLIT = "split", "2011年7月1日前按日千分之二，之后按日万分之五"
    NONE = "none", "2011年7月1日前不计滞纳金"
    NEW_RATE = "new-rate", "全程按现行费率"


class AllocationOrder(models.TextChoices):
    ITEM_BY_ITEM = "item_by_item", "按所属期从早到晚，逐笔先本金后滞纳金"
    PRINCIPAL_FIRST = "principal_first", "先按所属期从早到晚冲抵全部本金，再冲抵滞纳金"


class LateFeePolicy(models.Model):
    """One per deployment (pk 1), edited by the system administrator (DESIGN §3.2)."""

    due_rule = models.CharField(
        "应缴截止日规则", max_length=20, choices=DueRule.choices, default=DueRule.NEXT_MONTH_END
    )
    due_day = models.PositiveSmallIntegerField(
        "次月第 N 日",
        null=True,
        blank=True,
        help_text="仅当规则为“所属期次月第 N 日”时使用（1–28）。",
    )
    due_moves_off_rest_day = models.BooleanField(
        "截止日遇休息日顺延",
        default=True,
        help_text="应缴截止日为周六、周日或法定节假日的，顺延至其后第一个工作日"
        "（民法典第二百零三条）；调休上班日是工作日，不顺延。",
    )
    count_payment_day = models.BooleanField(
        "缴款当日计收滞纳金",
        default=True,
        help_text="勾选（默认，税务口径）：滞纳金计至缴款当日。不勾选：计至缴款前一日。",
    )
    pre2011 = models.CharField(
        "2011年7月1日前的欠费",
        max_length=10,
        choices=Pre2011Mode.choices,
        default=Pre2011Mode.SPLIT,
    )
    pre1999_daily_rate = models.DecimalField(
        "1999年1月22日前到期欠费的日费率",
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="征缴条例施行前的欠费，滞纳金按当地政府规定执行（劳社厅发〔2001〕4号）。"
        "不填（默认）：不计算，标注“滞纳金按当地规定”；填写：按此日费率全程计算。",
    )
    cap_at_principal = models.BooleanField(
        "滞纳金以本金为上限",
        default=False,
        help_text="行政强制法第四十五条是否适用尚无定论，默认不封顶，超过本金时提示。",
    )
    allocation_order = models.CharField(
        "缴款冲抵顺序",
        max_length=20,
        choices=AllocationOrder.choices,
        default=AllocationOrder.ITEM_BY_ITEM,
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "滞纳金政策"
        verbose_name_plural = "滞纳金政策"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="late_fee_policy_singleton"),
            models.CheckConstraint(
                condition=~Q(due_rule="next_month_day") | Q(due_day__gte=1, due_day__lte=28),
                name="late_fee_policy_due_day",
            ),
            models.CheckConstraint(
                condition=Q(pre1999_daily_rate__isnull=True)
                | Q(pre1999_daily_rate__gte=0, pre1999_daily_rate__lt=Decimal("0.01")),
                name="late_fee_policy_pre1999_rate_range",
            ),
        ]

    def __str__(self):
        return "滞纳金政策"


class LateFeeRate(models.Model):
    """The daily rate from a date on; days before 2011-07-01 follow the policy's pre2011 mode."""

    policy = models.ForeignKey(LateFeePolicy, on_delete=models.CASCADE, related_name="rates")
    effective_from = models.DateField("起始日期")
    daily_rate = models.DecimalField("日费率", max_digits=8, decimal_places=6)

    class Meta:
        verbose_name = "滞纳金费率"
        verbose_name_plural = "滞纳金费率"
        ordering = ["effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "effective_from"], name="late_fee_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(effective_from__gte=date(2011, 7, 1)), name="late_fee_rate_from_2011"
            ),
            models.CheckConstraint(
                condition=Q(daily_rate__gte=0, daily_rate__lt=Decimal("0.01")),
                name="late_fee_rate_range",
            ),
        ]

    def __str__(self):
        return f"{self.effective_from} 起 {self.daily_rate}"


class LedgerItem(models.Model):
    """One enterprise × insurance type × contribution month (DESIGN §3.1).

    The amounts are the input. principal_paid, fee_paid, fee_accrued and accrued_through are
    caches derived from payments, suspensions and the policy: `rebuild_ledger` recomputes them
    from history and `verify_ledger` checks them.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="ledger_items"
    )
    insurance_type = models.CharField(
        "险种", max_length=20, choices=InsuranceType.choices, default=InsuranceType.PENSION
    )
    period = models.DateField("费款所属期", help_text="所属月份的第一天")
    unit_amount = models.DecimalField("单位部分", **MONEY)
    individual_amount = models.DecimalField("个人部分", **MONEY)
    principal = models.GeneratedField(
        expression=F("unit_amount") + F("individual_amount"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name="欠费本金",
    )
    due_date = models.DateField("应缴截止日")
    # A due date stated by the import file is kept as given; any other follows the policy and
    # the calendar, and is recomputed when either changes (arrears.services.due_dates_refresh).
    due_date_fixed = models.BooleanField("截止日为导入指定", default=False)
    principal_paid = models.DecimalField("已缴本金", default=ZERO, **MONEY)
    fee_paid = models.DecimalField("已缴滞纳金", default=ZERO, **MONEY)
    fee_accrued = models.DecimalField("滞纳金", default=ZERO, **MONEY)
    accrued_through = models.DateField("滞纳金计算日", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "欠费明细"
        verbose_name_plural = "欠费明细"
        ordering = ["enterprise", "period", "insurance_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "insurance_type", "period"], name="ledger_item_unique_period"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="ledger_item_period_first_day"),
            models.CheckConstraint(
                condition=Q(unit_amount__gte=0, individual_amount__gte=0),
                name="ledger_item_amounts_non_negative",
            ),
            # Half a fen of slack changes nothing for 2-decimal amounts, and lets the demo's
            # SQLite, which adds decimals as binary floats, compare a sum with itself.
            models.CheckConstraint(
                condition=Q(
                    principal_paid__gte=0,
                    principal_paid__lte=F("unit_amount")
                    + F("individual_amount")
                    + Decimal("0.001"),
                ),
                name="ledger_item_principal_paid_in_range",
            ),
            models.CheckConstraint(
                condition=Q(fee_paid__gte=0, fee_accrued__gte=0),
                name="ledger_item_fees_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "period"])]

    def __str__(self):
        return f"{self.enterprise} {self.period:%Y年%m月} {self.get_insurance_type_display()}"

    @property
    def principal_outstanding(self) -> Decimal:
        return self.principal - self.principal_paid

    @property
    def fee_outstanding(self) -> Decimal:
        return max(self.fee_accrued - self.fee_paid, ZERO)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    APPLIED = "applied", "已生效（无需审批）"
    LEGACY = "legacy", "已生效（本系统启用审批前的调整）"


class LedgerAdjustment(models.Model):
    """A correction of an item once money has touched it: never an edit in place.

    It changes the item's amounts, or lowers its late fee by a stated sum. Whatever lowers what
    is owed needs a cited legal basis and document and the approval of a leader other than the
    requester (社会保险法 第六十条: no fee is waived without a legal basis); raising an amount
    applies at once. Only approved and applied adjustments change the ledger.
    """

    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="adjustments")
    unit_before = models.DecimalField("原单位部分", **MONEY)
    individual_before = models.DecimalField("原个人部分", **MONEY)
    unit_after = models.DecimalField("新单位部分", **MONEY)
    individual_after = models.DecimalField("新个人部分", **MONEY)
    fee_reduction = models.DecimalField("核减滞纳金", default=ZERO, **MONEY)
    reason = models.CharField("原因", max_length=200)
    legal_basis = models.CharField(
        "法律依据", max_length=200, blank=True, help_text="核减应缴金额的，须写明法律依据条款。"
    )
    document = models.CharField(
        "依据文书", max_length=200, blank=True, help_text="法院裁定书、批复等文书的文号。"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "台账调整"
        verbose_name_plural = "台账调整"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="ledger_adjustment_has_reason"),
            models.CheckConstraint(
                condition=Q(fee_reduction__gte=0), name="ledger_adjustment_reduction_non_negative"
            ),
            # Lowering what is owed is never self-approved nor without its legal basis.
            models.CheckConstraint(
                condition=Q(
                    unit_after__gte=F("unit_before"),
                    individual_after__gte=F("individual_before"),
                    fee_reduction=0,
                )
                | Q(status="legacy")
                | (~Q(status="applied") & ~Q(legal_basis="") & ~Q(document="")),
                name="ledger_adjustment_lowering_needs_approval",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "applied", "legacy"])
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("created_by"))),
                name="ledger_adjustment_decided_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.item}：{self.reason}"

    @property
    def lowers(self) -> bool:
        return (
            self.unit_after < self.unit_before
            or self.individual_after < self.individual_before
            or self.fee_reduction > 0
        )

    @property
    def changes_amounts(self) -> bool:
        return (self.unit_after, self.individual_after) != (
            self.unit_before,
            self.individual_before,
        )


class PaymentMethod(models.TextChoices):
    SELF = "self", "自缴"
    BANK_TRANSFER = "bank_transfer", "银行划拨"
    COURT = "court", "法院执行"
    OTHER = "other", "其他"


class Payment(models.Model):
    """Money received for one 险种. Never deleted: a reversal (冲正) marks it and the
    allocations are replayed."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="payments")
    insurance_type = models.CharField(
        "险种", max_length=20, choices=InsuranceType.choices, default=InsuranceType.PENSION
    )
    amount = models.DecimalField("金额", **MONEY)
    paid_on = models.DateField("缴款日期")
    method = models.CharField(
        "缴款方式", max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.SELF
    )
    external_ref = models.CharField(
        "外部凭证号", max_length=64, help_text="银行流水号、票据号等；同一企业不可重复。"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField("冲正时间", null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reversal_reason = models.CharField("冲正原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "缴款"
        verbose_name_plural = "缴款"
        ordering = ["paid_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "external_ref"], name="payment_external_ref_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=~Q(external_ref=""), name="payment_has_external_ref"),
            models.CheckConstraint(
                condition=Q(reversed_at__isnull=True) | ~Q(reversal_reason=""),
                name="payment_reversal_has_reason",
            ),
        ]

    def __str__(self):
        # Read in the audit log and in messages: the amount as every page prints money.
        return f"{self.enterprise} {self.paid_on} {format_yuan(self.amount)} 元"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


class PaymentPeriod(models.Model):
    """A contribution period the payer said the payment is for: it is allocated there first."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="periods")
    period = models.DateField("费款所属期")

    class Meta:
        verbose_name = "缴款所属期"
        verbose_name_plural = "缴款所属期"
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "period"], name="payment_period_unique"),
            models.CheckConstraint(condition=Q(period__day=1), name="payment_period_first_day"),
        ]

    def __str__(self):
        return f"{self.payment_id} {self.period:%Y-%m}"


class Allocation(models.Model):
    """How a payment was applied: derived data, replaced whenever the enterprise is replayed."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    item = models.ForeignKey(LedgerItem, on_delete=models.PROTECT, related_name="allocations")
    principal_amount = models.DecimalField("冲抵本金", default=ZERO, **MONEY)
    fee_amount = models.DecimalField("冲抵滞纳金", default=ZERO, **MONEY)

    class Meta:
        verbose_name = "冲抵明细"
        verbose_name_plural = "冲抵明细"
        ordering = ["payment", "item__period"]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal_amount__gte=0, fee_amount__gte=0)
                & (Q(principal_amount__gt=0) | Q(fee_amount__gt=0)),
                name="allocation_positive",
            ),
            models.UniqueConstraint(fields=["payment", "item"], name="allocation_unique_item"),
        ]

    def __str__(self):
        return f"{self.payment_id} → {self.item_id}: {self.principal_amount} + {self.fee_amount}"


class LedgerAccount(models.Model):
    """Per-enterprise totals and the credit balance: caches like the item balances, written
    only by arrears.balances from the items, whenever a replay or the accrual writes them, and
    checked by `verify_ledger`. Pages and reports read these instead of summing every item.

    The ageing buckets split the outstanding principal by how old its periods were on
    `balance_on`: up to 3 months, 3 to 12 months, 1 to 3 years, older."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="ledger_account", primary_key=True
    )
    credit_balance = models.DecimalField("预缴余额", default=ZERO, **MONEY)
    replayed_at = models.DateTimeField(null=True, blank=True)
    principal_outstanding = models.DecimalField("欠缴本金", default=ZERO, **MONEY)
    fee_outstanding = models.DecimalField("欠缴滞纳金", default=ZERO, **MONEY)
    oldest_unpaid = models.DateField("最早欠费所属期", null=True, blank=True)
    aged_under_3m = models.DecimalField("欠费本金（3个月以内）", default=ZERO, **MONEY)
    aged_3_12m = models.DecimalField("欠费本金（3至12个月）", default=ZERO, **MONEY)
    aged_1_3y = models.DecimalField("欠费本金（1至3年）", default=ZERO, **MONEY)
    aged_over_3y = models.DecimalField("欠费本金（3年以上）", default=ZERO, **MONEY)
    balance_on = models.DateField("余额计算日", null=True, blank=True)

    class Meta:
        verbose_name = "企业台账"
        verbose_name_plural = "企业台账"
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_balance__gte=0), name="ledger_account_credit_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(principal_outstanding__gte=0, fee_outstanding__gte=0),
                name="ledger_account_outstanding_non_negative",
            ),
            # The buckets divide the principal, nothing more and nothing less. Rounded to the fen
            # because SQLite (the demo) adds these columns as binary floats.
            models.CheckConstraint(
                condition=Q(
                    principal_outstanding=Round(
                        F("aged_under_3m") + F("aged_3_12m") + F("aged_1_3y") + F("aged_over_3y"),
                        2,
                    )
                ),
                name="ledger_account_ageing_adds_up",
            ),
        ]
        indexes = [
            models.Index(fields=["-principal_outstanding"], name="ledger_account_principal_idx")
        ]

    def __str__(self):
        return f"{self.enterprise} 台账"


class SuspensionKind(models.TextChoices):
    BANKRUPTCY = "bankruptcy", "破产受理"
    DEFERRAL = "deferral", "批准缓缴 / 延期缴费"
    # No law lets the office waive a late fee (社会保险法 第六十条). Kept so that old records
    # still read; a waiver stops nothing and none can be requested.
    WAIVER = "waiver", "减免（无法律依据，已停用）"


EFFECTIVE_KINDS = (SuspensionKind.BANKRUPTCY, SuspensionKind.DEFERRAL)


class SuspensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class Suspension(models.Model):
    """Days on which no late fee accrues on the items it covers (DESIGN §3.4), once approved.

    The scope: a bankruptcy covers every item due before the court's acceptance (what falls due
    after is the administrator's current debt); a deferral covers the deferred items — those of
    its 险种 (blank: every 险种) and periods, and only those due before `due_before` when set —
    and never the current contributions, which must still be paid on time.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="suspensions")
    kind = models.CharField("类型", max_length=20, choices=SuspensionKind.choices)
    start = models.DateField("起始日")
    end = models.DateField(
        "截止日", null=True, blank=True, help_text="破产受理可不填（持续至今）。"
    )
    insurance_type = models.CharField(
        "适用险种",
        max_length=20,
        choices=InsuranceType.choices,
        blank=True,
        help_text="不选：全部险种。",
    )
    period_from = models.DateField("适用所属期起", null=True, blank=True)
    period_to = models.DateField("适用所属期止", null=True, blank=True)
    due_before = models.DateField(
        "仅限此日前到期的欠费", null=True, blank=True, help_text="破产：法院受理破产申请之日。"
    )
    reason = models.CharField("事由", max_length=200)
    document = models.CharField(
        "批准文件", max_length=200, help_text="法院裁定书、协议或批复的文号"
    )
    status = models.CharField(
        "状态", max_length=10, choices=SuspensionStatus.choices, default=SuspensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "停止计收滞纳金"
        verbose_name_plural = "停止计收滞纳金"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="suspension_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False) & ~Q(decided_by=F("requested_by"))),
                name="suspension_decided_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(kind="bankruptcy") | Q(due_before=F("start")),
                name="suspension_bankruptcy_covers_debts_before_acceptance",
            ),
            models.CheckConstraint(
                condition=~Q(kind="deferral")
                | Q(period_to__isnull=False)
                | Q(due_before__isnull=False),
                name="suspension_deferral_names_its_items",
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_to__gte=F("period_from")),
                name="suspension_periods_in_order",
            ),
        ]

    def __str__(self):
        end = self.end.isoformat() if self.end else "至今"
        return f"{self.get_kind_display()} {self.start}—{end}"

    @property
    def interval(self) -> tuple[date, date | None]:
        return (self.start, self.end)

    def covers(self, *, insurance_type: str, period: date, due_date: date) -> bool:
        """Whether the suspension's scope takes in this item (its dates aside).
        arrears.ledger.covering_suspensions says the same in SQL."""
        return (
            self.kind in EFFECTIVE_KINDS
            and self.insurance_type in ("", insurance_type)
            and (self.period_from is None or self.period_from <= period)
            and (self.period_to is None or period <= self.period_to)
            and (self.due_before is None or due_date < self.due_before)
        )

    @property
    def scope_text(self) -> str:
        if self.kind == SuspensionKind.WAIVER:
            return "不停止计收（减免无法律依据）"
        parts = [self.get_insurance_type_display() if self.insurance_type else "全部险种"]
        if self.period_from or self.period_to:
            low = f"{self.period_from:%Y年%m月}" if self.period_from else "最早"
            high = f"{self.period_to:%Y年%m月}" if self.period_to else "最近"
            parts.append(f"所属期{low}至{high}")
        if self.due_before:
            parts.append(f"{self.due_before:%Y年%m月%d日}前到期的欠费")
        return "，".join(parts)
