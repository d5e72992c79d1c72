from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class CaseworkSettings(models.Model):
    """Casework rules the administrator sets (one row, pk 1): where the law leaves a choice to
    the office, it is a setting here rather than a constant in code."""

    deferral_max_months = models.PositiveSmallIntegerField(
        "延期缴费最长分期月数",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    unit_rate = models.DecimalField(
        "单位缴费比例（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("16.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="稽核线索估算少缴金额用，默认基本养老保险单位 16%",
    )
    individual_rate = models.DecimalField(
        "个人缴费比例（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="默认基本养老保险个人 8%",
    )
    review_interval_days = models.PositiveSmallIntegerField(
        "跟踪关注复查间隔（日）",
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
    )
    court_reminder_days = models.PositiveSmallIntegerField(
        "申请法院强制执行提前提醒（日）",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="行政强制法第五十三条的三个月申请期限届满前多少日列入待办",
    )
    # 行政处罚法 第六十三条 leaves 较大数额 to the province. Offering a hearing that was not
    # required costs a few days; withholding one that was voids the fine: the default is low.
    hearing_threshold = models.DecimalField(
        "听证及法制审核的罚款数额（元）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="对单位拟罚款达到该数额的，告知听证权利，作出决定前须经法制审核"
        "（按本省较大数额罚款标准设置）",
    )
    case_code = models.CharField(
        "案号代字",
        max_length=20,
        default="壶清欠",
        help_text="案号为 代字〔年度〕序号号，例如 壶清欠〔2026〕12号",
    )
    guarantee_ratio = models.DecimalField(
        "延期缴费担保价值不低于缓缴数额的倍数",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = "案件办理设置"
        verbose_name_plural = "案件办理设置"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="casework_settings_singleton"),
            models.CheckConstraint(
                condition=Q(deferral_max_months__gte=1, deferral_max_months__lte=24),
                name="casework_deferral_months_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_rate__gte=0, unit_rate__lte=100)
                & Q(individual_rate__gte=0, individual_rate__lte=100),
                name="casework_rates_are_percentages",
            ),
        ]

    def __str__(self):
        return "案件办理设置"
