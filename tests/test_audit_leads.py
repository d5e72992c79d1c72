"""Audit leads (DESIGN §3.7): the three rules, the estimated shortfall at the configured rates,
the import, dismissing with a reason and opening an audit case."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from enforcement.leads import estimated_shortfall, lead_dismiss, lead_open_audit, month_finding
from enforcement.models import AuditLead, CaseworkSettings, TaxRecord
from enforcement.stages import Stage
from tests.factories import EnterpriseFactory
from tests.xlsx import make_xlsx

HEADERS = [
    "统一社会信用代码",
    "所属期",
    "个税申报人数",
    "应税工资总额",
    "参保人数",
    "申报缴费基数总额",
]
RATES = {"unit_rate": D("16"), "individual_rate": D("8")}


def _record(tax_n, wages, insured_n, base):
    return TaxRecord(
        month=date(2026, 5, 1),
        tax_headcount=tax_n,
        taxable_wages=D(wages),
        insured_headcount=insured_n,
        declared_base=D(base),
    )


def test_pays_tax_but_declares_nothing():
    finding = month_finding(_record(10, "50000.00", 0, "0"))
    assert finding.rules == ("uninsured",) and finding.shortfall_base == D("50000.00")
    assert estimated_shortfall([finding], **RATES) == D("12000.00")  # 24 % of 50,000


def test_fewer_insured_than_taxed():
    # 10 taxed at an average of 5,000; 8 insured on their full wages of 40,000.
    finding = month_finding(_record(10, "50000.00", 8, "40000.00"))
    assert finding.rules == ("headcount", "base")
    # The two views of the same gap overlap: the larger (10,000) counts, once.
    assert finding.shortfall_base == D("10000")
    assert estimated_shortfall([finding], **RATES) == D("2400.00")


def test_headcount_alone_and_base_alone():
    headcount = month_finding(_record(10, "50000.00", 9, "50000.00"))
    assert headcount.rules == ("headcount",) and headcount.shortfall_base == D("5000")
    base = month_finding(_record(10, "50000.00", 10, "30000.00"))
    assert base.rules == ("base",) and base.shortfall_base == D("20000.00")


def test_nothing_when_declarations_match_or_differ_by_rounding():
    assert month_finding(_record(10, "50000.00", 10, "50000.00")) is None
    assert month_finding(_record(10, "50000.00", 10, "49999.50")) is None
    assert month_finding(_record(0, "0", 0, "0")) is None


def test_import_raises_one_lead_per_enterprise_at_the_configured_rates(county, tmp_path):
    clean = EnterpriseFactory(region=county.region_a)
    rows = [
        [county.enterprise.credit_code, "2026-05", 10, 50000, 0, 0],
        [county.enterprise.credit_code, "202606", 10, 50000, 8, 40000],
        [clean.credit_code, "2026-05", 5, 20000, 5, 20000],
    ]
    path = make_xlsx(tmp_path / "tax.xlsx", rows, headers=HEADERS)
    CaseworkSettings.objects.update_or_create(
        pk=1, defaults={"unit_rate": D("16"), "individual_rate": D("8")}
    )
    call_command("import_tax_data", str(path))
    lead = AuditLead.objects.get()
    assert lead.enterprise == county.enterprise
    assert lead.rules == ["uninsured", "headcount", "base"]
    assert (lead.first_month, lead.last_month) == (date(2026, 5, 1), date(2026, 6, 1))
    assert lead.estimated_shortfall == D("14400.00")  # (50,000 + 10,000) × 24 %
    # Re-importing the same months updates the lead instead of adding one.
    CaseworkSettings.objects.filter(pk=1).update(unit_rate=D("20"))
    call_command("import_tax_data", str(path))
    assert AuditLead.objects.get().estimated_shortfall == D("16800.00")


def test_a_bad_row_writes_nothing(county, tmp_path):
    rows = [
        [county.enterprise.credit_code, "2026-05", 10, 50000, 0, 0],
        [county.enterprise.credit_code, "2026-13", "十", 50000, 0, 0],
    ]
    path = make_xlsx(tmp_path / "tax.xlsx", rows, headers=HEADERS)
    with pytest.raises(SystemExit):
        call_command("import_tax_data", str(path))
    assert not TaxRecord.objects.exists() and not AuditLead.objects.exists()


def _lead(county):
    TaxRecord.objects.create(
        enterprise=county.enterprise,
        month=date(2026, 5, 1),
        tax_headcount=10,
        taxable_wages=D("50000"),
        insured_headcount=8,
        declared_base=D("40000"),
    )
    from enforcement.leads import leads_refresh

    leads_refresh(enterprise_ids=[county.enterprise.pk])
    return AuditLead.objects.get(status="open")


def test_dismissing_needs_a_reason_and_only_later_months_raise_a_new_lead(county):
    lead = _lead(county)
    with pytest.raises(ValidationError, match="排除理由"):
        lead_dismiss(actor=county.caseworker, lead=lead, reason=" ")
    lead_dismiss(actor=county.caseworker, lead=lead, reason="2 人为退休返聘，不应参保")
    from enforcement.leads import leads_refresh

    leads_refresh(enterprise_ids=[county.enterprise.pk])
    assert not AuditLead.objects.filter(status="open").exists()
    TaxRecord.objects.create(
        enterprise=county.enterprise,
        month=date(2026, 7, 1),
        tax_headcount=12,
        taxable_wages=D("60000"),
        insured_headcount=8,
        declared_base=D("40000"),
    )
    leads_refresh(enterprise_ids=[county.enterprise.pk])
    new = AuditLead.objects.get(status="open")
    assert new.first_month == date(2026, 7, 1)


def test_opening_an_audit_case_issues_the_audit_notice(county):
    lead = _lead(county)
    case = lead_open_audit(actor=county.caseworker, lead=lead)
    lead.refresh_from_db()
    assert lead.status == "audit" and lead.case == case
    assert case.stage == Stage.AUDIT
    assert case.current_document.doc_type == "audit_notice"
    assert "稽核线索" in case.events.first().text


def test_a_lead_case_opens_even_without_arrears_and_the_sweep_leaves_it_open(county):
    enterprise = EnterpriseFactory(region=county.region_a)
    TaxRecord.objects.create(
        enterprise=enterprise,
        month=date(2026, 5, 1),
        tax_headcount=3,
        taxable_wages=D("12000"),
        insured_headcount=0,
        declared_base=D("0"),
    )
    from enforcement.leads import leads_refresh

    leads_refresh(enterprise_ids=[enterprise.pk])
    case = lead_open_audit(
        actor=county.caseworker, lead=AuditLead.objects.get(enterprise=enterprise)
    )
    call_command("sweep_cases", "--as-of", "2026-11-22")
    case.refresh_from_db()
    assert case.closed_at is None and case.stage == Stage.AUDIT
