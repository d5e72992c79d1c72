"""Each enterprise's account holds what its items owe, kept by the replay and the accrual, so
that the overview and the dashboards read one row per enterprise instead of the whole ledger."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from arrears.accrual import accrue_all
from arrears.balances import age_limits
from arrears.models import LedgerAccount
from arrears.services import enterprise_rebuild, payment_post
from arrears.verify import enterprise_differences
from tests.factories import EnterpriseFactory, LedgerItemFactory


def _account(enterprise) -> LedgerAccount:
    return LedgerAccount.objects.get(enterprise=enterprise)


def test_the_age_limits_are_whole_months_before_today():
    assert age_limits(date(2026, 11, 22)) == (
        date(2026, 8, 1),
        date(2025, 11, 1),
        date(2023, 11, 1),
    )


@pytest.fixture
def debtor(db):
    """Four months of 1,000.00 each, one in every age bucket on 2026-11-22."""
    enterprise = EnterpriseFactory()
    for period in (date(2026, 9, 1), date(2026, 1, 1), date(2024, 6, 1), date(2022, 3, 1)):
        LedgerItemFactory(enterprise=enterprise, period=period)
    enterprise_rebuild(enterprise_id=enterprise.pk)
    return enterprise


def test_the_account_splits_the_principal_by_age(debtor):
    account = _account(debtor)
    assert account.principal_outstanding == D("4000.00")
    assert (account.aged_under_3m, account.aged_3_12m, account.aged_1_3y, account.aged_over_3y) == (
        D("1000.00"),
        D("1000.00"),
        D("1000.00"),
        D("1000.00"),
    )
    assert account.oldest_unpaid == date(2022, 3, 1)
    assert account.balance_on == date(2026, 11, 22)
    assert account.fee_outstanding > 0


def test_a_payment_lowers_the_account_at_once(debtor):
    fee_before = _account(debtor).fee_outstanding
    # The oldest month first (the allocation order): its principal and fee; 1,000.00 pays the
    # principal only when the fee is paid after it.
    payment_post(
        actor=None,
        enterprise=debtor,
        amount=D("1000.00"),
        paid_on=date(2026, 11, 22),
        method="self",
        external_ref="B-1",
    )
    account = _account(debtor)
    paid_principal = D("4000.00") - account.principal_outstanding
    paid_fee = fee_before - account.fee_outstanding
    assert paid_principal + paid_fee == D("1000.00")
    assert account.aged_over_3y == D("1000.00") - paid_principal
    assert enterprise_differences(debtor.pk, as_of=date(2026, 11, 22)) == []


def test_the_nightly_accrual_moves_the_fee_and_the_ageing(debtor, frozen):
    fee_before = _account(debtor).fee_outstanding
    frozen.move_to("2026-12-02T02:00:00Z")
    accrue_all(as_of=date(2026, 12, 2))
    account = _account(debtor)
    assert account.fee_outstanding > fee_before
    assert account.balance_on == date(2026, 12, 2)
    # On 2026-12-02 the period 2026-09 is still within 3 months (the limit is 2026-09-01).
    assert account.aged_under_3m == D("1000.00")


def test_verify_ledger_finds_a_tampered_account(debtor):
    LedgerAccount.objects.filter(enterprise=debtor).update(
        principal_outstanding=D("3000.00"), aged_over_3y=D("0.00")
    )
    problems = enterprise_differences(debtor.pk, as_of=date(2026, 11, 22))
    assert any("principal_outstanding stored 3000.00, derived 4000.00" in p for p in problems)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_ledger", stdout=out)


def test_the_buckets_always_add_up_to_the_principal(debtor):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(enterprise=debtor).update(aged_under_3m=D("0.00"))


def test_the_overview_reads_the_accounts(client, county):
    from core import roles
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=roles.SUPERVISOR))
    page = client.get("/arrears/").content.decode()
    account = _account(county.enterprise)
    assert county.enterprise.name in page
    assert f"{account.principal_outstanding:,.2f}" in page
