from django.conf import settings
from django.db import models
from django.db.models import F, Q

from enforcement.models.cases import Case
from notices.models import Document


class Challenge(models.Model):
    """The enterprise asked for administrative review or sued over a decision of its case. While
    one runs, the court is not applied to and a fine's surcharge pauses (行政处罚法 第七十三条);
    after it, the time to apply is counted from when it ended."""

    class Kind(models.TextChoices):
        REVIEW = "review", "行政复议"
        LAWSUIT = "lawsuit", "行政诉讼"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="challenges")
    decision = models.ForeignKey(
        Document, verbose_name="被申请复议 / 起诉的决定", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    filed_on = models.DateField("申请 / 起诉日期")
    concluded_on = models.DateField("复议决定 / 判决生效日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "复议 / 诉讼"
        verbose_name_plural = "复议 / 诉讼"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(concluded_on__isnull=True) | Q(concluded_on__gte=F("filed_on")),
                name="challenge_concluded_after_filed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decision.number_text}"
