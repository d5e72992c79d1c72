from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from arrears import exporters, selectors, services
from arrears.engine import FeeRules, compute_late_fee
from arrears.forms import (
    AdjustmentForm,
    CalculatorForm,
    PaymentForm,
    PolicyForm,
    ReasonForm,
    SuspensionForm,
)
from arrears.models import ApprovalStatus, LedgerAdjustment, LedgerItem, Payment, Suspension
from arrears.policy import current_policy, fee_rules
from core.exports import export_response
from core.forms import add_service_errors
from core.money import amount_in_capitals, format_yuan
from core.pagination import paginate
from core.permissions import capability_required
from core.redirects import redirect_back
from enterprises.selectors import enterprises_visible_to


def _overview(request):
    return exporters.overview_filtered(request.user, request.GET)


@capability_required("view_enterprises")
def overview(request):
    form, _, enterprises = _overview(request)
    totals = selectors.overview_totals(enterprises)
    return render(
        request,
        "arrears/overview.html",
        {
            "form": form,
            "page": paginate(
                request, enterprises.only(*selectors.OVERVIEW_FIELDS), count=totals["count"]
            ),
            "totals": totals,
        },
    )


@capability_required("export_data")
def overview_export(request):
    """The overview as the 欠费台账, with its filters (arrears.exporters)."""
    return export_response(request, "arrears")


@capability_required("export_data")
def payments_export(request):
    """缴款记录: of one enterprise (its ledger page) or of the enterprises the overview's
    township, group and name filters find (arrears.exporters)."""
    return export_response(request, "payments")


def _enterprise(request, enterprise_id):
    return get_object_or_404(
        enterprises_visible_to(request.user).select_related("region"), pk=enterprise_id
    )


@capability_required("view_enterprises")
def enterprise_ledger(request, enterprise_id):
    enterprise = _enterprise(request, enterprise_id)
    return render(
        request,
        "arrears/enterprise_ledger.html",
        {
            "enterprise": enterprise,
            "ledger": selectors.enterprise_ledger(enterprise),
        },
    )


@capability_required("view_enterprises")
def item_segments(request, item_id):
    item = get_object_or_404(
        LedgerItem.objects.filter(enterprise__in=enterprises_visible_to(request.user)), pk=item_id
    )
    quote = selectors.item_fee_quote(item)
    return render(request, "arrears/_segments.html", {"item": item, "quote": quote})


@capability_required("view_enterprises")
def calculator(request):
    form = CalculatorForm(request.GET or None)
    quote = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        quote = compute_late_fee(
            principal=data["principal"],
            due_date=data["due_date"],
            as_of=data["as_of"],
            payments=data["payments"],
            suspensions=data["suspensions"],
            rules=fee_rules(),
        )
    return render(
        request,
        "arrears/calculator.html",
        {
            "form": form,
            "quote": quote,
            "capitals": amount_in_capitals(quote.fee) if quote else "",
            "policy": current_policy(),
        },
    )


@capability_required("manage_ledger")
def payment_create(request, enterprise_id):
    """Enter → preview the allocation → confirm; nothing is written before the confirmation."""
    enterprise = _enterprise(request, enterprise_id)
    form = PaymentForm(request.POST or None, initial={"paid_on": timezone.localdate()})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("confirm") == "1":
                payment, created = services.payment_post(
                    actor=request.user, enterprise=enterprise, request=request, **data
                )
                if created:
                    messages.success(request, f"已登记缴款 {format_yuan(payment.amount)} 元。")
                else:
                    messages.warning(
                        request,
                        f"凭证号 {payment.external_ref} 已于 {payment.created_at:%Y-%m-%d} 登记过，"
                        "本次未重复记账。",
                    )
                return redirect("arrears:enterprise", enterprise.pk)
            preview = services.payment_preview(
                enterprise=enterprise,
                amount=data["amount"],
                paid_on=data["paid_on"],
                insurance_type=data["insurance_type"],
                periods=data["periods"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "arrears/payment_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "preview": preview,
            "capitals": amount_in_capitals(form.cleaned_data["amount"]) if preview else "",
        },
    )


@capability_required("manage_ledger")
def payment_reverse(request, payment_id):
    payment = get_object_or_404(
        Payment.objects.filter(enterprise__in=enterprises_visible_to(request.user)), pk=payment_id
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_reverse(
                actor=request.user,
                payment=payment,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, "已冲正，冲抵明细已按历史重新计算。")
            return redirect("arrears:enterprise", payment.enterprise_id)
        except ValidationError as error:
            form.add_error(None, error.messages)
    return render(
        request,
        "arrears/confirm_form.html",
        {
            "form": form,
            "title": f"冲正缴款：{payment.paid_on} {format_yuan(payment.amount)} 元（{payment.external_ref}）",
            "warning": "冲正后该笔缴款不再冲抵任何欠费，记录保留不删除。",
            "back": payment.enterprise_id,
            "button": "确认冲正",
        },
    )


@capability_required("manage_ledger")
def item_adjust(request, item_id):
    item = get_object_or_404(
        LedgerItem.objects.filter(enterprise__in=enterprises_visible_to(request.user)), pk=item_id
    )
    form = AdjustmentForm(
        request.POST or None,
        initial={"unit_amount": item.unit_amount, "individual_amount": item.individual_amount},
    )
    if request.method == "POST" and form.is_valid():
        try:
            adjustment = services.adjustment_request(
                actor=request.user, item=item, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if adjustment.status == ApprovalStatus.PENDING:
                messages.success(request, "调整已提交，须由申请人以外的组长或专班领导审批后生效。")
            else:
                messages.success(request, f"已调整 {item.period:%Y年%m月} 的欠费金额。")
            return redirect("arrears:enterprise", item.enterprise_id)
    return render(
        request,
        "arrears/confirm_form.html",
        {
            "form": form,
            "title": f"调整欠费明细：{item}",
            "back": item.enterprise_id,
            "button": "提交调整",
            "warning": "调增金额立即生效；调减金额或核减滞纳金须写明法律依据和文书，"
            "经申请人以外的领导审批后生效。调整后全部冲抵按历史重新计算。",
        },
    )


@capability_required("approve_actions")
@require_POST
def adjustment_decide(request, adjustment_id):
    adjustment = get_object_or_404(
        LedgerAdjustment.objects.filter(
            item__enterprise__in=enterprises_visible_to(request.user)
        ).select_related("item"),
        pk=adjustment_id,
    )
    _decide(request, services.adjustment_decide, adjustment=adjustment)
    return _back(request, adjustment.item.enterprise_id)


def _decide(request, decide, **target) -> None:
    """Approve or reject a ledger request from the form's buttons, saying what happened."""
    approve = request.POST.get("decision") == "approve"
    try:
        decide(
            actor=request.user,
            approve=approve,
            comment=request.POST.get("comment", "")[:200],
            request=request,
            **target,
        )
        messages.success(request, "已批准，台账已重新计算。" if approve else "已驳回。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))


@capability_required("manage_ledger")
def suspension_create(request, enterprise_id):
    enterprise = _enterprise(request, enterprise_id)
    initial = (
        {"kind": "bankruptcy", "start": enterprise.bankruptcy_accepted_on}
        if enterprise.bankruptcy_accepted_on
        else {}
    )
    form = SuspensionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.suspension_request(
                actor=request.user, enterprise=enterprise, request=request, **form.cleaned_data
            )
            messages.success(request, "已提交，待组长或专班领导审批后生效。")
            return redirect("arrears:enterprise", enterprise.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "arrears/confirm_form.html",
        {
            "form": form,
            "title": f"申请停止计收滞纳金：{enterprise}",
            "back": enterprise.pk,
            "button": "提交审批",
            "warning": "破产：自法院受理破产申请之日起，对受理日前到期的欠费停止计收；"
            "缓缴：只对写明的所属期停止计收，当期社会保险费仍须按时缴纳。"
            "滞纳金不得减免（社会保险法第六十条）。须由申请人以外的领导审批。",
        },
    )


@capability_required("approve_actions")
@require_POST
def suspension_decide(request, suspension_id):
    suspension = get_object_or_404(
        Suspension.objects.filter(enterprise__in=enterprises_visible_to(request.user)),
        pk=suspension_id,
    )
    _decide(request, services.suspension_decide, suspension=suspension)
    return _back(request, suspension.enterprise_id)


def _back(request, enterprise_id):
    """To the page the decision was taken on (待我审批) when it is ours, else the ledger."""
    return redirect_back(request, request.POST.get("next", ""), "arrears:enterprise", enterprise_id)


@capability_required("manage_settings")
def policy_edit(request):
    policy = current_policy()
    rates = "\n".join(
        f"{r.effective_from}:{r.daily_rate.normalize():f}" for r in policy.rates.all()
    )
    form = PolicyForm(request.POST or None, instance=policy, initial={"rates": rates})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "rates"}
        services.policy_update(
            actor=request.user, data=data, rates=form.cleaned_data["rates"], request=request
        )
        messages.success(request, "滞纳金政策已保存，全部台账正在按新政策重新计算。")
        return redirect("arrears:policy")
    return render(request, "arrears/policy.html", {"form": form, "rules": FeeRules})
