from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exports import export_response
from core.forms import add_service_errors
from core.pagination import paginate_by_keys
from core.permissions import capability_required
from core.roles import has_capability
from enterprises import exporters, services
from enterprises.forms import BankAccountForm, EnterpriseForm
from enterprises.models import BankAccount
from enterprises.selectors import (
    REGISTER_FIELDS,
    enterprises_visible_to,
    regions_visible_to,
)


def _search(request):
    return exporters.filtered(request.user, request.GET)


@capability_required("view_enterprises")
def enterprise_list(request):
    form, _, enterprises = _search(request)
    page = paginate_by_keys(request, enterprises.only(*REGISTER_FIELDS))
    return render(request, "enterprises/list.html", {"form": form, "page": page})


@capability_required("export_data")
def enterprise_export(request):
    """The register list, with its filters (enterprises.exporters)."""
    return export_response(request, "enterprises")


def _visible_enterprise(request, enterprise_id):
    # 404, not 403, for another township's enterprise: its existence is not disclosed.
    return get_object_or_404(
        enterprises_visible_to(request.user).select_related("region", "region__task_group"),
        pk=enterprise_id,
    )


@capability_required("view_enterprises")
def enterprise_detail(request, enterprise_id):
    enterprise = _visible_enterprise(request, enterprise_id)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "bank_accounts": enterprise.bank_accounts.all(),
        },
    )


def _save_form(request, form, save):
    try:
        return save()
    except ValidationError as error:
        add_service_errors(form, error)
    return None


@capability_required("edit_enterprises")
def enterprise_create(request):
    form = EnterpriseForm(request.POST or None, regions=regions_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        enterprise = _save_form(
            request,
            form,
            lambda: services.enterprise_create(
                actor=request.user, data=form.cleaned_data, request=request
            ),
        )
        if enterprise:
            messages.success(request, f"已登记企业「{enterprise.name}」。")
            return redirect("enterprises:detail", enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "title": "登记企业"})


@capability_required("edit_enterprises")
def enterprise_edit(request, enterprise_id):
    enterprise = _visible_enterprise(request, enterprise_id)
    may_unmask = has_capability(request.user, "unmask_personal_data")
    form = EnterpriseForm(
        request.POST or None, instance=enterprise, regions=regions_visible_to(request.user)
    )
    if not may_unmask:
        del form.fields["legal_rep_id_number"]
    elif request.method == "GET" and enterprise.legal_rep_id_number:
        # The form shows the ID number in clear, which is an unmasking like any other.
        services.personal_data_unmask(
            actor=request.user, obj=enterprise, field="legal_rep_id_number", request=request
        )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "credit_code"}
        saved = _save_form(
            request,
            form,
            lambda: services.enterprise_update(
                actor=request.user, enterprise=enterprise, data=data, request=request
            ),
        )
        if saved:
            messages.success(request, "已保存。")
            return redirect("enterprises:detail", enterprise.pk)
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": f"修改：{enterprise.name}", "enterprise": enterprise},
    )


@capability_required("unmask_personal_data")
@require_POST
def enterprise_unmask_id(request, enterprise_id):
    enterprise = _visible_enterprise(request, enterprise_id)
    value = services.personal_data_unmask(
        actor=request.user, obj=enterprise, field="legal_rep_id_number", request=request
    )
    return render(request, "enterprises/_unmasked.html", {"value": value})


@capability_required("edit_enterprises")
def bank_account_edit(request, enterprise_id, account_id=None):
    enterprise = _visible_enterprise(request, enterprise_id)
    account = (
        get_object_or_404(BankAccount, pk=account_id, enterprise=enterprise)
        if account_id
        else BankAccount(enterprise=enterprise)
    )
    if account_id:
        if not has_capability(request.user, "unmask_personal_data"):
            raise PermissionDenied
        if request.method == "GET":
            services.personal_data_unmask(
                actor=request.user, obj=account, field="account_number", request=request
            )
    form = BankAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        services.bank_account_save(
            actor=request.user,
            enterprise=enterprise,
            account=account if account_id else None,
            data=form.cleaned_data,
            request=request,
        )
        messages.success(request, "银行账户已保存。")
        return redirect("enterprises:detail", enterprise.pk)
    title = "修改银行账户" if account_id else "添加银行账户"
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": f"{title}：{enterprise.name}", "enterprise": enterprise},
    )


@capability_required("unmask_personal_data")
@require_POST
def bank_account_unmask(request, enterprise_id, account_id):
    enterprise = _visible_enterprise(request, enterprise_id)
    account = get_object_or_404(BankAccount, pk=account_id, enterprise=enterprise)
    value = services.personal_data_unmask(
        actor=request.user, obj=account, field="account_number", request=request
    )
    return render(request, "enterprises/_unmasked.html", {"value": value})
