"""Cases: the list, the page, moves, approvals, closing and the worklist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from arrears.selectors import pending_adjustments_for, pending_suspensions_for
from core.dates import today
from core.exports import export_response
from core.jobs import job_create
from core.pagination import paginate
from core.permissions import capability_required
from core.redirects import redirect_back
from core.roles import has_capability
from enforcement import (
    closing,
    due_process,
    exporters,
    fine_enforcement,
    fines,
    penalty_procedure,
    selectors,
    services,
    transfers,
)
from enforcement.closing import WRITE_OFF_DOCUMENTS, WRITE_OFF_STATUSES
from enforcement.deferrals import ACCEPTED_GUARANTEES, instalment_progress
from enforcement.forms import (
    AuditRecordForm,
    CaseMoveForm,
    DeferralTermsForm,
    auditors,
)
from enforcement.models import Approval, GuaranteeKind
from enforcement.selectors import casework_settings
from enforcement.stages import MOVES, ClosingReason, Stage
from enforcement.views.common import case_for, form_errors, show_errors
from enterprises.selectors import enterprises_visible_to
from notices.services import BATCH


def _cases(request):
    return exporters.filtered(request.user, request.GET)


@capability_required("view_enterprises")
def case_list(request):
    form, filters, cases = _cases(request)
    bulk_moves = selectors.bulk_moves(filters.get("stage", ""))
    class_counts, count = selectors.counts_by_class(cases)
    return render(
        request,
        "enforcement/list.html",
        {
            "form": form,
            "page": paginate(request, cases.only(*selectors.CASE_LIST_FIELDS), count=count),
            "bulk_moves": bulk_moves,
            # The rows have checkboxes for the batch moves.
            "selectable": bool(bulk_moves) and has_capability(request.user, "issue_documents"),
            "class_counts": class_counts,
        },
    )


@capability_required("issue_documents")
@require_POST
def case_bulk(request):
    """Selected cases (all at one stage) move one step in the background; their documents print
    as one merged PDF on the batch page."""
    to_stage = request.POST.get("to_stage", "")
    if request.POST.get("all") == "1":  # every case the list's filter finds, not only this page
        _, _, cases = _cases(request)
        cases = cases.filter(closed_at__isnull=True)
    else:
        chosen = [int(pk) for pk in request.POST.getlist("case") if pk.isdigit()]
        cases = selectors.cases_visible_to(request.user).filter(
            pk__in=chosen, closed_at__isnull=True
        )
    stages = set(cases.values_list("stage", flat=True))
    case_stage = stages.pop() if len(stages) == 1 else ""
    if to_stage not in dict(selectors.bulk_moves(case_stage)):
        messages.error(request, "请选择同一阶段的案件和不需审批的下一步。")
        return redirect_back(request, request.META.get("HTTP_REFERER", ""), "enforcement:list")
    job = job_create(
        kind=BATCH,
        task="enforcement.tasks.move_cases_batch",
        created_by=request.user,
        request=request,
        total=cases.count(),
        result={
            "doc_type": MOVES[(case_stage, to_stage)].document,
            "enterprise_ids": [],
            "case_ids": list(cases.values_list("pk", flat=True)),
            "to_stage": to_stage,
        },
    )
    return redirect("notices:batch_job", job.pk)


@capability_required("export_data")
def case_export(request):
    """The case list, with its filters (enforcement.exporters)."""
    return export_response(request, "cases")


@capability_required("view_enterprises")
def enterprise_cases(request, enterprise_id):
    enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=enterprise_id)
    return render(
        request,
        "enforcement/enterprise.html",
        {
            "enterprise": enterprise,
            "cases": enterprise.cases.select_related("assigned_to"),
            "has_open": enterprise.cases.filter(closed_at__isnull=True).exists(),
        },
    )


@capability_required("issue_documents")
@require_POST
def case_open(request, enterprise_id):
    enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=enterprise_id)
    try:
        case = services.case_open(
            actor=request.user,
            enterprise=enterprise,
            classification=enterprise.ability,
            request=request,
        )
        messages.success(request, "已立案。")
        return redirect("enforcement:detail", case.pk)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("enforcement:enterprise", enterprise.pk)


@capability_required("view_enterprises")
def case_detail(request, case_id):
    case = case_for(request, case_id)
    waiting = due_process.defence_waiting(case)
    return render(
        request,
        "enforcement/detail.html",
        {
            "case": case,
            "events": case.events.select_related("actor", "document"),
            "moves": selectors.next_moves(case),
            "progress": selectors.chain_progress(case),
            "approvals": case.approvals.select_related("requested_by", "decided_by"),
            "owed": services.amounts_owed(case.enterprise),
            "closing_reasons": [
                c for c in ClosingReason.choices if c[0] != ClosingReason.WRITE_OFF
            ],
            "fines": [
                (
                    fine,
                    fines.fine_status(fine, as_of=today()),
                    fine_enforcement.fine_reminder(fine),
                )
                for fine in case.fines.select_related(
                    "decision", "court_application", "case"
                ).prefetch_related("payments")
            ],
            "deferrals": [
                (deferral, instalment_progress(deferral, as_of=today()))
                for deferral in case.deferrals.select_related("agreement")
            ],
            "guarantee_kinds": [(k, GuaranteeKind(k).label) for k in ACCEPTED_GUARANTEES],
            "max_months": casework_settings().deferral_max_months,
            "audit_records": case.audit_records.select_related(
                "auditor_1", "auditor_2", "result_document"
            ),
            "audit_form": AuditRecordForm(initial={"audited_on": today()})
            if case.stage == Stage.AUDIT and not case.audit_records.exists()
            else None,
            "write_off_fields": WRITE_OFF_DOCUMENTS.items(),
            "can_write_off": case.enterprise.status in WRITE_OFF_STATUSES,
            "documents": selectors.case_documents(case),
            "payments": selectors.case_payments(case),
            "today": today(),
            "transfer": transfers.transfer_state(case) if case.stage == Stage.BANK else None,
            "penalty": penalty_procedure.penalty_state(case)
            if case.stage == Stage.PENALTY
            else None,
            "chairs": auditors().exclude(pk=case.assigned_to_id),
            "accounts": case.enterprise.bank_accounts.all(),
            "defended": due_process.defendable_documents(case),
            "defence_waiting": waiting.number_text if waiting else "",
            "defence_waiting_id": waiting.pk if waiting else None,
            "challenges": case.challenges.select_related("decision"),
            "challengeable": due_process.challengeable_decisions(case),
            "court_last_day": selectors.court_last_day(case)
            if case.stage in (Stage.BANK, Stage.PENALTY, Stage.DISCIPLINE)
            else None,
        },
    )


@capability_required("issue_documents")
@require_POST
def case_move(request, case_id):
    case = case_for(request, case_id)
    deferral = request.POST.get("to_stage") == Stage.DEFERRAL
    form = (DeferralTermsForm if deferral else CaseMoveForm)(request.POST)
    try:
        if not form.is_valid():
            raise form_errors(form)
        result = services.case_move(
            actor=request.user,
            case=case,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
            payload=form.payload() if deferral else None,
            extra={"audit_on": form.cleaned_data["audit_on"]}
            if form.cleaned_data["to_stage"] == Stage.AUDIT
            else None,
            request=request,
        )
        if isinstance(result, Approval):
            messages.success(request, f"已提交审批：{result.get_to_stage_display()}。")
        else:
            messages.success(
                request, f"已转入“{result.get_stage_display()}”，文书已出具，请送达并登记。"
            )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def case_close(request, case_id):
    case = case_for(request, case_id)
    try:
        result = services.case_close(
            actor=request.user,
            case=case,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(
            request, "已提交结案审批。" if isinstance(result, Approval) else "已结案。"
        )
    except (ValidationError, ValueError) as error:
        show_errors(
            request,
            error if isinstance(error, ValidationError) else ValidationError("结案原因不对。"),
        )
    return redirect("enforcement:detail", case.pk)


def _approvals_page(request, *, refused=None, status=200):
    return render(
        request,
        "enforcement/approvals.html",
        {
            "approvals": selectors.approvals_decidable_by(request.user).select_related(
                "case__enterprise__ledger_account"
            ),
            "suspensions": pending_suspensions_for(request.user),
            "adjustments": pending_adjustments_for(request.user),
            "refused": refused,
        },
        status=status,
    )


@capability_required("approve_actions")
def approval_list(request):
    return _approvals_page(request)


@capability_required("approve_actions")
@require_POST
def approval_decide(request, approval_id):
    """Approve or reject from 待我审批 or from the case page, and go back there. A reject needs
    a reason: refused, the page the form was on comes back with the message at the form."""
    from django.urls import reverse

    # Any approval of the user's townships: one decided meanwhile (a second click, a colleague)
    # is told so by the service instead of a 404.
    approval = get_object_or_404(
        Approval.objects.filter(case__in=selectors.cases_visible_to(request.user)),
        pk=approval_id,
    )
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "").strip()
    target = request.POST.get("next", "")
    on_case_page = target == reverse("enforcement:detail", args=[approval.case_id])
    try:
        if decision not in ("approve", "reject"):
            raise ValidationError("请选择批准或驳回。")
        if len(comment) > Approval._meta.get_field("comment").max_length:
            raise ValidationError({"comment": "审批意见不能超过 300 字。"})
        services.approval_decide(
            actor=request.user,
            approval=approval,
            approve=decision == "approve",
            comment=comment,
            request=request,
        )
        messages.success(request, "已批准并执行。" if decision == "approve" else "已驳回。")
    except ValidationError as error:
        if not hasattr(error, "error_dict") or "comment" not in error.error_dict:
            show_errors(request, error)
            return redirect_back(request, target, "enforcement:approvals")
        # The reason is missing or too long: the same page again, the form open at the message,
        # whatever was typed still in the box.
        request.approval_refused = {
            "pk": approval.pk,
            "decision": decision,
            "comment": comment,
            "message": "；".join(error.messages),
        }
        if on_case_page:
            response = case_detail(request, approval.case_id)
            response.status_code = 400
            return response
        return _approvals_page(request, refused=request.approval_refused, status=400)
    return redirect_back(request, target, "enforcement:approvals")


@capability_required("view_enterprises")
def today_list(request):
    return render(
        request,
        "enforcement/today.html",
        {"lists": selectors.worklist(request.user, day=today()), "today": today()},
    )


@capability_required("issue_documents")
@require_POST
def review(request, case_id):
    case = case_for(request, case_id)
    try:
        case = closing.review_record(
            actor=request.user, case=case, note=request.POST.get("note", ""), request=request
        )
        messages.success(request, f"已登记复查，下次复查 {case.review_due:%Y-%m-%d}。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def write_off(request, case_id):
    case = case_for(request, case_id)
    try:
        closing.write_off_request(
            actor=request.user,
            case=case,
            documents={key: request.POST.get(key, "") for key in closing.WRITE_OFF_DOCUMENTS},
            note=request.POST.get("note", ""),
            request=request,
        )
        messages.success(request, "已提交核销审批。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
