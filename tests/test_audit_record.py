"""The audit stage (社会保险稽核办法): two distinct auditors, the notice served three days
before, and the result document — 告知书 when nothing was wrong, 意见书 with a deadline else."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enforcement.audits import audit_record
from enforcement.models import AuditRecord, Case
from enforcement.services import IllegalMove, case_move, case_open
from enforcement.stages import Stage
from notices.models import Document
from notices.services import document_issue


@pytest.fixture
def audit_case(county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    notice = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="audit_notice",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=notice.pk).update(served_on=date(2026, 11, 10))
    Case.objects.filter(pk=case.pk).update(stage=Stage.AUDIT, current_document=notice)
    case.refresh_from_db()
    return case


def _record(county, case, **overrides):
    values = {
        "actor": county.caseworker,
        "case": case,
        "audited_on": date(2026, 11, 18),
        "auditor_1": county.caseworker,
        "auditor_2": county.group_leader,
        "credentials": "稽核证 壶稽001、壶稽002",
        "period_from": date(2026, 5, 1),
        "period_to": date(2026, 8, 1),
        "headcount_found": 23,
        "headcount_declared": 20,
        "base_found": D("92000.00"),
        "base_declared": D("80000.00"),
        "shortfall": D("2880.00"),
        "findings": "2026年5月至8月少报 3 人",
        "violation": True,
        "signature": "signed",
    }
    return audit_record(**(values | overrides))


def test_one_auditor_twice_is_refused(county, audit_case):
    with pytest.raises(ValidationError, match="两名以上不同的稽核人员"):
        _record(county, audit_case, auditor_2=county.caseworker)
    # And the database refuses it too.
    record = _record(county, audit_case)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(auditor_2=county.caseworker)


def test_the_notice_must_be_served_three_days_before(county, audit_case):
    with pytest.raises(ValidationError, match="送达 3 日以后"):
        _record(county, audit_case, audited_on=date(2026, 11, 12))


def test_a_violation_leads_to_an_opinion_whose_deadline_guards_the_next_step(county, audit_case):
    record = _record(county, audit_case)
    audit_case.refresh_from_db()
    opinion = record.result_document
    assert opinion.doc_type == "audit_opinion" and audit_case.current_document == opinion
    assert "少报 3 人" in opinion.content["extra"]["findings"]
    with pytest.raises(IllegalMove, match="尚未送达"):
        case_move(actor=county.caseworker, case=audit_case, to_stage=Stage.RECTIFICATION)
    Document.objects.filter(pk=opinion.pk).update(
        served_on=date(2026, 11, 19), deadline=date(2026, 12, 4)
    )
    with pytest.raises(IllegalMove, match="整改期限尚未届满"):
        case_move(actor=county.caseworker, case=audit_case, to_stage=Stage.RECTIFICATION)
    Document.objects.filter(pk=opinion.pk).update(deadline=date(2026, 11, 20))
    case = case_move(actor=county.caseworker, case=audit_case, to_stage=Stage.RECTIFICATION)
    assert case.stage == Stage.RECTIFICATION


def test_no_violation_leads_to_the_result_notice(county, audit_case):
    record = _record(
        county,
        audit_case,
        violation=False,
        headcount_found=20,
        base_found=D("80000.00"),
        shortfall=D("0"),
        findings="申报与工资一致",
    )
    assert record.result_document.doc_type == "audit_result"


def test_rectification_needs_an_audit_record(county, audit_case):
    with pytest.raises(IllegalMove, match="请先登记稽核记录"):
        case_move(actor=county.caseworker, case=audit_case, to_stage=Stage.RECTIFICATION)
