import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from arrears.models import (
    EFFECTIVE_KINDS,
    InsuranceType,
    LateFeePolicy,
    Payment,
    PaymentMethod,
    Suspension,
    SuspensionKind,
)
from arrears.selectors import AMOUNT_BANDS
from core.dates import today
from core.excel import parse_period
from core.fields import (
    MONEY_MAX,
    BusinessDateField,
    MoneyField,
    parse_business_date,
    parse_decimal,
    parse_money,
)
from core.forms import FilterForm
from core.money import format_yuan
from enterprises.models import Region, TaskGroup


class OverviewFilterForm(FilterForm):
    q = forms.CharField(label="名称或代码", required=False)
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), required=False, empty_label="全部乡镇"
    )
    task_group = forms.ModelChoiceField(
        label="工作组", queryset=TaskGroup.objects.none(), required=False, empty_label="全部工作组"
    )
    band = forms.ChoiceField(
        label="欠费本金",
        required=False,
        choices=[("", "全部金额"), *((k, v[0]) for k, v in AMOUNT_BANDS.items())],
    )
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[
            ("principal", "欠费本金从多到少"),
            ("fee", "滞纳金从多到少"),
            ("oldest", "最早欠费期在前"),
            ("name", "单位名称"),
        ],
    )

    def __init__(self, *args, regions, task_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["task_group"].queryset = task_groups


def _lines(text: str, label: str, parse_right):
    """'2025-03-11:400' per line (full-width colon and ～ accepted) → [(date, right)]; the date
    and the right side are read by core.fields, so an absurd value is this form's error."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = (
            line.strip().replace("：", ":").replace("～", ":").replace("~", ":").replace("至", ":")
        )
        if not line:
            continue
        left, sep, right = line.partition(":")
        if not sep:
            raise forms.ValidationError(f"{label}第 {number} 行「{line}」格式不对。")
        try:
            pairs.append((parse_business_date(left), parse_right(right.strip())))
        except ValidationError as error:
            raise forms.ValidationError(
                f"{label}第 {number} 行「{line}」：{'；'.join(error.messages)}"
            ) from None
    return pairs


class CalculatorForm(forms.Form):
    principal = MoneyField(label="欠费本金（元）")
    due_date = BusinessDateField(label="应缴截止日")
    as_of = BusinessDateField(label="拟缴款日")
    payments = forms.CharField(
        label="已缴本金（可选）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一笔：日期:金额，例如 2025-03-11:400",
    )
    suspensions = forms.CharField(
        label="停止计收期间（可选）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一段：起始日:截止日，例如 2025-04-01:2025-06-30",
    )

    def clean_payments(self):
        return _lines(self.cleaned_data["payments"], "已缴本金", parse_money)

    def clean_suspensions(self):
        return _lines(self.cleaned_data["suspensions"], "停止计收期间", parse_business_date)

    def clean(self):
        cleaned = super().clean()
        due, as_of = cleaned.get("due_date"), cleaned.get("as_of")
        if due and as_of and as_of < due:
            self.add_error("as_of", "拟缴款日早于应缴截止日，不产生滞纳金。")
        return cleaned


def parse_periods(text: str) -> list[date]:
    """'2026-09, 2026-10' (commas, 、 or spaces between) → the first days of those months."""
    periods = []
    for part in re.split(r"[,，、;；\s]+", text.strip()):
        if not part:
            continue
        try:
            periods.append(parse_period(part, latest_year=today().year + 1))
        except ValueError as error:
            raise forms.ValidationError(f"「{part}」：{error}。") from None
    return sorted(set(periods))


class PaymentForm(forms.ModelForm):
    # A payment date in the future is the service's error (payment_post); the form keeps out
    # dates no one can mean.
    amount = MoneyField(label="金额")
    paid_on = BusinessDateField(label="缴款日期")
    periods = forms.CharField(
        label="缴纳所属期（可选）",
        required=False,
        help_text="缴款单写明所属期的，填写如 2026-09、2026-10：先冲抵这些所属期，"
        "再冲抵当期，其余按冲抵顺序。",
    )

    class Meta:
        model = Payment
        fields = ["insurance_type", "amount", "paid_on", "method", "external_ref", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = PaymentMethod.choices
        self.fields["insurance_type"].help_text = "各险种基金分别核算，缴款只冲抵本险种的欠费。"
        self.fields["insurance_type"].required = False

    def clean_insurance_type(self):
        return self.cleaned_data["insurance_type"] or InsuranceType.PENSION

    def clean_periods(self):
        return parse_periods(self.cleaned_data["periods"])

    def validate_unique(self):
        # A repeated reference is not an error: posting returns the payment already recorded.
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", max_length=200, widget=forms.TextInput(attrs={"autofocus": True})
    )


class AdjustmentForm(forms.Form):
    unit_amount = MoneyField(label="单位部分（元）", min_value=0)
    individual_amount = MoneyField(label="个人部分（元）", min_value=0)
    fee_reduction = MoneyField(
        label="核减滞纳金（元）",
        min_value=0,
        required=False,
        help_text="只有法律、法院裁定等有明确依据的才能核减（社会保险法第六十条不允许减免）。",
    )
    reason = forms.CharField(label="调整原因", max_length=200)
    legal_basis = forms.CharField(
        label="法律依据",
        max_length=200,
        required=False,
        help_text="核减金额或滞纳金的必填，如：企业破产法第四十六条、法院（2026）某破字第1号裁定。",
    )
    document = forms.CharField(
        label="依据文书文号", max_length=200, required=False, help_text="核减的必填。"
    )

    def clean_fee_reduction(self):
        return self.cleaned_data["fee_reduction"] or Decimal("0.00")

    def clean(self):
        cleaned = super().clean()
        unit, individual = cleaned.get("unit_amount"), cleaned.get("individual_amount")
        # The item's principal (a generated column) is their sum: an amount like any other.
        if unit is not None and individual is not None and unit + individual > MONEY_MAX:
            raise forms.ValidationError(
                f"单位部分与个人部分合计不能超过 {format_yuan(MONEY_MAX)} 元。"
            )
        return cleaned


class SuspensionForm(forms.ModelForm):
    start = BusinessDateField(label="起始日", help_text="破产：法院受理破产申请之日。")
    end = BusinessDateField(
        label="截止日", required=False, help_text="破产受理可不填（持续至今）。"
    )
    period_from = forms.CharField(label="缓缴所属期起", required=False, help_text="如 2025-01")
    period_to = forms.CharField(
        label="缓缴所属期止",
        required=False,
        help_text="缓缴只停止所列所属期欠费的滞纳金，当期社会保险费仍须按时缴纳。"
        "破产不必填写：自动涵盖受理日前到期的全部欠费。",
    )

    class Meta:
        model = Suspension
        fields = [
            "kind",
            "start",
            "end",
            "insurance_type",
            "period_from",
            "period_to",
            "reason",
            "document",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A waiver has no legal basis (社会保险法 第六十条): it cannot be asked for.
        self.fields["kind"].choices = [
            (value, label) for value, label in SuspensionKind.choices if value in EFFECTIVE_KINDS
        ]

    def _period(self, name):
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        try:
            return parse_period(text, latest_year=today().year + 1)
        except ValueError as error:
            raise forms.ValidationError(f"{error}。") from None

    def clean_period_from(self):
        return self._period("period_from")

    def clean_period_to(self):
        return self._period("period_to")


class PolicyForm(forms.ModelForm):
    rates = forms.CharField(
        label="费率表",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一条：起始日期:日费率，起始日期不早于 2011-07-01，例如 2011-07-01:0.0005",
    )

    class Meta:
        model = LateFeePolicy
        fields = [
            "due_rule",
            "due_day",
            "due_moves_off_rest_day",
            "count_payment_day",
            "pre2011",
            "pre1999_daily_rate",
            "cap_at_principal",
            "allocation_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "allocation_order"
        ].help_text = "缴款只冲抵其险种的欠费：先冲抵缴款指定的所属期，再冲抵当期，其余按此顺序。"

    def clean_rates(self):
        rates = _lines(
            self.cleaned_data["rates"],
            "费率表",
            # The rate column is numeric(8, 6); the rule below says less than 0.01.
            lambda text: parse_decimal(text, places=6, min_value=0, max_value=Decimal("0.01")),
        )
        if not rates:
            raise forms.ValidationError("至少需要一条费率。")
        if min(d for d, _ in rates) != date(2011, 7, 1):
            raise forms.ValidationError("第一条费率须从 2011-07-01 起。")
        if any(not Decimal("0") <= r < Decimal("0.01") for _, r in rates):
            raise forms.ValidationError("日费率应在 0 与 0.01 之间。")
        if len({d for d, _ in rates}) != len(rates):
            raise forms.ValidationError("起始日期重复。")
        return sorted(rates)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_rule") == "next_month_day" and not cleaned.get("due_day"):
            self.add_error("due_day", "请填写次月第几日（1–28）。")
        return cleaned
