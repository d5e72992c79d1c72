"""Ledger adjustments: raising applies at once; lowering what is owed — an amount or the fee —
needs a legal basis, a document and a leader other than the requester (社会保险法 第六十条)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from arrears.models import LedgerAdjustment
from arrears.services import adjustment_decide, adjustment_request, enterprise_rebuild
from core.audit import AuditEntry


@pytest.fixture
def item(county):
    # The county's January 2025 item: 700.00 + 300.00, 300.00 of it paid on 2025-06-01.
    enterprise_rebuild(enterprise_id=county.enterprise.pk)
    county.item.refresh_from_db()
    return county.item


def _lower(county, item, **changes):
    fields = {
        "unit_amount": D("500.00"),
        "individual_amount": item.individual_amount,
        "reason": "稽核核减缴费基数",
        "legal_basis": "社会保险稽核办法第十条",
        "document": "壶社保稽〔2026〕3号",
        **changes,
    }
    return adjustment_request(actor=county.caseworker, item=item, **fields)


def test_raising_an_amount_applies_at_once(county, item):
    adjustment = adjustment_request(
        actor=county.caseworker,
        item=item,
        unit_amount=D("900.00"),
        individual_amount=item.individual_amount,
        reason="补报漏报工资",
    )
    item.refresh_from_db()
    assert adjustment.status == "applied" and item.principal == D("1200.00")


def test_lowering_without_a_legal_basis_is_refused(county, item):
    with pytest.raises(ValidationError) as error:
        _lower(county, item, legal_basis="", document="")
    assert set(error.value.message_dict) == {"legal_basis", "document"}
    assert not LedgerAdjustment.objects.filter(item=item).exists()


def test_lowering_waits_for_another_leader_then_applies(county, item, client):
    adjustment = _lower(county, item)
    item.refresh_from_db()
    assert adjustment.status == "pending" and item.unit_amount == D("700.00")  # not yet
    with pytest.raises(ValidationError):
        adjustment_decide(actor=county.caseworker, adjustment=adjustment, approve=True)

    client.force_login(county.group_leader)
    assert "稽核核减缴费基数" in client.get("/cases/approvals/").content.decode()
    assert "台账调整：2025年01月" in client.get("/cases/today/").content.decode()
    client.post(f"/arrears/adjustments/{adjustment.pk}/decide/", {"decision": "reject"})
    adjustment.refresh_from_db()
    assert adjustment.status == "pending"  # a rejection needs its reason
    client.post(
        f"/arrears/adjustments/{adjustment.pk}/decide/",
        {"decision": "approve", "comment": "核减依据充分"},
    )
    adjustment.refresh_from_db()
    item.refresh_from_db()
    assert adjustment.status == "approved" and adjustment.decided_by == county.group_leader
    assert item.principal == D("800.00")
    assert AuditEntry.objects.filter(action="approve", object_type="arrears.ledgeradjustment")


def test_an_approved_fee_reduction_lowers_the_fee_and_stays_through_replays(county, item):
    before = item.fee_accrued
    assert before > D("5.00")
    adjustment = _lower(
        county,
        item,
        unit_amount=item.unit_amount,
        fee_reduction=D("5.00"),
        reason="法院裁定确认的滞纳金数额",
        legal_basis="企业破产法第四十六条",
        document="（2026）晋0427破1号之三",
    )
    adjustment_decide(actor=county.leader, adjustment=adjustment, approve=True, comment="同意")
    enterprise_rebuild(enterprise_id=item.enterprise_id)
    item.refresh_from_db()
    assert item.fee_accrued == before - D("5.00")


def test_a_reduction_above_the_fee_is_refused(county, item):
    with pytest.raises(ValidationError) as error:
        _lower(county, item, unit_amount=item.unit_amount, fee_reduction=item.fee_accrued + 1)
    assert "不能超过现有滞纳金" in str(error.value)


def test_the_database_refuses_a_lowering_applied_without_approval(county, item):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAdjustment.objects.create(
            item=item,
            unit_before=D("700.00"),
            individual_before=D("300.00"),
            unit_after=D("1.00"),
            individual_after=D("300.00"),
            reason="直接改库",
            status="applied",
            created_by=county.caseworker,
        )


def test_every_adjustment_is_listed_with_its_history_on_the_ledger(county, item, client):
    _lower(county, item)
    adjustment_request(
        actor=county.caseworker,
        item=county.item,
        unit_amount=D("700.00"),
        individual_amount=D("350.00"),
        reason="补报个人部分",
    )
    client.force_login(county.caseworker)
    page = client.get(f"/arrears/enterprise/{county.enterprise.pk}/").content.decode()
    assert "稽核核减缴费基数" in page and "待审批" in page
    assert "补报个人部分" in page and "已生效（无需审批）" in page
    assert "依据：社会保险稽核办法第十条（壶社保稽〔2026〕3号）" in page
    # The requester sees no approve button on their own request.
    pending = LedgerAdjustment.objects.get(item=item, status="pending")
    assert f"/arrears/adjustments/{pending.pk}/decide/" not in page


def test_a_request_made_stale_by_a_later_change_cannot_be_approved(county, item):
    adjustment = _lower(county, item)
    adjustment_request(
        actor=county.caseworker,
        item=item,
        unit_amount=D("750.00"),
        individual_amount=item.individual_amount,
        reason="补报",
    )
    with pytest.raises(ValidationError, match="已有变化"):
        adjustment_decide(actor=county.group_leader, adjustment=adjustment, approve=True)


def test_the_adjust_form_in_the_browser(county, item, client):
    client.force_login(county.caseworker)
    response = client.post(
        f"/arrears/items/{item.pk}/adjust/",
        {"unit_amount": "600.00", "individual_amount": "300.00", "reason": "核减"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "核减应缴金额须写明法律依据" in page
    response = client.post(
        f"/arrears/items/{item.pk}/adjust/",
        {
            "unit_amount": "600.00",
            "individual_amount": "300.00",
            "reason": "核减",
            "legal_basis": "社会保险稽核办法第十条",
            "document": "壶社保稽〔2026〕4号",
        },
    )
    assert response.status_code == 302
    assert LedgerAdjustment.objects.get(item=item).status == "pending"


def test_a_refusal_naming_no_field_shows_above_the_form(county, item, client):
    # The service refuses an adjustment that changes nothing with a message for no field.
    client.force_login(county.caseworker)
    response = client.post(
        f"/arrears/items/{item.pk}/adjust/",
        {"unit_amount": "700.00", "individual_amount": "300.00", "reason": "核对"},
    )
    assert response.status_code == 200 and "金额没有变化" in response.content.decode()
    assert not LedgerAdjustment.objects.filter(item=item).exists()
