"""Audit leads and the casework settings. The evidence and tax-data imports behind them go
through the import pipeline (core.imports, registered in enforcement.imports)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.pagination import paginate
from core.permissions import capability_required
from core.services import settings_update
from enforcement import leads, selectors
from enforcement.forms import CaseworkSettingsForm, LeadFilterForm
from enforcement.models import CaseworkSettings
from enforcement.selectors import casework_settings
from enforcement.views.common import show_errors
from enterprises.selectors import regions_visible_to


@capability_required("view_enterprises")
def lead_list(request):
    data = request.GET.copy() if request.GET else {"status": "open"}
    form = LeadFilterForm(data, regions=regions_visible_to(request.user))
    f = form.cleaned_data if form.is_valid() else {}
    found = selectors.lead_search(
        user=request.user,
        rule=f.get("rule", ""),
        status=f.get("status", ""),
        region=f.get("region"),
    )
    return render(
        request,
        "enforcement/leads.html",
        {"form": form, "page": paginate(request, found), "labels": dict(leads.LeadRule.choices)},
    )


@capability_required("view_enterprises")
def lead_detail(request, lead_id):
    lead = get_object_or_404(selectors.leads_visible_to(request.user), pk=lead_id)
    return render(
        request,
        "enforcement/lead.html",
        {
            "lead": lead,
            "findings": leads.lead_findings(lead),
            "rules": leads.rule_labels(lead),
            "labels": dict(leads.LeadRule.choices),
            "settings": casework_settings(),
        },
    )


@capability_required("issue_documents")
@require_POST
def lead_decide(request, lead_id):
    lead = get_object_or_404(selectors.leads_visible_to(request.user), pk=lead_id)
    try:
        if request.POST.get("action") == "audit":
            case = leads.lead_open_audit(actor=request.user, lead=lead, request=request)
            messages.success(request, "已立案并出具稽核通知书，请送达后按期开展稽核。")
            return redirect("enforcement:detail", case.pk)
        leads.lead_dismiss(
            actor=request.user, lead=lead, reason=request.POST.get("reason", ""), request=request
        )
        messages.success(request, "已排除该线索。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:lead", lead.pk)


@capability_required("manage_settings")
def casework_settings_edit(request):
    form = CaseworkSettingsForm(request.POST or None, instance=casework_settings())
    if request.method == "POST" and form.is_valid():
        settings_update(
            actor=request.user, model=CaseworkSettings, data=form.cleaned_data, request=request
        )
        messages.success(request, "案件办理设置已保存；已生成的线索在下次导入时按新比例重算。")
        return redirect("enforcement:settings")
    return render(request, "core/form_page.html", {"form": form, "title": "案件办理设置"})
