"""Posting, allocating and reversing payments (DESIGN §3.5)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from arrears.models import (
    Allocation,
    AllocationOrder,
    LateFeePolicy,
    LedgerAccount,
    Payment,
)
from arrears.services import enterprise_rebuild, payment_post, payment_preview, payment_reverse
from tests.factories import EnterpriseFactory, LedgerItemFactory


@pytest.fixture
def two_items(db):
    enterprise = EnterpriseFactory()
    # 1000.00 each, due 2026-08-31 and 2026-09-30.
    july = LedgerItemFactory(enterprise=enterprise, period=date(2026, 7, 1))
    august = LedgerItemFactory(enterprise=enterprise, period=date(2026, 8, 1))
    enterprise_rebuild(enterprise_id=enterprise.pk)
    return enterprise, july, august


def _post(enterprise, amount, paid_on=date(2026, 10, 1), ref="R1", user=None):
    return payment_post(
        actor=user,
        enterprise=enterprise,
        amount=D(amount),
        paid_on=paid_on,
        method="self",
        external_ref=ref,
    )


def test_oldest_period_first_principal_then_its_fee(two_items):
    enterprise, july, august = two_items
    # Paid 2026-10-01, the payment day counted: July's fee ran 2026-09-01…10-01 = 31 days ×
    # 1000 × 0.0005 = 15.50; 1100 − 1000 − 15.50 = 84.50 left for August.
    _post(enterprise, "1100.00")
    july.refresh_from_db()
    august.refresh_from_db()
    assert (july.principal_paid, july.fee_paid) == (D("1000.00"), D("15.50"))
    assert august.principal_paid == D("84.50")
    assert LedgerAccount.objects.get(enterprise=enterprise).credit_balance == 0


def test_all_principal_first_when_the_policy_says_so(two_items):
    enterprise, july, august = two_items
    LateFeePolicy.objects.filter(pk=1).update(allocation_order=AllocationOrder.PRINCIPAL_FIRST)
    _post(enterprise, "2010.00")
    july.refresh_from_db()
    august.refresh_from_db()
    assert (july.principal_paid, august.principal_paid) == (D("1000.00"), D("1000.00"))
    assert (july.fee_paid, august.fee_paid) == (D("10.00"), D("0.00"))


def test_money_left_over_becomes_a_visible_credit(two_items):
    enterprise, july, _august = two_items
    _post(enterprise, "3000.00")
    # 2000 principal + 15.50 July fee (31 days) + 0.50 August fee (due 09-30, one day,
    # 10-01, the payment day): 3000 − 2016.00 = 984.00 left.
    assert LedgerAccount.objects.get(enterprise=enterprise).credit_balance == D("984.00")
    july.refresh_from_db()
    assert july.fee_accrued == july.fee_paid == D("15.50")  # paid off: the fee stopped


def test_the_same_reference_twice_records_one_payment(two_items):
    enterprise, *_ = two_items
    first, created = _post(enterprise, "500.00")
    again, created_again = _post(enterprise, "500.00")
    assert created and not created_again and first == again
    assert Payment.objects.filter(enterprise=enterprise).count() == 1


def test_reversal_replays_and_keeps_the_payment(two_items):
    enterprise, july, _ = two_items
    first, _ = _post(enterprise, "600.00", ref="A")
    _post(enterprise, "600.00", paid_on=date(2026, 10, 5), ref="B")
    payment_reverse(actor=None, payment=first, reason="银行退票")
    july.refresh_from_db()
    assert july.principal_paid == D("600.00")  # only B remains, now applied to July
    assert not Allocation.objects.filter(payment=first).exists()
    first.refresh_from_db()
    assert first.is_reversed and first.reversal_reason == "银行退票"
    with pytest.raises(ValidationError):
        payment_reverse(actor=None, payment=first, reason="再冲一次")


def test_reversal_needs_a_reason(two_items):
    enterprise, *_ = two_items
    payment, _ = _post(enterprise, "10.00")
    with pytest.raises(ValidationError):
        payment_reverse(actor=None, payment=payment, reason="  ")


def test_future_dates_and_bad_amounts_are_refused(two_items):
    enterprise, *_ = two_items
    with pytest.raises(ValidationError):
        _post(enterprise, "10.00", paid_on=date(2026, 11, 23))
    with pytest.raises(ValidationError):
        _post(enterprise, "0.00")
    with pytest.raises(ValidationError):
        _post(enterprise, "1.005")


def test_preview_shows_the_allocation_and_writes_nothing(two_items):
    enterprise, july, august = two_items
    preview = payment_preview(enterprise=enterprise, amount=D("1100.00"), paid_on=date(2026, 10, 1))
    assert [(i.pk, p, f) for i, p, f in preview.allocations] == [
        (july.pk, D("1000.00"), D("15.50")),
        (august.pk, D("84.50"), D("0.00")),
    ]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE arrears_ledgeritem SET unit_amount = -1",
        "UPDATE arrears_ledgeritem SET principal_paid = unit_amount + individual_amount + 1",
        "UPDATE arrears_ledgeritem SET fee_paid = -0.01",
        "UPDATE arrears_ledgeraccount SET credit_balance = -5",
        "UPDATE arrears_payment SET amount = -10",
        "UPDATE arrears_allocation SET principal_amount = -1",
    ],
)
def test_database_refuses_negative_money_even_from_raw_sql(two_items, statement):
    enterprise, *_ = two_items
    _post(enterprise, "1100.00")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_a_known_reference_posted_again_with_another_amount_or_date_is_refused(county):

    again = {
        "actor": None,
        "enterprise": county.enterprise,
        "method": "self",
        "external_ref": "BANK-001",
    }
    # The fixture posted BANK-001: 300.00 on 2025-06-01. The same again is the same payment.
    payment, created = payment_post(**again, amount=D("300.00"), paid_on=date(2025, 6, 1))
    assert payment == county.payment and not created
    for amount, paid_on in ((D("3000.00"), date(2025, 6, 1)), (D("300.00"), date(2025, 6, 2))):
        with pytest.raises(ValidationError) as refused:
            payment_post(**again, amount=amount, paid_on=paid_on)
        assert (
            "凭证号 BANK-001 已于 2025-06-01 登记 300.00 元"
            in refused.value.message_dict["external_ref"][0]
        )
    assert Payment.objects.filter(enterprise=county.enterprise).count() == 1
