from django import forms

from core.dates import today
from core.excel import parse_period
from core.fields import BusinessDateField, MoneyField
from core.forms import FilterForm
from core.models import User
from enforcement import selectors
from enforcement.leads import LeadRule
from enforcement.models import (
    AuditLead,
    AuditRecord,
    Case,
    CaseworkSettings,
    Challenge,
    GuaranteeKind,
)
from enforcement.selectors import casework_settings
from enforcement.stages import Stage
from enterprises.models import AbilityClass, Region, TaskGroup
from notices.forms import fine_multiple_field


def auditors():
    return User.objects.filter(
        is_active=True, groups__permissions__codename="issue_documents"
    ).distinct()


def _month_input():
    # type="month" posts YYYY-MM; a browser without it shows a text box taking the same.
    return forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})


# More people than any one county enterprise employs; keeps the integer column safe.
HEADCOUNT_MAX = 999_999


class AuditRecordForm(forms.Form):
    """Field names are audits.audit_record's keyword arguments: the view passes cleaned_data."""

    audited_on = BusinessDateField(label="稽核日期")
    auditor_1 = forms.ModelChoiceField(label="稽核人员一", queryset=User.objects.none())
    auditor_2 = forms.ModelChoiceField(label="稽核人员二", queryset=User.objects.none())
    credentials = forms.CharField(label="出示的证件", max_length=200)
    period_from = forms.CharField(label="稽核起始月份", widget=_month_input())
    period_to = forms.CharField(label="稽核截止月份", widget=_month_input())
    headcount_found = forms.IntegerField(
        label="核实参保人数（人）", min_value=0, max_value=HEADCOUNT_MAX
    )
    headcount_declared = forms.IntegerField(
        label="申报参保人数（人）", min_value=0, max_value=HEADCOUNT_MAX
    )
    base_found = MoneyField(label="核实缴费基数（元）", min_value=0)
    base_declared = MoneyField(label="申报缴费基数（元）", min_value=0)
    shortfall = MoneyField(label="少缴金额（元）", min_value=0, help_text="未发现少缴的填 0。")
    violation = forms.BooleanField(label="存在违法行为（出具稽核意见书）", required=False)
    findings = forms.CharField(label="稽核发现", widget=forms.Textarea(attrs={"rows": 3}))
    signature = forms.ChoiceField(label="记录签字", choices=AuditRecord.Signature.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor_1"].queryset = self.fields["auditor_2"].queryset = auditors()
        for name, field in self.fields.items():
            css = "form-check-input" if name == "violation" else "form-control form-control-sm"
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            field.widget.attrs["class"] = css

    def _month(self, name):
        try:
            return parse_period(self.cleaned_data[name], latest_year=today().year)
        except ValueError as error:
            raise forms.ValidationError(f"{error}。") from None

    def clean_period_from(self):
        return self._month("period_from")

    def clean_period_to(self):
        return self._month("period_to")


# The case page's small forms post to views that answer with a message and a redirect: the view
# turns a bound form's errors into that message (views.form_errors). Dates in the future are the
# services' errors; these forms keep out what no one can mean (NaN, 1e30, year 1).


class BankTransferForm(forms.Form):
    amount = MoneyField(label="划拨金额（元）")
    paid_on = BusinessDateField(label="划拨日期")
    external_ref = forms.CharField(label="银行划拨凭证号", max_length=64)


class BankInquiryForm(forms.Form):
    findings = forms.CharField(label="查询结果", max_length=250)
    sufficient = forms.TypedChoiceField(
        label="账户余额",
        choices=[("1", "足以缴纳"), ("0", "少于应缴数额")],
        coerce=lambda value: value == "1",
    )


class TransferDecisionForm(forms.Form):
    account = forms.IntegerField(label="划拨账户")
    amount = MoneyField(label="划拨金额（元）", required=False)


class DefenceForm(forms.Form):
    document = forms.IntegerField(label="文书")
    received_on = BusinessDateField(label="收到日期")
    text = forms.CharField(label="陈述申辩内容", max_length=250)


class DefenceReviewForm(forms.Form):
    document = forms.IntegerField(label="文书")
    accepted = forms.TypedChoiceField(
        label="复核结论",
        choices=[("0", "不成立，不予采纳"), ("1", "成立，予以采纳")],
        coerce=lambda value: value == "1",
    )
    conclusion = forms.CharField(label="复核意见", max_length=200)


class ChallengeForm(forms.Form):
    decision = forms.IntegerField(label="决定")
    kind = forms.ChoiceField(label="类型", choices=Challenge.Kind.choices)
    filed_on = BusinessDateField(label="申请 / 起诉日期")


class ChallengeConclusionForm(forms.Form):
    challenge = forms.IntegerField(label="复议 / 诉讼")
    concluded_on = BusinessDateField(label="审结日期")
    outcome = forms.CharField(label="结果", max_length=200)


class FinePaymentForm(forms.Form):
    amount = MoneyField(label="缴纳金额（元）")
    paid_on = BusinessDateField(label="缴款日期")
    external_ref = forms.CharField(label="票据号", max_length=64)


class PenaltyFilingForm(forms.Form):
    filed_on = BusinessDateField(label="立案日期")


class HearingRequestForm(forms.Form):
    requested_on = BusinessDateField(label="申请听证日期")


class HearingNoticeForm(forms.Form):
    hearing_on = BusinessDateField(label="听证日期")
    hearing_time = forms.TimeField(label="听证时间", input_formats=["%H:%M"])
    place = forms.CharField(label="听证地点", max_length=100)
    chair = forms.ModelChoiceField(label="听证主持人", queryset=User.objects.filter(is_active=True))


class HearingHeldForm(forms.Form):
    held_on = BusinessDateField(label="听证日期")
    record = forms.CharField(label="听证笔录要点", max_length=250)


class LegalReviewForm(forms.Form):
    opinion = forms.CharField(label="法制审核意见", max_length=250)


class FineDecisionForm(forms.Form):
    multiple = fine_multiple_field(label="罚款倍数")


class CaseMoveForm(forms.Form):
    to_stage = forms.CharField(max_length=20)
    # Whether a reason is needed is the move's rule (services); its length is the column's.
    reason = forms.CharField(label="申请理由", max_length=300, required=False)
    audit_on = BusinessDateField(label="稽核日期", required=False)


class DeferralTermsForm(CaseMoveForm):
    """A deferral's terms as the case page posts them (to_stage=deferral); `payload()` is what
    services.case_move expects."""

    months = forms.IntegerField(label="分期月数", error_messages={"invalid": "分期月数须为整数。"})
    guarantee_kind = forms.ChoiceField(
        label="担保方式",
        choices=GuaranteeKind.choices,
        error_messages={"invalid_choice": "请选择担保方式。", "required": "请选择担保方式。"},
    )
    # In the words the terms' own check (deferrals.deferral_terms) uses.
    guarantee_value = MoneyField(
        label="担保价值（元）",
        error_messages={
            **dict.fromkeys(
                ("invalid", "not_finite", "max_places", "min_value"),
                "担保价值须为大于 0 的金额（元，最多两位小数）。",
            ),
            "max_value": "担保价值不能超过 %(limit)s 元。",
        },
    )
    guarantee_document = forms.CharField(label="担保文件编号", max_length=200)

    def clean_months(self):
        months, limit = self.cleaned_data["months"], casework_settings().deferral_max_months
        if not 1 <= months <= limit:
            raise forms.ValidationError(f"分期月数须为 1 至 {limit} 个月。")
        return months

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "months": str(data["months"]),
            "guarantee_kind": data["guarantee_kind"],
            "guarantee_value": str(data["guarantee_value"]),
            "guarantee_document": data["guarantee_document"],
        }


class CaseFilterForm(FilterForm):
    stage = forms.ChoiceField(
        label="阶段", required=False, choices=[("", "全部阶段"), *Stage.choices]
    )
    ability = forms.ChoiceField(
        label="分类", required=False, choices=[("", "全部分类"), *AbilityClass.choices]
    )
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), required=False, empty_label="全部乡镇"
    )
    group = forms.ModelChoiceField(
        label="工作组", queryset=TaskGroup.objects.all(), required=False, empty_label="全部工作组"
    )
    assignee = forms.ModelChoiceField(
        label="经办人", queryset=User.objects.none(), required=False, empty_label="全部经办人"
    )
    band = forms.ChoiceField(
        label="立案时欠费",
        required=False,
        choices=[("", "全部金额"), *((k, v[0]) for k, v in selectors.AMOUNT_BANDS.items())],
    )
    overdue = forms.BooleanField(label="期限已届满", required=False)
    closed = forms.BooleanField(label="含已结案", required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["group"].queryset = TaskGroup.objects.filter(regions__in=regions).distinct()
        # Who holds cases here: a semi-join on the case table rather than a DISTINCT over
        # every column of users joined to every case; only what the choice's label shows.
        self.fields["assignee"].queryset = User.objects.filter(
            pk__in=Case.objects.filter(enterprise__region__in=regions).values("assigned_to")
        ).only("pk", "username", "full_name")
        for name in ("overdue", "closed"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class LeadFilterForm(FilterForm):
    rule = forms.ChoiceField(
        label="线索类型", required=False, choices=[("", "全部类型"), *LeadRule.choices]
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *AuditLead.Status.choices],
        initial="open",
    )
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), required=False, empty_label="全部乡镇"
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class CaseworkSettingsForm(forms.ModelForm):
    class Meta:
        model = CaseworkSettings
        fields = [
            "deferral_max_months",
            "unit_rate",
            "individual_rate",
            "review_interval_days",
            "court_reminder_days",
            "hearing_threshold",
            "guarantee_ratio",
            "case_code",
        ]
