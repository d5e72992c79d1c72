"""The enterprise's 陈述申辩 and its review, and its review or lawsuit against a decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from core.permissions import capability_required
from enforcement import due_process
from enforcement.forms import (
    ChallengeConclusionForm,
    ChallengeForm,
    DefenceForm,
    DefenceReviewForm,
)
from enforcement.views.common import case_for, form_errors, show_errors
from notices.models import Document


def _valid(form) -> dict:
    if not form.is_valid():
        raise form_errors(form)
    return form.cleaned_data


def _case_document(case, pk) -> Document:
    return get_object_or_404(Document, pk=pk, enterprise_id=case.enterprise_id)


@capability_required("issue_documents")
@require_POST
def defence(request, case_id):
    case = case_for(request, case_id)
    try:
        if request.POST.get("action") == "review":
            data = _valid(DefenceReviewForm(request.POST))
            due_process.defence_review(
                actor=request.user,
                case=case,
                document=_case_document(case, data["document"]),
                accepted=data["accepted"],
                conclusion=data["conclusion"],
                request=request,
            )
            messages.success(request, "已登记陈述申辩的复核意见。")
        else:
            data = _valid(DefenceForm(request.POST))
            due_process.defence_record(
                actor=request.user,
                case=case,
                document=_case_document(case, data["document"]),
                received_on=data["received_on"],
                text=data["text"],
                request=request,
            )
            messages.success(request, "已登记陈述申辩，复核后方可进行下一步。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)


@capability_required("issue_documents")
@require_POST
def challenge(request, case_id):
    case = case_for(request, case_id)
    try:
        if request.POST.get("challenge"):
            data = _valid(ChallengeConclusionForm(request.POST))
            due_process.challenge_conclude(
                actor=request.user,
                challenge=get_object_or_404(case.challenges, pk=data["challenge"]),
                concluded_on=data["concluded_on"],
                outcome=data["outcome"],
                request=request,
            )
            messages.success(request, "已登记复议 / 诉讼的结果。")
        else:
            data = _valid(ChallengeForm(request.POST))
            due_process.challenge_record(
                actor=request.user,
                case=case,
                decision=_case_document(case, data["decision"]),
                kind=data["kind"],
                filed_on=data["filed_on"],
                request=request,
            )
            messages.success(request, "已登记复议 / 诉讼；审理期间不申请法院强制执行。")
    except ValidationError as error:
        show_errors(request, error)
    return redirect("enforcement:detail", case.pk)
