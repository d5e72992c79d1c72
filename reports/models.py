"""What the reports app keeps of its own: targets, the month-end balance of each township for
the growth warning, and every report file it issued. It writes nothing to the other apps."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from enterprises.models import Region, TaskGroup

MONEY = {"max_digits": 14, "decimal_places": 2}


class Target(models.Model):
    """The amount a township or a task group is to recover in a year, set by the task force."""

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(
        Region, verbose_name="乡镇", null=True, blank=True, on_delete=models.CASCADE
    )
    task_group = models.ForeignKey(
        TaskGroup, verbose_name="工作组", null=True, blank=True, on_delete=models.CASCADE
    )
    amount = models.DecimalField("清欠目标（元）", **MONEY)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "清欠目标"
        verbose_name_plural = "清欠目标"
        ordering = ["year", "task_group_id", "region_id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(region__isnull=True) & Q(task_group__isnull=False))
                | (Q(region__isnull=False) & Q(task_group__isnull=True)),
                name="target_one_township_or_one_group",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_not_negative"),
            models.UniqueConstraint(fields=["year", "region"], name="target_once_per_township"),
            models.UniqueConstraint(fields=["year", "task_group"], name="target_once_per_group"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.region or self.task_group} {self.amount}"


class RegionBalance(models.Model):
    """A township's outstanding arrears at the end of a month (the current month's row is
    refreshed each night): what the month-on-month growth warning compares."""

    month = models.DateField("月份", help_text="月份的第一天")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    principal = models.DecimalField("欠费本金", **MONEY)
    fee = models.DecimalField("滞纳金", **MONEY)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "乡镇月末欠费"
        verbose_name_plural = "乡镇月末欠费"
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="region_balance_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="region_balance_month_start"),
        ]

    def __str__(self):
        return f"{self.region} {self.month:%Y-%m} {self.principal}"


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "月报"
    TEN_DAY = "ten_day", "旬报"
    BULLETIN = "bulletin", "征缴情况公布"
    EXPOSURE_LIST = "exposure_list", "曝光名单"


class ReportArchive(models.Model):
    """A report file exactly as it was issued, kept with its checksum so that the same file
    can be downloaded again later."""

    kind = models.CharField("报表", max_length=20, choices=ReportKind.choices)
    period_start = models.DateField("起始日")
    period_end = models.DateField("截止日")
    file = models.FileField("文件", upload_to="reports/%Y/")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：按计划自动生成",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "报表存档"
        verbose_name_plural = "报表存档"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="report_period_ordered",
            ),
        ]

    def __str__(self):
        return self.file_name
