from django.conf import settings
from django.db import models
from django.db.models import Q

from enforcement.models.cases import MONEY, Case
from notices.models import Document


class Fine(models.Model):
    """The fine of 社会保险法 第八十六条: 1–3 × the arrears principal, decided by a 行政处罚决定书
    and paid separately from the contributions (a fine never pays arrears)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fines")
    principal_base = models.DecimalField("欠缴本金", **MONEY)
    multiple = models.DecimalField("倍数", max_digits=3, decimal_places=1)
    amount = models.DecimalField("罚款金额", **MONEY)
    decision = models.ForeignKey(
        Document, verbose_name="处罚决定书", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    # The enforcement unit's own application to the court (行政强制法 第五十三条): the fine is then
    # the court's to collect and no longer keeps the case from closing.
    court_application = models.ForeignKey(
        Document,
        verbose_name="强制执行申请书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "罚款"
        verbose_name_plural = "罚款"
        constraints = [
            models.CheckConstraint(
                condition=Q(multiple__gte=1, multiple__lte=3), name="fine_multiple_one_to_three"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fine_amount_positive"),
            # One fine for one illegal act (行政处罚法 第二十九条): the case's arrears.
            models.UniqueConstraint(fields=["case"], name="one_fine_per_case"),
        ]

    def __str__(self):
        return f"{self.case.enterprise} 罚款 {self.amount}"


class FinePayment(models.Model):
    fine = models.ForeignKey(Fine, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField("金额", **MONEY)
    paid_on = models.DateField("缴款日期")
    external_ref = models.CharField("凭证号", max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "罚款缴纳"
        verbose_name_plural = "罚款缴纳"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fine_payment_positive"),
            models.UniqueConstraint(
                fields=["fine", "external_ref"], name="fine_payment_ref_unique"
            ),
        ]

    def __str__(self):
        return f"{self.fine} 缴纳 {self.amount}"
