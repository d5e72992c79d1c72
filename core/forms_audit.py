from django import forms

from core.audit_display import object_type_choices
from core.fields import BusinessDateField
from core.forms import FilterForm
from core.models import AuditAction, AuditResult


class AuditSearchForm(FilterForm):
    username = forms.CharField(label="用户名", required=False)
    action = forms.ChoiceField(
        label="操作", required=False, choices=[("", "全部"), *AuditAction.choices]
    )
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditResult.choices]
    )
    object_type = forms.ChoiceField(label="对象类型", required=False)
    text = forms.CharField(label="对象", required=False)
    date_from = BusinessDateField(label="起始日期", required=False)
    date_to = BusinessDateField(label="截止日期", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "全部"), *object_type_choices()]
