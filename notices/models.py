from django.conf import settings
from django.db import models
from django.db.models import Q

from core.crypto import SealedJSONField
from enterprises.models import Enterprise
from notices.accounts import states_bank_account
from notices.types import SERVED_TYPES, Body, DocumentType


class OfficeSettings(models.Model):
    """What the county's documents state whoever issues them: the center's contribution account,
    the fine channel, the review body and the court. One row (pk 1); the issuing bodies
    themselves are IssuingBody rows."""

    account_name = models.CharField(
        "社会保险费收款户名", max_length=100, default="壶关县社会保险中心"
    )
    account_number = models.CharField(
        "社会保险费收款账号", max_length=40, default="0000000000000000000"
    )
    account_bank = models.CharField("开户银行", max_length=100, default="中国工商银行壶关支行")
    fine_channel = models.CharField(
        "罚款缴纳渠道",
        max_length=200,
        default="壶关县财政局非税收入代收银行（中国农业银行壶关支行各网点）或山西省非税收入电子缴款平台",
        help_text="罚缴分离（行政处罚法第六十七条）：罚款缴至指定银行或电子支付系统，不得缴入社会保险费账户",
    )
    review_body = models.CharField("行政复议机关", max_length=100, default="壶关县人民政府")
    court = models.CharField("管辖法院", max_length=100, default="壶关县人民法院")

    class Meta:
        verbose_name = "文书公共设置"
        verbose_name_plural = "文书公共设置"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="office_settings_singleton")]

    def __str__(self):
        return "文书公共设置"


class IssuingBody(models.Model):
    """A body that issues documents in its own name, number, seal and self-reference
    (DESIGN §3.8): the center, the 人社局, its enforcement unit. Edited by the administrator."""

    kind = models.CharField("机关", max_length=12, choices=Body.choices, unique=True)
    name = models.CharField("机关全称", max_length=100)
    seal_name = models.CharField("印章名称", max_length=100)
    self_reference = models.CharField(
        "自称", max_length=10, help_text="文书中对本机关的称呼，如“本中心”“本局”"
    )
    head_title = models.CharField("负责人职务", max_length=20, help_text="如“主任”“局长”")
    # The court application carries the head's name and signature (行政强制法 第五十五条).
    head_name = models.CharField("负责人姓名", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("联系电话", max_length=50)
    contact = models.CharField("联系人", max_length=50, blank=True)
    code_base = models.CharField(
        "机关代字前缀", max_length=20, help_text="如“壶人社”，与文书类型代字组成“壶人社催”"
    )
    prefixes = models.JSONField(
        "各类文书代字", default=dict, blank=True, help_text="文书类型 → 代字；未填的用默认代字"
    )
    seal_image = models.FileField(
        "印章图片", upload_to="seals/", blank=True, help_text="PNG，透明背景；有则印在落款处"
    )

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"
        ordering = ["id"]

    def __str__(self):
        return self.name


class DocumentCounter(models.Model):
    """The last number issued per type and year. Numbering locks this row, so concurrent
    issues queue, and a rolled-back issue rolls its number back too: no gaps, no duplicates."""

    issuing_body = models.CharField(max_length=12, choices=Body.choices)
    doc_type = models.CharField(max_length=30, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Each body numbers its own documents: 壶人社催告〔2026〕3号 of the center and the
            # enforcement unit's 催告书 of a fine are different series.
            models.UniqueConstraint(
                fields=["issuing_body", "doc_type", "year"], name="document_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.issuing_body} {self.doc_type} {self.year}: {self.last_number}"


class DocumentStatus(models.TextChoices):
    ISSUED = "issued", "已出具"
    VOIDED = "voided", "已作废"


class Document(models.Model):
    """An issued document. `content` freezes everything it states at issue: later payments or
    renamed enterprises never change it, and rendering it again gives the same text."""

    doc_type = models.CharField("文书类型", max_length=30, choices=DocumentType.choices)
    issuing_body = models.CharField("发文机关", max_length=12, choices=Body.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    number_text = models.CharField("发文字号", max_length=40)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="documents")
    issued_on = models.DateField("成文日期")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    # The account number a document states (an inquiry, a transfer) is encrypted at rest like
    # the register's (core.crypto); everything else stays queryable JSON.
    content = SealedJSONField("文书内容", sealed_keys=("account",))
    status = models.CharField(
        "状态", max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.ISSUED
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    pdf = models.FileField("PDF", upload_to="documents/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    served_on = models.DateField(
        "送达日期", null=True, blank=True, help_text="公告送达为视为送达之日"
    )
    deadline = models.DateField("期限届满日", null=True, blank=True)
    deadline_warning = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_body", "doc_type", "year", "number"],
                name="document_number_unique",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_number_positive"),
            models.CheckConstraint(
                condition=Q(status="issued") | ~Q(void_reason=""), name="document_void_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "doc_type"])]

    def __str__(self):
        return f"{self.number_text} {self.get_doc_type_display()}"

    @property
    def is_voided(self) -> bool:
        return self.status == DocumentStatus.VOIDED

    @property
    def served_on_enterprise(self) -> bool:
        """Whether it is served on the enterprise (a letter to the bank or the court is not)."""
        return self.doc_type in SERVED_TYPES

    @property
    def states_bank_account(self) -> bool:
        """Whether it names the enterprise's bank account number (notices.accounts)."""
        return states_bank_account(self.doc_type, self.content)


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"
    LEFT = "left", "留置送达"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"
    PUBLIC = "public", "公告送达"


class ServiceRecord(models.Model):
    """How a document reached the enterprise (民事诉讼法 第八十五至九十五条)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="services")
    method = models.CharField("送达方式", max_length=12, choices=ServiceMethod.choices)
    served_on = models.DateField(
        "送达日期",
        help_text="直接、留置：签收或留置日；邮寄：回执签收日；电子：到达日；公告：公告发布日",
    )
    recipient = models.CharField("受送达人 / 签收人", max_length=100, blank=True)
    witness = models.CharField("见证人", max_length=100, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    proof = models.FileField("送达回证 / 照片 / 回执", upload_to="service/%Y/", blank=True)
    # An attempt that did not reach the enterprise (nobody at the address, mail returned): kept
    # as the record that public notice needs, and it neither serves nor starts a period.
    failed = models.BooleanField("未能送达", default=False)
    public_reason = models.TextField(
        "公告送达理由", blank=True, help_text="直接送达、留置送达、邮寄送达未能送达的情况"
    )
    electronic_consent = models.BooleanField("受送达人同意电子送达", default=False)
    effective_on = models.DateField("视为送达日")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="left") | ~Q(witness="") | ~Q(proof=""),
                name="service_left_needs_witness_or_photo",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__gte=models.F("served_on")),
                name="service_effective_after_served",
            ),
            # A public notice is deemed served: it is never a failed attempt.
            models.CheckConstraint(
                condition=~Q(method="public") | Q(failed=False),
                name="service_public_never_failed",
            ),
        ]

    def __str__(self):
        outcome = "（未能送达）" if self.failed else ""
        return f"{self.document} {self.get_method_display()}{outcome} {self.served_on}"
