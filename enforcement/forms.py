from django import forms

from core.models import User
from enforcement.models import AuditRecord


def auditors():
    return User.objects.filter(
        is_active=True, groups__permissions__codename="issue_documents"
    ).distinct()


class AuditRecordForm(forms.Form):
    audited_on = forms.DateField(
        label="稽核日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    auditor_1 = forms.ModelChoiceField(label="稽核人员一", queryset=User.objects.none())
    auditor_2 = forms.ModelChoiceField(label="稽核人员二", queryset=User.objects.none())
    credentials = forms.CharField(label="出示的证件", max_length=200)
    findings = forms.CharField(label="稽核发现", widget=forms.Textarea(attrs={"rows": 3}))
    violation = forms.BooleanField(label="存在违法行为（出具稽核意见书）", required=False)
    signature = forms.ChoiceField(label="记录签字", choices=AuditRecord.Signature.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor_1"].queryset = self.fields["auditor_2"].queryset = auditors()
        for name, field in self.fields.items():
            css = "form-check-input" if name == "violation" else "form-control form-control-sm"
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm"
            field.widget.attrs["class"] = css
