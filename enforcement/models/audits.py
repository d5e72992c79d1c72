from django.conf import settings
from django.db import models
from django.db.models import F, Q

from enforcement.models.cases import MONEY, Case
from enterprises.models import Enterprise
from notices.models import Document

# The audit's findings in figures, all or none on a record (AuditRecord).
FINDINGS_FIELDS = (
    "period_from",
    "period_to",
    "headcount_found",
    "headcount_declared",
    "base_found",
    "base_declared",
    "shortfall",
)


class AuditRecord(models.Model):
    """The written record of an on-site audit (社会保险稽核办法): at least two auditors, what was
    found, whether the unit signed, and the result document it led to — 稽核情况告知书 when
    nothing was wrong, 稽核意见书 with a correction deadline otherwise."""

    class Signature(models.TextChoices):
        SIGNED = "signed", "被稽核单位已签字确认"
        REFUSED = "refused", "被稽核单位拒绝签字（稽核人员注明）"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="audit_records")
    audited_on = models.DateField("稽核日期")
    auditor_1 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="稽核人员一",
        on_delete=models.PROTECT,
        related_name="+",
    )
    auditor_2 = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="稽核人员二",
        on_delete=models.PROTECT,
        related_name="+",
    )
    credentials = models.CharField("出示的证件", max_length=200)
    # What the audit found, in figures (社会保险稽核办法 第十一条: the result states the facts).
    # Nullable: records made before these columns existed hold their findings only as text, and
    # no figure can be invented for them; every record made since has all of them (see the
    # constraint "audit_findings_complete").
    period_from = models.DateField("稽核起始月份", null=True, blank=True)  # the 1st of the month
    period_to = models.DateField("稽核截止月份", null=True, blank=True)
    headcount_found = models.IntegerField("核实参保人数", null=True, blank=True)
    headcount_declared = models.IntegerField("申报参保人数", null=True, blank=True)
    base_found = models.DecimalField("核实缴费基数（元）", null=True, blank=True, **MONEY)
    base_declared = models.DecimalField("申报缴费基数（元）", null=True, blank=True, **MONEY)
    shortfall = models.DecimalField("少缴金额（元）", null=True, blank=True, **MONEY)
    findings = models.TextField("稽核发现")  # the auditors' remark beside the figures
    violation = models.BooleanField("存在违法行为")
    signature = models.CharField("记录签字", max_length=10, choices=Signature.choices)
    result_document = models.ForeignKey(
        Document, verbose_name="稽核结论文书", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "稽核记录"
        verbose_name_plural = "稽核记录"
        ordering = ["-audited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(auditor_1=F("auditor_2")), name="audit_two_distinct_auditors"
            ),
            # The figures come together or not at all (a record from before them): a document
            # never states half the findings.
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True for name in FINDINGS_FIELDS})
                | Q(**{f"{name}__isnull": False for name in FINDINGS_FIELDS}),
                name="audit_findings_complete",
            ),
            models.CheckConstraint(
                condition=Q(period_from__lte=F("period_to")), name="audit_period_in_order"
            ),
            # Contribution periods are months, held as their first day like LedgerItem.period.
            models.CheckConstraint(
                condition=Q(period_from__day=1, period_to__day=1), name="audit_period_months"
            ),
            models.CheckConstraint(
                condition=Q(
                    headcount_found__gte=0,
                    headcount_declared__gte=0,
                    base_found__gte=0,
                    base_declared__gte=0,
                    shortfall__gte=0,
                ),
                name="audit_findings_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.case.enterprise} 稽核 {self.audited_on}"


class TaxRecord(models.Model):
    """One enterprise-month of individual-income-tax data (from the tax bureau) beside the
    social-insurance declaration of the same month (from the insurance system)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tax_records")
    month = models.DateField("所属期")
    tax_headcount = models.PositiveIntegerField("个税申报人数")
    taxable_wages = models.DecimalField("应税工资总额", **MONEY)
    insured_headcount = models.PositiveIntegerField("参保人数")
    declared_base = models.DecimalField("申报缴费基数总额", **MONEY)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "个税比对数据"
        verbose_name_plural = "个税比对数据"
        ordering = ["enterprise", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="tax_record_unique"),
            models.CheckConstraint(
                condition=Q(taxable_wages__gte=0, declared_base__gte=0),
                name="tax_record_amounts_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.month:%Y-%m}"


class AuditLead(models.Model):
    """A 稽核线索 (DESIGN §3.7): which rules the months broke and the estimated shortfall at the
    configured contribution rates; dismissed with a reason, or it opens an audit case."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        DISMISSED = "dismissed", "已排除"
        AUDIT = "audit", "已转稽核"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="leads")
    rules = models.JSONField("线索类型", default=list)
    first_month = models.DateField("起始所属期")
    last_month = models.DateField("截止所属期")
    estimated_shortfall = models.DecimalField("估算少缴金额", **MONEY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismissal_reason = models.CharField("排除理由", max_length=300, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )

    class Meta:
        verbose_name = "稽核线索"
        verbose_name_plural = "稽核线索"
        ordering = ["-estimated_shortfall", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status="open"),
                name="lead_one_open_per_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(status="dismissed") & ~Q(dismissal_reason="") & Q(decided_by__isnull=False))
                | (Q(status="audit") & Q(case__isnull=False) & Q(decided_by__isnull=False)),
                name="lead_decided_consistently",
            ),
            models.CheckConstraint(
                condition=Q(estimated_shortfall__gte=0), name="lead_shortfall_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} 稽核线索"
