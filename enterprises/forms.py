from django import forms

from core.excel import normalize_text
from core.fields import BusinessDateField
from core.forms import FilterForm
from core.models import User
from enterprises.codes import NOT_YOURS
from enterprises.models import (
    BankAccount,
    Enterprise,
    EnterpriseStatus,
    Industry,
    Region,
    TaskGroup,
)


class EnterpriseSearchForm(FilterForm):
    q = forms.CharField(label="名称或代码", required=False)
    region = forms.ModelChoiceField(
        label="乡镇", queryset=Region.objects.none(), required=False, empty_label="全部乡镇"
    )
    task_group = forms.ModelChoiceField(
        label="工作组", queryset=TaskGroup.objects.none(), required=False, empty_label="全部工作组"
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *EnterpriseStatus.choices]
    )
    industry = forms.ChoiceField(
        label="行业", required=False, choices=[("", "全部行业"), *Industry.choices]
    )

    def __init__(self, *args, regions, task_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["task_group"].queryset = task_groups


class EnterpriseForm(forms.ModelForm):
    bankruptcy_accepted_on = BusinessDateField(
        label="破产受理日期",
        required=False,
        help_text="法院受理破产申请之日，自该日起停止计收滞纳金。",
    )
    bankruptcy_declared_on = BusinessDateField(label="破产宣告日期", required=False)

    class Meta:
        model = Enterprise
        fields = [
            "credit_code",
            "name",
            "unit_number",
            "region",
            "industry",
            "ownership",
            "status",
            "bankruptcy_accepted_on",
            "bankruptcy_declared_on",
            "legal_representative",
            "legal_rep_id_number",
            "phone",
            "address",
            "headcount",
        ]
        help_texts = {"credit_code": "18 位，末位为校验位。"}

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if self.instance.pk:
            # The code identifies the enterprise in every import and document.
            self.fields["credit_code"].disabled = True

    def clean_credit_code(self):
        code = normalize_text(self.cleaned_data["credit_code"]).replace(" ", "").upper()
        self._refuse_if_taken(credit_code=code)
        return code

    def clean_unit_number(self):
        number = self.cleaned_data["unit_number"]
        if number:
            self._refuse_if_taken(unit_number=number)
        return number

    def _refuse_if_taken(self, **value):
        # Raised here, the model's own "已存在" check is skipped for the field: it would tell a
        # user that another township has an enterprise with this code (issue 13 §3).
        other = Enterprise.objects.filter(**value).exclude(pk=self.instance.pk).first()
        if other is None:
            return
        if self.fields["region"].queryset.filter(pk=other.region_id).exists():
            raise forms.ValidationError(f"本辖区的“{other.name}”已使用该号码，请核对。")
        raise forms.ValidationError(NOT_YOURS + "。")

    def clean_legal_rep_id_number(self):
        return normalize_text(self.cleaned_data["legal_rep_id_number"]).replace(" ", "").upper()


class BankAccountForm(forms.ModelForm):
    class Meta:
        model = BankAccount
        fields = ["bank_name", "account_number", "is_basic"]
        help_texts = {"account_number": "只填数字，不含空格。"}

    def clean_account_number(self):
        number = normalize_text(self.cleaned_data["account_number"]).replace(" ", "")
        if not number.isdigit() or not 6 <= len(number) <= 40:
            raise forms.ValidationError("账号应为 6 到 40 位数字。")
        duplicate = BankAccount.objects.filter(
            enterprise=self.instance.enterprise, account_number=number
        ).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError("该企业已登记此账号。")
        return number


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "code", "task_group"]


class _RegionWithGroupField(forms.ModelMultipleChoiceField):
    # Ticking a township that belongs to another group moves it: say so in the label.
    def label_from_instance(self, region):
        return (
            f"{region.name}（现属{region.task_group.name}）" if region.task_group else region.name
        )


class TaskGroupForm(forms.Form):
    name = forms.CharField(label="工作组名称", max_length=50)
    leader = forms.ModelChoiceField(label="组长", queryset=User.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(
        label="组员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = _RegionWithGroupField(
        label="负责乡镇",
        queryset=Region.objects.select_related("task_group"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, group=None, **kwargs):
        self.group = group
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("username")
        self.fields["leader"].queryset = active.filter(groups__name="工作组组长")
        self.fields["members"].queryset = active.filter(groups__name="经办人员")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = TaskGroup.objects.filter(name=name).exclude(pk=getattr(self.group, "pk", None))
        if clash.exists():
            raise forms.ValidationError("已有同名工作组。")
        return name
