import uuid
from decimal import Decimal

from django import forms
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from core.fields import BusinessDateField, DecimalNumberField
from core.forms import FilterForm
from enterprises.models import Region
from notices.models import DocumentStatus, IssuingBody, OfficeSettings, ServiceMethod
from notices.types import RULES, STANDALONE_TYPES, DocumentType, body_may_issue
from notices.uploads import proof_kind

FINE_RANGE = (
    "须大于或等于 1、小于或等于 3：罚款为欠缴数额的一倍以上三倍以下（社会保险法第八十六条）。"
)


def fine_multiple_field(**kwargs) -> DecimalNumberField:
    """1 to 3 times the principal owed, in tenths: the Fine.multiple column is numeric(3, 1),
    so 1.05 is refused rather than stored as 1.1 beside a fine computed at 1.05."""
    return DecimalNumberField(
        places=1,
        min_value=Decimal("1"),
        max_value=Decimal("3"),
        error_messages={"min_value": FINE_RANGE, "max_value": FINE_RANGE},
        **kwargs,
    )


class DocumentFilterForm(FilterForm):
    q = forms.CharField(label="企业或文号", required=False)
    doc_type = forms.ChoiceField(
        label="文书类型", required=False, choices=[("", "全部类型"), *DocumentType.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *DocumentStatus.choices]
    )
    served = forms.ChoiceField(
        label="送达", required=False, choices=[("", "全部"), ("no", "未送达"), ("yes", "已送达")]
    )


class IssueForm(forms.Form):
    """The 文书 tab issues standalone types only; chain documents come from case moves."""

    doc_type = forms.ChoiceField(
        label="文书类型", choices=[(t, DocumentType(t).label) for t in STANDALONE_TYPES]
    )

    def extra(self) -> dict:
        return {}


class ServiceForm(forms.Form):
    """One service, or one attempt that failed. The rules on each method are the service's
    (notices.services.service_record); its refusals come back on these fields."""

    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.choices)
    served_on = BusinessDateField(
        label="送达日期",
        help_text="公告送达填公告发布日，系统按发布后 30 日视为送达；未能送达的填前往送达之日。",
    )
    failed = forms.BooleanField(
        label="本次未能送达",
        required=False,
        help_text="如查无此单位、无人签收、邮件退回：登记这次送达经过，不起算期限。"
        "催告书、划拨决定书、处罚文书公告送达前，须先有一次未能送达的直接送达。",
    )
    recipient = forms.CharField(label="签收人", max_length=100, required=False)
    witness = forms.CharField(label="见证人（留置送达）", max_length=100, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)
    public_reason = forms.CharField(
        label="公告送达理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明直接送达、留置送达、邮寄送达均未能送达的情况（民事诉讼法第九十五条）。",
    )
    electronic_consent = forms.BooleanField(
        label="受送达人同意电子送达",
        required=False,
        help_text="受送达人已书面同意（如签署送达地址确认书）的方可电子送达（民事诉讼法第九十条）。",
    )
    proof = forms.FileField(
        label="送达回证（签收后扫描）",
        required=False,
        help_text="PDF、JPEG 或 PNG 格式，不超过 10 MB。留置送达可上传现场照片，邮寄送达可上传邮寄回执。",
        # Only a hint for the file chooser; what counts is the content (clean_proof).
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def clean_proof(self):
        proof = self.cleaned_data.get("proof")
        if proof:
            # Refused here with its reason beside the field; the service checks it again,
            # whoever calls it, and names the stored file.
            proof_kind(proof)
        return proof


class BatchForm(forms.Form):
    doc_type = forms.ChoiceField(
        label="文书类型",
        choices=[(t, DocumentType(t).label) for t in STANDALONE_TYPES],
        initial=DocumentType.DEADLINE_NOTICE,
    )
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), empty_label="请选择乡镇"
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def doc_type_label(self) -> str:
        return DocumentType(self.cleaned_data["doc_type"]).label


class OfficeSettingsForm(forms.ModelForm):
    class Meta:
        model = OfficeSettings
        fields = [
            "account_name",
            "account_number",
            "account_bank",
            "fine_channel",
            "review_body",
            "court",
        ]


class _LinkedFile:
    """What the file input shows of the stored seal: its name, linked to the view that serves
    it (notices.views.seal_image), not to a /media/ address — MEDIA is not served."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self):
        return self.name

    def __bool__(self):
        return bool(self.name)


class SealImageField(forms.FileField):
    """Only what is displayed changes: cleaning still sees the stored file itself."""

    link = ""  # set by the form, which knows the body

    def prepare_value(self, value):
        if isinstance(value, FieldFile) and value and self.link:
            return _LinkedFile(value.name, self.link)
        return value


class IssuingBodyForm(forms.ModelForm):
    """One body's name, address, seal and codes; the codes only of the types it issues."""

    codes = forms.CharField(
        label="各类文书的机关代字",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行：文书名称=代字，例如 限期补缴通知书=壶人社催。删去的行用“机关代字前缀”加默认代字。",
    )

    class Meta:
        model = IssuingBody
        fields = [
            "name",
            "seal_name",
            "self_reference",
            "head_title",
            "head_name",
            "address",
            "phone",
            "contact",
            "code_base",
            "seal_image",
        ]
        field_classes = {"seal_image": SealImageField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from notices.services import document_code

        self.fields["seal_image"].link = reverse("notices:seal_image", args=[self.instance.kind])

        self.types = [
            (t, label)
            for t, label in DocumentType.choices
            if body_may_issue(self.instance.kind, t) and not RULES[t].retired
        ]
        self.initial["codes"] = "\n".join(
            f"{label}={document_code(self.instance, value)}" for value, label in self.types
        )

    def clean_seal_image(self):
        image = self.cleaned_data.get("seal_image")
        if image and hasattr(image, "content_type"):
            head = image.read(8)
            image.seek(0)
            if head != b"\x89PNG\r\n\x1a\n" or image.size > 2 * 1024 * 1024:
                raise forms.ValidationError("印章图片须为 2 MB 以内的 PNG 文件。")
            # Stored under a name nobody chose (as service proofs are, notices.uploads).
            image.name = f"{uuid.uuid4().hex}.png"
        return image

    def clean_codes(self):
        by_label = {label: value for value, label in self.types}
        prefixes = {}
        for line in self.cleaned_data["codes"].splitlines():
            if not line.strip():
                continue
            label, sep, code = (part.strip() for part in line.partition("="))
            if not sep or label not in by_label:
                raise forms.ValidationError(
                    f"「{line.strip()}」不是“文书名称=代字”的格式，或不是本机关出具的文书。"
                )
            if not code or any(c in code for c in "〔〕[]()（）0123456789 "):
                raise forms.ValidationError(
                    f"「{label}」的代字不能为空，也不能含数字、空格或括号。"
                )
            prefixes[by_label[label]] = code
        return prefixes
