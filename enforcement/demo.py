"""Demo cases at several stages of the chain, with a pending approval; loads once."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from core.dates import today
from core.models import User
from enforcement.classification import classification_refresh
from enforcement.models import Case
from enforcement.services import case_move, case_open
from enforcement.stages import Stage
from enterprises.models import Enterprise
from notices.models import Document

# The path to each target stage, step by step.
PATHS = {
    Stage.DEMAND: [Stage.DEMAND],
    Stage.AUDIT: [Stage.DEMAND, Stage.AUDIT],
    Stage.RECTIFICATION: [Stage.DEMAND, Stage.RECTIFICATION],
    Stage.TRACKING: [Stage.TRACKING],
}


def _serve_long_ago(case: Case) -> None:
    # Demo history: the current document was served weeks ago and its deadline has passed.
    if case.current_document_id:
        served = today() - timedelta(days=40)
        Document.objects.filter(pk=case.current_document_id).update(
            served_on=served, deadline=served + timedelta(days=14)
        )
        case.refresh_from_db()


@transaction.atomic
def seed_cases() -> dict:
    if Case.objects.exists():
        return {"cases": 0}
    in_arrears = list(
        Enterprise.objects.filter(ledger_items__isnull=False).distinct().order_by("credit_code")
    )
    classification_refresh(enterprise_ids=[e.pk for e in in_arrears])
    in_arrears = list(
        Enterprise.objects.filter(pk__in=[e.pk for e in in_arrears]).order_by("credit_code")
    )
    workers = {
        u.username: u for u in User.objects.filter(username__in=["jingban", "jingban2", "jingban3"])
    }
    by_group = {"第一工作组": "jingban", "第二工作组": "jingban2", "第三工作组": "jingban3"}
    targets = [
        Stage.DEMAND,
        Stage.DEMAND,
        Stage.AUDIT,
        Stage.RECTIFICATION,
        Stage.RECTIFICATION,
        Stage.TRACKING,
    ]
    opened = 0
    for index, enterprise in enumerate(in_arrears[:18]):
        group = enterprise.region.task_group
        worker = workers.get(by_group.get(group.name if group else "", "jingban"))
        if worker is None:
            continue
        try:
            case = case_open(
                actor=worker,
                enterprise=enterprise,
                assigned_to=worker,
                classification=enterprise.ability,
            )
        except ValidationError:  # paid off already: nothing to enforce
            continue
        opened += 1
        for step in PATHS.get(targets[index % len(targets)], []):
            _serve_long_ago(case)
            case = case_move(actor=worker, case=case, to_stage=step, reason="逾期未缴")
        if case.stage == Stage.RECTIFICATION and index % 2:
            _serve_long_ago(case)
            case_move(
                actor=worker,
                case=case,
                to_stage=Stage.BANK,
                reason="催告期满仍未缴纳，申请查询划拨",
            )
    return {"cases": opened}
