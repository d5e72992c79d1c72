"""The audit date is the caseworker's, stated by the notice, at least 3 days after service, and
the result follows within 5 (告知书) or 10 (意见书) working days (社会保险稽核办法 第十条、第十一条)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from enforcement.audits import audit_record
from enforcement.models import Case
from enforcement.services import case_move, case_open
from enforcement.stages import Stage
from notices.models import Document


def _move_to_audit(county, audit_on):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    return case_move(
        actor=county.caseworker, case=case, to_stage=Stage.AUDIT, extra={"audit_on": audit_on}
    )


def _record(county, case, audited_on, violation=True):
    # A violation is 3 people not declared; without one the figures match the declaration.
    return audit_record(
        actor=county.caseworker,
        case=case,
        audited_on=audited_on,
        auditor_1=county.caseworker,
        auditor_2=county.group_leader,
        credentials="稽核证 壶稽001、壶稽002",
        period_from=date(2026, 5, 1),
        period_to=date(2026, 8, 1),
        headcount_found=23 if violation else 20,
        headcount_declared=20,
        base_found=D("92000.00") if violation else D("80000.00"),
        base_declared=D("80000.00"),
        shortfall=D("2880.00") if violation else D("0"),
        findings="2026年5月至8月少报 3 人" if violation else "申报与工资一致",
        violation=violation,
        signature="signed",
    )


def test_the_caseworker_chooses_the_date_and_the_notice_states_it(county):
    with pytest.raises(ValidationError, match="稽核日期须在今天起 3 日以后"):
        _move_to_audit(county, date(2026, 11, 24))
    Case.objects.all().delete()
    case = _move_to_audit(county, date(2026, 12, 1))
    notice = case.current_document
    assert notice.content["extra"]["audit_on"] == "2026年12月1日"
    assert notice.content["extra"]["audit_date"] == "2026-12-01"


def test_the_audit_is_on_the_notified_day_and_three_days_after_service(county, frozen):
    case = _move_to_audit(county, date(2026, 12, 1))
    notice = case.current_document
    Document.objects.filter(pk=notice.pk).update(served_on=date(2026, 11, 30))
    frozen.move_to("2026-12-02T02:00:00Z")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="重新出具稽核通知书"):
        _record(county, case, date(2026, 12, 1))
    Document.objects.filter(pk=notice.pk).update(served_on=date(2026, 11, 23))
    with pytest.raises(ValidationError, match="通知书所定的 2026年12月1日"):
        _record(county, case, date(2026, 11, 30))
    record = _record(county, case, date(2026, 12, 1))
    assert record.result_document.doc_type == "audit_opinion"


def test_the_result_comes_within_its_working_days(county, frozen):
    case = _move_to_audit(county, date(2026, 11, 25))
    Document.objects.filter(pk=case.current_document_id).update(served_on=date(2026, 11, 22))
    # Audited on Wednesday 2026-11-25: 5 working days end on Wednesday 2026-12-02.
    frozen.move_to("2026-12-03T02:00:00Z")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="5 个工作日内"):
        _record(county, case, date(2026, 11, 25), violation=False)
    # An opinion has 10 working days: to 2026-12-09.
    record = _record(county, case, date(2026, 11, 25), violation=True)
    assert record.result_document.doc_type == "audit_opinion"


def test_the_case_page_asks_for_the_date(client, county):
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    client.force_login(county.caseworker)
    assert 'name="audit_on"' in client.get(f"/cases/{case.pk}/").content.decode()
    page = client.post(
        f"/cases/{case.pk}/move/", {"to_stage": "audit", "audit_on": "2026-11-23"}, follow=True
    ).content.decode()
    assert "稽核日期须在今天起 3 日以后" in page
    client.post(f"/cases/{case.pk}/move/", {"to_stage": "audit", "audit_on": "2026-12-01"})
    case.refresh_from_db()
    assert case.current_document.content["extra"]["audit_date"] == "2026-12-01"
