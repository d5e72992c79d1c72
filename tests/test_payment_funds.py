"""A payment stays in its fund (社会保险法 第六十四条) and pays the periods it names, then the
current period (劳社厅发〔2001〕4号), then the oldest (DESIGN §3.5)."""

from datetime import date
from decimal import Decimal as D

from arrears.models import LedgerAccount, Payment
from arrears.services import payment_post
from tests.factories import EnterpriseFactory, item_of


def _pay(enterprise, amount, paid_on, **extra):
    payment, _ = payment_post(
        actor=None,
        enterprise=enterprise,
        amount=D(amount),
        paid_on=paid_on,
        method="self",
        external_ref=f"R{Payment.objects.count()}",
        **extra,
    )
    return payment


def _paid(*items):
    for item in items:
        item.refresh_from_db()
    return [(item.principal_paid, item.fee_paid) for item in items]


def test_a_pension_payment_never_pays_another_fund(db):
    enterprise = EnterpriseFactory()
    pension = item_of(enterprise, date(2026, 7, 1))  # due 2026-08-31
    unemployment = item_of(enterprise, date(2026, 7, 1), "500.00", insurance_type="unemployment")
    # 2026-10-01: pension principal 1000 + fee 09-01 … 10-01 = 31 days × 0.50 = 15.50; the
    # 484.50 left is credit, not the unemployment item's.
    _pay(enterprise, "1500.00", date(2026, 10, 1))
    assert _paid(pension, unemployment) == [
        (D("1000.00"), D("15.50")),
        (D("0.00"), D("0.00")),
    ]
    assert LedgerAccount.objects.get(enterprise=enterprise).credit_balance == D("484.50")
    # The same money named as unemployment pays that fund.
    _pay(enterprise, "500.00", date(2026, 10, 1), insurance_type="unemployment")
    assert _paid(unemployment) == [(D("500.00"), D("0.00"))]


def test_the_current_period_is_paid_before_the_old_arrears(db):
    enterprise = EnterpriseFactory()
    old = item_of(enterprise, date(2026, 6, 1))  # due 2026-07-31, in arrears
    current = item_of(enterprise, date(2026, 10, 1))  # due 2026-11-30: the 当期 of November
    _pay(enterprise, "1000.00", date(2026, 11, 10))
    # Oldest-first would have put all 1000 on June; the current month comes first.
    assert _paid(current, old) == [(D("1000.00"), D("0.00")), (D("0.00"), D("0.00"))]


def test_named_periods_come_first_then_the_current_one(db):
    enterprise = EnterpriseFactory()
    older = item_of(enterprise, date(2026, 5, 1))  # due 2026-06-30
    named = item_of(enterprise, date(2026, 6, 1))  # due 2026-07-31
    current = item_of(enterprise, date(2026, 10, 1))
    # Paid 2026-11-10 naming June: its principal 1000, its fee 08-01 … 11-10 = 102 days ×
    # 0.50 = 51.00; the 49.00 left goes to the current period (October), none to May.
    _pay(enterprise, "1100.00", date(2026, 11, 10), periods=[date(2026, 6, 1)])
    assert _paid(named, current, older) == [
        (D("1000.00"), D("51.00")),
        (D("49.00"), D("0.00")),
        (D("0.00"), D("0.00")),
    ]


def test_the_payment_form_takes_the_fund_and_the_periods(county, client):
    enterprise = county.enterprise  # items 2025-01 and 2025-02, 300.00 paid on 2025-06-01
    client.force_login(county.caseworker)
    form = {
        "insurance_type": "pension",
        "amount": "100.00",
        "paid_on": "2026-11-20",
        "method": "self",
        "external_ref": "BANK-900",
        "periods": "2025-02",
    }
    preview = client.post(f"/arrears/enterprise/{enterprise.pk}/payments/new/", form)
    assert "2025年02月" in preview.content.decode()
    client.post(f"/arrears/enterprise/{enterprise.pk}/payments/new/", {**form, "confirm": "1"})
    payment = Payment.objects.get(external_ref="BANK-900")
    assert [p.period for p in payment.periods.all()] == [date(2025, 2, 1)]
    assert [a.item.period for a in payment.allocations.all()] == [date(2025, 2, 1)]
    page = client.get(f"/arrears/enterprise/{enterprise.pk}/").content.decode()
    assert "指定所属期：2025-02" in page
    unknown = client.post(
        f"/arrears/enterprise/{enterprise.pk}/payments/new/", {**form, "periods": "2024-05"}
    )
    assert "所属期 2024-05 在本险种下没有欠费" in unknown.content.decode()
    bad = client.post(
        f"/arrears/enterprise/{enterprise.pk}/payments/new/", {**form, "periods": "2025-13"}
    )
    assert "所属期" in bad.content.decode() and bad.status_code == 200
