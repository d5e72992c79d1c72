from django.conf import settings
from django.db import models
from django.db.models import Q

from enforcement.stages import ClosingReason, Stage
from enterprises.models import AbilityClass, Enterprise, TaskGroup
from notices.models import Document

MONEY = {"max_digits": 14, "decimal_places": 2}


class CaseCounter(models.Model):
    """The last case number of a year; locked while a case opens (core.locks)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Case(models.Model):
    """One enforcement case; at most one open per enterprise (a database constraint)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.OPENED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    task_group = models.ForeignKey(
        TaskGroup, verbose_name="工作组", null=True, on_delete=models.PROTECT, related_name="cases"
    )
    classification = models.CharField(
        "立案时分类", max_length=20, choices=AbilityClass.choices, blank=True
    )
    principal_at_opening = models.DecimalField("立案时欠费本金", **MONEY)
    fee_at_opening = models.DecimalField("立案时滞纳金", **MONEY)
    current_document = models.ForeignKey(
        Document,
        verbose_name="本阶段文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The served decision that ordered payment (限期补缴通知书 or 稽核意见书), named by the 催告书
    # and by the court application; the court window counts from its service.
    order = models.ForeignKey(
        Document,
        verbose_name="责令缴纳的决定",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 案号: one gapless counter per year (CaseCounter), numbered when the case opens.
    year = models.PositiveSmallIntegerField("立案年度")
    number = models.PositiveIntegerField("案件序号")
    number_text = models.CharField("案号", max_length=40)
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closing_reason = models.CharField(
        "结案原因", max_length=20, choices=ClosingReason.choices, blank=True
    )
    review_due = models.DateField(
        "下次复查日", null=True, blank=True, help_text="跟踪关注的案件按期复查企业状况"
    )

    class Meta:
        verbose_name = "清欠案件"
        verbose_name_plural = "清欠案件"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="case_number_unique_per_year"),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(closed_at__isnull=True),
                name="case_one_open_per_enterprise",
            ),
            models.CheckConstraint(
                condition=(Q(stage="closed") & Q(closed_at__isnull=False) & ~Q(closing_reason=""))
                | (~Q(stage="closed") & Q(closed_at__isnull=True) & Q(closing_reason="")),
                name="case_closed_consistently",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.get_stage_display()}"


class CaseEvent(models.Model):
    """The timeline: every step, document, approval and payment of a case."""

    class Kind(models.TextChoices):
        OPENED = "opened", "立案"
        MOVED = "moved", "阶段变更"
        DOCUMENT = "document", "文书"
        APPROVAL = "approval", "审批"
        PAYMENT = "payment", "缴款"
        CLOSED = "closed", "结案"
        # Events that guards and the nightly sweep look for: a kind each, never read from text.
        INQUIRY = "inquiry", "账户查询结果"
        INQUIRY_SHORT = "inquiry_short", "账户查询：余额不足"
        DEADLINE_PASSED = "deadline_passed", "期限届满"
        REVIEW_DUE = "review_due", "复查到期"
        REVIEW = "review", "复查"
        DEFERRAL_ENDED = "deferral_ended", "延期协议终止"
        DEFENCE = "defence", "陈述申辩"
        DEFENCE_REVIEW = "defence_review", "陈述申辩复核"
        CHALLENGE = "challenge", "复议 / 诉讼"
        # The fine's procedure in the enforcement unit (行政处罚法 第五十四条至第六十二条).
        PENALTY_FILED = "penalty_filed", "处罚立案"
        HEARING_REQUESTED = "hearing_requested", "申请听证"
        HEARING_HELD = "hearing_held", "听证"
        LEGAL_REVIEW = "legal_review", "法制审核"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    text = models.CharField(max_length=300)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The day the event is about, where it is not the day it was written (a review falling due).
    on_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            # The nightly sweep says each of these once, however often it runs.
            models.UniqueConstraint(
                fields=["case", "document"],
                condition=Q(kind="deadline_passed"),
                name="case_event_deadline_passed_once",
            ),
            models.UniqueConstraint(
                fields=["case", "on_date"],
                condition=Q(kind="review_due"),
                name="case_event_review_due_once",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.text}"


class Approval(models.Model):
    """Maker-checker: a step a leader other than the requester must approve."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    to_stage = models.CharField("申请进入", max_length=20, choices=Stage.choices)
    closing_reason = models.CharField(max_length=20, choices=ClosingReason.choices, blank=True)
    capability = models.CharField(max_length=40)
    reason = models.CharField("申请理由", max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField("审批意见", max_length=300, blank=True)
    # What the step needs besides the stage: a deferral's terms, a write-off's documents.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(decided_by__isnull=False) & ~Q(decided_by=models.F("requested_by"))),
                name="approval_decided_by_another",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="approval_one_pending_per_case"
            ),
        ]

    def __str__(self):
        return f"{self.case} → {self.get_to_stage_display()} ({self.get_status_display()})"
