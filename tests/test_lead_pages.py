"""Audit leads and the two evidence imports on the web, and the casework settings page."""

from datetime import date
from decimal import Decimal as D

from core.models import AuditEntry
from enforcement.models import AuditLead, CaseworkSettings, TaxRecord
from enterprises.models import Evidence
from tests.imports_web import confirm, page, upload
from tests.xlsx import make_xlsx

TAX_HEADERS = [
    "统一社会信用代码",
    "所属期",
    "个税申报人数",
    "应税工资总额",
    "参保人数",
    "申报缴费基数总额",
]


def test_tax_import_preview_confirm_then_the_lead(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    path = make_xlsx(
        tmp_path / "tax.xlsx",
        [
            [county.enterprise.credit_code, "2026-05", 10, 50000, 8, 40000],
            [county.other_enterprise.credit_code, "2026-05", 3, 9000, 0, 0],
        ],
        headers=TAX_HEADERS,
    )
    client.force_login(county.caseworker)
    _, job = upload(client, capture, "tax", path)
    # The other township's enterprise is not this caseworker's to import, and reads as one not
    # in the register at all: no message tells that another township has it.
    shown = page(client, job)
    assert f"企业 {county.other_enterprise.credit_code} 不在企业名册中" in shown
    assert "其他工作组" not in shown and not TaxRecord.objects.exists()
    path = make_xlsx(
        tmp_path / "tax.xlsx",
        [[county.enterprise.credit_code, "2026-05", 10, 50000, 8, 40000]],
        headers=TAX_HEADERS,
    )
    _, job = upload(client, capture, "tax", path)
    preview = page(client, job)
    assert "数据行" in preview and county.enterprise.name in preview
    assert not TaxRecord.objects.exists()
    confirm(client, capture, job)
    assert "现有待处理稽核线索 1 条" in page(client, job)
    lead = AuditLead.objects.get()
    listed = client.get("/cases/leads/").content.decode()
    assert county.enterprise.name in listed and "少报人数" in listed
    shown = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert "2,400.00 元" in shown and "立案稽核并出具稽核通知书" in shown
    # The upload is used up: confirming again writes nothing more.
    confirm(client, capture, job)
    assert TaxRecord.objects.count() == 1


def test_leads_filter_by_rule(client, county):
    AuditLead.objects.create(
        enterprise=county.enterprise,
        rules=["uninsured"],
        first_month=date(2026, 5, 1),
        last_month=date(2026, 5, 1),
        estimated_shortfall=D("100.00"),
    )
    client.force_login(county.caseworker)
    assert (
        county.enterprise.name
        in client.get("/cases/leads/", {"rule": "uninsured"}).content.decode()
    )
    assert (
        county.enterprise.name not in client.get("/cases/leads/", {"rule": "base"}).content.decode()
    )


def test_dismiss_and_open_audit_from_the_lead_page(client, county):
    TaxRecord.objects.create(
        enterprise=county.enterprise,
        month=date(2026, 5, 1),
        tax_headcount=10,
        taxable_wages=D("50000"),
        insured_headcount=10,
        declared_base=D("30000"),
    )
    from enforcement.leads import leads_refresh

    leads_refresh(enterprise_ids=[county.enterprise.pk])
    lead = AuditLead.objects.get()
    client.force_login(county.caseworker)
    page = client.post(
        f"/cases/leads/{lead.pk}/decide/", {"action": "dismiss", "reason": ""}, follow=True
    ).content.decode()
    assert "请填写排除理由" in page
    response = client.post(f"/cases/leads/{lead.pk}/decide/", {"action": "audit"})
    lead.refresh_from_db()
    assert lead.status == "audit" and response["Location"] == f"/cases/{lead.case_id}/"


def test_evidence_import_on_the_web_reclassifies(
    client, county, tmp_path, django_capture_on_commit_callbacks
):
    path = make_xlsx(
        tmp_path / "evidence.xlsx",
        [[county.enterprise.credit_code, "2025-01", "发放工资", 86000, "开户银行"]],
        headers=["统一社会信用代码", "所属期", "证据类型", "金额", "来源"],
    )
    client.force_login(county.caseworker)
    _, job = upload(client, django_capture_on_commit_callbacks, "evidence", path)
    confirm(client, django_capture_on_commit_callbacks, job)
    assert "已导入 1 行证据，1 家企业已重新分类" in page(client, job)
    assert Evidence.objects.filter(enterprise=county.enterprise).count() == 1
    county.enterprise.refresh_from_db()
    assert county.enterprise.ability == "able"


def test_unknown_import_kind_is_not_found(client, county):
    client.force_login(county.caseworker)
    assert client.get("/imports/payroll/").status_code == 404


def test_settings_page_changes_the_rates_and_is_audited(client, county):
    client.force_login(county.sysadmin)
    form = {
        "deferral_max_months": "12",
        "unit_rate": "16",
        "individual_rate": "8",
        "review_interval_days": "60",
        "court_reminder_days": "30",
        "hearing_threshold": "50000.00",
        "guarantee_ratio": "1.20",
        "case_code": "壶清欠",
    }
    page = client.post("/cases/settings/", {**form, "unit_rate": "160"}).content.decode()
    assert "100" in page and CaseworkSettings.objects.get().unit_rate == D("16")
    client.post("/cases/settings/", form)
    assert CaseworkSettings.objects.get().deferral_max_months == 12
    assert CaseworkSettings.objects.get().hearing_threshold == D("50000.00")
    entry = AuditEntry.objects.filter(action="settings").latest("pk")
    assert entry.detail["changes"]["deferral_max_months"] == ["6", "12"]
