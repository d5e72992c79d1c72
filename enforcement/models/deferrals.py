from django.conf import settings
from django.db import models
from django.db.models import Q

from arrears.models import Suspension
from enforcement.models.cases import MONEY, Case
from enforcement.stages import Stage
from notices.models import Document


class GuaranteeKind(models.TextChoices):
    SURETY = "surety", "保证"
    MORTGAGE = "mortgage", "抵押"
    PLEDGE = "pledge", "质押"
    DEPOSIT = "deposit", "保证金"


class Deferral(models.Model):
    """A 延期缴费协议 (社会保险法 第六十三条): the enterprise gives a guarantee and pays the
    principal in instalments; no late fee accrues while it is honoured (an approved arrears
    Suspension). A missed instalment ends the suspension and returns the case to enforcement."""

    class Status(models.TextChoices):
        ACTIVE = "active", "履行中"
        COMPLETED = "completed", "已履行完毕"
        BROKEN = "broken", "未按期履行（已终止）"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deferrals")
    agreement = models.ForeignKey(
        Document, verbose_name="延期缴费协议", on_delete=models.PROTECT, related_name="+"
    )
    suspension = models.OneToOneField(
        Suspension, verbose_name="停止计收滞纳金", on_delete=models.PROTECT, related_name="+"
    )
    resume_stage = models.CharField("未履行时退回", max_length=20, choices=Stage.choices)
    resume_document = models.ForeignKey(
        Document,
        verbose_name="退回后的本阶段文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guarantee_kind = models.CharField("担保方式", max_length=20, choices=GuaranteeKind.choices)
    guarantee_value = models.DecimalField("担保价值（元）", **MONEY)
    guarantee_document = models.CharField("担保文件", max_length=200)
    months = models.PositiveSmallIntegerField("分期月数")
    total = models.DecimalField("分期缴纳本金", **MONEY)
    starts_on = models.DateField("协议日期")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "延期缴费协议"
        verbose_name_plural = "延期缴费协议"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="active"), name="deferral_one_active_per_case"
            ),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=24), name="deferral_months_range"
            ),
            models.CheckConstraint(
                condition=Q(total__gt=0, guarantee_value__gte=0), name="deferral_amounts_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_on__isnull=True))
                | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="deferral_ended_consistently",
            ),
        ]

    def __str__(self):
        return f"{self.case.enterprise} 延期缴费 {self.months} 期"


class Instalment(models.Model):
    deferral = models.ForeignKey(Deferral, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField("期次")
    due_on = models.DateField("缴款截止日")
    amount = models.DecimalField("金额", **MONEY)

    class Meta:
        verbose_name = "分期"
        verbose_name_plural = "分期"
        ordering = ["deferral", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deferral", "number"], name="instalment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="instalment_number_from_one"),
        ]

    def __str__(self):
        return f"第{self.number}期 {self.due_on} {self.amount}"


__all__ = ["Deferral", "GuaranteeKind", "Instalment"]
