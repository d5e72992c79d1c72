"""Demo casework: a case at every stage of the chain (and both side stages), pending approvals,
an audit record, a fine, a broken deferral, a write-off, a case paid off, and audit leads.
Loads once. Demo history is made by moving documents' service dates into the past."""

from datetime import date, timedelta
from decimal import Decimal

from arrears.models import Suspension
from arrears.services import payment_post
from core.dates import chinese_date, today
from core.locks import operations_transaction
from core.models import User
from enforcement.audits import audit_record
from enforcement.classification import classification_refresh
from enforcement.closing import write_off_request
from enforcement.fines import fine_decide
from enforcement.leads import leads_refresh
from enforcement.models import Approval, Case, Deferral, Instalment, TaxRecord
from enforcement.penalty_procedure import (
    legal_review_record,
    penalty_file,
    penalty_notice_issue,
)
from enforcement.services import (
    amounts_owed,
    approval_decide,
    case_move,
    case_open,
)
from enforcement.stages import Stage
from enforcement.sweep import deferrals_check
from enforcement.transfers import bank_inquiry_record, transfer_application_issue
from enterprises.models import Enterprise, EnterpriseStatus
from notices.models import Document

D, R, B = Stage.DEMAND, Stage.RECTIFICATION, Stage.BANK
# (what the case shows, the path to it, a last step left waiting for approval)
PLAN = [
    ("opened", [], None),
    ("demand", [D], None),
    ("demand", [D], None),
    ("demand", [D], None),
    ("audit", [D, Stage.AUDIT], None),
    ("rectification", [D, R], None),
    ("rectification", [D, R], None),
    ("bank pending", [D, R], B),
    ("bank", [D, R, B], None),
    ("penalty", [D, R, B, Stage.PENALTY], None),
    ("penalty pending", [D, R, B], Stage.PENALTY),
    ("court", [D, R, B, Stage.COURT], None),
    ("discipline", [D, R, B, Stage.DISCIPLINE], None),
    ("deferral", [D, R, B, Stage.DEFERRAL], None),
    ("broken deferral", [D, R, B, Stage.DEFERRAL], None),
    ("tracking", [Stage.TRACKING], None),
    ("tracking review due", [Stage.TRACKING], None),
    ("paid", [D], None),
]
DEFERRAL_TERMS = {
    "months": 6,
    "guarantee_kind": "mortgage",
    "guarantee_value": "5000000.00",
    "guarantee_document": "抵押合同 壶抵〔2026〕8号（厂房及土地使用权）",
}
WRITE_OFF = {
    "bankruptcy_ruling": "（2025）晋0427破1号 民事裁定书",
    "termination_ruling": "（2025）晋0427破1号之五 终结破产程序裁定书",
    "liquidation_report": "管理人清算报告（2026年3月）",
    "distribution_plan": "破产财产分配方案（2026年4月）",
    "labour_review": "壶人社函〔2026〕21号",
    "finance_review": "壶财函〔2026〕33号",
    "government_approval": "壶政函〔2026〕40号",
}


def _served_days_ago(document_id: int, days: int) -> None:
    """Demo history: the document was issued two days before it was served `days` ago, so no
    page shows a service before the issue."""
    served = today() - timedelta(days=days)
    document = Document.objects.get(pk=document_id)
    document.issued_on = served - timedelta(days=2)
    document.content["issued_on"] = chinese_date(document.issued_on)
    document.served_on, document.deadline = served, served + timedelta(days=14)
    document.save(update_fields=["issued_on", "content", "served_on", "deadline"])


def _serve_long_ago(case: Case, days: int = 40) -> None:
    if case.current_document_id:
        _served_days_ago(case.current_document_id, days)
        case.refresh_from_db()


def _step(case, to_stage, worker, approver):
    _serve_long_ago(case)
    if to_stage == Stage.DEFERRAL:
        # A deferral follows an inquiry that found the balance short (社会保险法 第六十三条).
        bank_inquiry_record(
            actor=worker,
            case=case,
            findings="中国建设银行壶关支行基本户，余额 3,260.00 元",
            sufficient=False,
        )
    if to_stage in (Stage.COURT, Stage.DISCIPLINE) and case.order_id:
        # The court and the exposure follow the decision's six months to sue (第五十三条).
        _served_days_ago(case.order_id, 200)
    result = case_move(
        actor=worker,
        case=case,
        to_stage=to_stage,
        reason="逾期仍未缴纳",
        payload=DEFERRAL_TERMS if to_stage == Stage.DEFERRAL else None,
    )
    if isinstance(result, Approval):
        approval_decide(actor=approver, approval=result, approve=True, comment="同意")
    case.refresh_from_db()
    return case


def _penalty_procedure(case, worker, reviewer, head):
    """The enforcement unit's steps (enforcement.penalty_procedure): filed, notified, the
    window passed, reviewed when required, decided by the head."""
    penalty_file(actor=worker, case=case, filed_on=today())
    notice = penalty_notice_issue(actor=worker, case=case, multiple=Decimal("1.5"))
    _served_days_ago(notice.pk, 20)
    if notice.content["extra"]["hearing_right"]:
        legal_review_record(actor=reviewer, case=case, opinion="事实清楚，证据确凿，程序合法")
    fine_decide(actor=head, case=case, multiple=Decimal("1.5"))


def _details(label, case, worker, leader, head):
    """What each demo stage has recorded besides the move itself."""
    if label == "audit":
        # The notice was served a week ago for an audit four days ago (3 days' notice, 第十条),
        # and the result is recorded within its working days (第十一条).
        audited_on = today() - timedelta(days=4)
        _serve_long_ago(case, days=8)
        notice = Document.objects.get(pk=case.current_document_id)
        notice.content["extra"] |= {
            "audit_on": chinese_date(audited_on),
            "audit_date": audited_on.isoformat(),
        }
        notice.save(update_fields=["content"])
        audit_record(
            actor=worker,
            case=case,
            audited_on=audited_on,
            auditor_1=worker,
            auditor_2=leader,
            credentials="稽核证 壶稽001、壶稽002",
            period_from=date(2025, 1, 1),
            period_to=date(2025, 12, 1),
            headcount_found=26,
            headcount_declared=23,
            base_found=Decimal("1123200.00"),
            base_declared=Decimal("993600.00"),
            shortfall=Decimal("31104.00"),
            findings="2025年工资表人数多于参保人数 3 人",
            violation=True,
            signature="signed",
        )
    elif label == "bank":
        bank_inquiry_record(
            actor=worker, case=case, findings="中国工商银行壶关支行基本户，余额 12,850.36 元"
        )
        transfer_application_issue(actor=worker, case=case)
    elif label == "penalty":
        _penalty_procedure(case, worker, leader, head)
    elif label == "broken deferral":
        _backdate_deferral(case, days=70)
        deferrals_check(as_of=today())
    elif label == "tracking review due":
        Case.objects.filter(pk=case.pk).update(review_due=today() - timedelta(days=3))
    elif label == "paid":
        principal, fee = amounts_owed(case.enterprise)
        payment_post(
            actor=worker,
            enterprise=case.enterprise,
            amount=principal + fee,
            paid_on=today(),
            method="self",
            external_ref=f"DEMO-PAID-{case.pk}",
        )


def _backdate_deferral(case: Case, *, days: int) -> None:
    # Demo history: the agreement was signed `days` ago and its first instalment went unpaid.
    deferral = Deferral.objects.get(case=case, status=Deferral.Status.ACTIVE)
    shift = timedelta(days=days)
    Deferral.objects.filter(pk=deferral.pk).update(starts_on=deferral.starts_on - shift)
    for instalment in deferral.instalments.all():
        Instalment.objects.filter(pk=instalment.pk).update(due_on=instalment.due_on - shift)
    suspension = deferral.suspension
    Suspension.objects.filter(pk=suspension.pk).update(
        start=suspension.start - shift,
        end=suspension.end - shift,
        due_before=suspension.due_before - shift,
    )


def _people():
    users = {u.username: u for u in User.objects.all()}
    by_group = {
        "第一工作组": ("jingban", "zuzhang"),
        "第二工作组": ("jingban2", "zuzhang2"),
        "第三工作组": ("jingban3", "zuzhang3"),
    }
    return users, by_group


def _seed_evidence(enterprises: list[Enterprise]) -> None:
    # Two in three enterprises show signs of business during their arrears (wages from the bank,
    # some housing fund): they classify as able to pay; the rest depend on their status.
    from enterprises.models import Evidence

    rows = []
    for index, enterprise in enumerate(enterprises):
        if index % 3 == 2:
            continue
        months = list(enterprise.ledger_items.order_by("-period").values_list("period", flat=True))
        for month in sorted(set(months))[-6:]:
            rows.append(
                Evidence(enterprise=enterprise, month=month, kind="wages", source="开户银行")
            )
            if index % 3 == 0 and month.month % 2:
                rows.append(
                    Evidence(
                        enterprise=enterprise, month=month, kind="housing_fund", source="公积金中心"
                    )
                )
    Evidence.objects.bulk_create(rows, ignore_conflicts=True)


def _seed_leads(enterprises: list[Enterprise]) -> int:
    # Tax data for a handful of enterprises: one declares nothing, one leaves people out, one
    # declares low bases, one matches (no lead).
    patterns = [(8, "42000", 0, "0"), (12, "66000", 9, "49500"), (6, "36000", 6, "21600")]
    patterns.append((5, "25000", 5, "25000"))
    records = []
    for index, enterprise in enumerate(enterprises):
        tax_n, wages, insured, base = patterns[index % len(patterns)]
        for month in range(3, 9):
            records.append(
                TaxRecord(
                    enterprise=enterprise,
                    month=date(today().year, month, 1),
                    tax_headcount=tax_n,
                    taxable_wages=Decimal(wages),
                    insured_headcount=insured,
                    declared_base=Decimal(base),
                )
            )
    TaxRecord.objects.bulk_create(records)
    return leads_refresh(enterprise_ids=[e.pk for e in enterprises])


def seed_cases() -> dict:
    with operations_transaction():
        return _seed_cases()


def _seed_cases() -> dict:
    if Case.objects.exists():
        return {"cases": 0}
    in_arrears = list(
        Enterprise.objects.filter(ledger_items__isnull=False).distinct().order_by("credit_code")
    )
    _seed_evidence(in_arrears)
    classification_refresh(enterprise_ids=[e.pk for e in in_arrears])
    in_arrears = list(Enterprise.objects.filter(pk__in=[e.pk for e in in_arrears]))
    in_arrears.sort(key=lambda e: e.credit_code)
    users, by_group = _people()
    approver = users.get("lingdao")
    if approver is None:
        return {"cases": 0}
    in_arrears = [e for e in in_arrears if sum(amounts_owed(e)) > 0]  # some have paid off
    open_now = [e for e in in_arrears if e.status != EnterpriseStatus.DEREGISTERED]
    opened = 0
    for (label, path, pending), enterprise in zip(PLAN, open_now, strict=False):
        group = enterprise.region.task_group
        worker_name, leader_name = by_group.get(group.name if group else "", ("jingban", "zuzhang"))
        worker, leader = users[worker_name], users[leader_name]
        case = case_open(
            actor=worker,
            enterprise=enterprise,
            assigned_to=worker,
            classification=enterprise.ability,
        )
        opened += 1
        for step in path:
            case = _step(case, step, worker, approver)
        if pending:
            _serve_long_ago(case)
            case_move(actor=worker, case=case, to_stage=pending, reason="逾期仍未缴纳，申请下一步")
        _details(label, case, worker, leader, approver)
    opened += _seed_write_off(in_arrears, users, approver)
    leads = _seed_leads(list(Enterprise.objects.order_by("-credit_code")[:8]))
    return {"cases": opened, "leads": leads}


def _seed_write_off(in_arrears, users, approver) -> int:
    candidate = next(
        (e for e in reversed(in_arrears) if not e.cases.exists()),
        None,
    )
    if candidate is None:
        return 0
    Enterprise.objects.filter(pk=candidate.pk).update(status=EnterpriseStatus.DEREGISTERED)
    candidate.refresh_from_db()
    group = candidate.region.task_group
    worker = users[_people()[1].get(group.name if group else "", ("jingban", ""))[0]]
    case = case_open(actor=worker, enterprise=candidate, assigned_to=worker)
    case = _step(case, Stage.TRACKING, worker, approver)
    approval = write_off_request(
        actor=worker, case=case, documents=WRITE_OFF, note="破产终结，申请核销"
    )
    approval_decide(actor=approver, approval=approval, approve=True, comment="同意核销")
    return 1
