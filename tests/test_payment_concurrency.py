"""Twenty simultaneous postings on one enterprise, each on its own database connection."""

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum

from arrears.models import Allocation, LedgerAccount, LedgerItem, Payment
from arrears.services import enterprise_rebuild, payment_post
from tests.factories import EnterpriseFactory, LedgerItemFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_postings_keep_every_invariant():
    enterprise = EnterpriseFactory()
    for month in range(1, 7):
        LedgerItemFactory(enterprise=enterprise, period=date(2025, month, 1))
    enterprise_rebuild(enterprise_id=enterprise.pk)
    start, errors = threading.Barrier(20), []

    def post(n: int) -> None:
        try:
            start.wait()
            # Reference n % 15: five references are posted twice, at the same moment.
            payment_post(
                actor=None,
                enterprise=enterprise,
                amount=D("437.21"),
                paid_on=date(2025, 12, 1),
                method="self",
                external_ref=f"BANK-{n % 15}",
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    payments = Payment.objects.filter(enterprise=enterprise)
    assert payments.count() == 15  # nothing lost, nothing doubled
    paid = payments.aggregate(total=Sum("amount"))["total"]
    allocated = Allocation.objects.filter(payment__enterprise=enterprise).aggregate(
        p=Sum("principal_amount"), f=Sum("fee_amount")
    )
    credit = LedgerAccount.objects.get(enterprise=enterprise).credit_balance
    assert paid == allocated["p"] + allocated["f"] + credit
    assert paid == D("437.21") * 15
    for item in LedgerItem.objects.filter(enterprise=enterprise):
        assert D("0") <= item.principal_paid <= item.principal
        assert item.fee_paid <= item.fee_accrued
    assert credit >= 0
