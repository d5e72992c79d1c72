"""Writers that meet on one enterprise, on real PostgreSQL connections in real threads.

Each test holds the first writer inside its transaction, after it took its locks, while the
second one starts: the interleaving that deadlocked (a case move that locked the case and then
wrote a document, against a payment that locked the enterprise and then wanted the case) or
left a stale fee (the accrual computing before a payment and writing after it). Each ends with
both operations applied, or one cleanly refused, and `verify_ledger` clean.
"""

import threading
import time
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction

from arrears import accrual
from arrears.models import LedgerItem, Payment
from arrears.selectors import amounts_outstanding
from arrears.services import enterprise_rebuild, payment_post
from core.locks import LockOrderError, lock_row
from enforcement import services as case_services
from enforcement import sweep
from enforcement.models import Approval, Case
from enforcement.services import approval_decide, case_move
from enforcement.stages import Stage
from enterprises.models import Enterprise
from notices.models import Document
from tests.cases import case_at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD_SECONDS = 0.5  # long enough for the other thread to reach its first lock


def _run_both(first, second, *, holding):
    """Run `first` and `second` in two threads; `holding` is an Event `first` sets once it holds
    its locks, and `second` starts only then. Returns (results, errors) by name."""
    results, errors = {}, {}

    def run(name, func, wait_for=None):
        try:
            if wait_for is not None:
                assert wait_for.wait(10), "the first writer never took its locks"
            results[name] = func()
        except Exception as error:
            errors[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second, holding)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def _hold_after(monkeypatch, module, name, holding):
    """Make `module.name` signal and pause before doing its work: it runs after its caller has
    taken the locks, so the other writer meets them."""
    original = getattr(module, name)

    def held(*args, **kwargs):
        holding.set()
        time.sleep(HOLD_SECONDS)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def _verify_ledger_clean():
    out = StringIO()
    call_command("verify_ledger", stdout=out)  # exits 1 on a difference
    assert "0 differences" in out.getvalue()


def _pay(county, amount, ref):
    return payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=D(amount),
        paid_on=date(2026, 11, 20),
        method="self",
        external_ref=ref,
    )


def test_case_move_meets_a_payment(county, monkeypatch):
    case = case_at(county, Stage.DEMAND)
    holding = threading.Event()
    _hold_after(monkeypatch, case_services, "check_move", holding)
    _, errors = _run_both(
        lambda: case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION),
        lambda: _pay(county, "100.00", "MOVE-X-PAY"),
        holding=holding,
    )
    assert errors == {}
    case.refresh_from_db()
    assert case.stage == Stage.RECTIFICATION
    assert Payment.objects.filter(external_ref="MOVE-X-PAY").count() == 1
    _verify_ledger_clean()


def test_approval_meets_a_payment(county, monkeypatch):
    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="拒不缴纳")
    assert isinstance(approval, Approval)
    holding = threading.Event()
    _hold_after(monkeypatch, case_services, "check_move", holding)
    _, errors = _run_both(
        lambda: approval_decide(actor=county.group_leader, approval=approval, approve=True),
        lambda: _pay(county, "100.00", "APPROVE-X-PAY"),
        holding=holding,
    )
    assert errors == {}
    case.refresh_from_db()
    assert case.stage == Stage.BANK
    assert Payment.objects.filter(external_ref="APPROVE-X-PAY").count() == 1
    _verify_ledger_clean()


def test_two_approvers_at_once_one_decides_the_other_is_told(county):
    case = case_at(county, Stage.RECTIFICATION)
    approval = case_move(actor=county.caseworker, case=case, to_stage=Stage.BANK, reason="拒不缴纳")
    start, errors, decided = threading.Barrier(2), [], []

    def decide(approve):
        try:
            start.wait()
            decided.append(
                approval_decide(
                    actor=county.group_leader,
                    approval=approval,
                    approve=approve,
                    comment="" if approve else "先核实账户",  # a reject needs its reason
                )
            )
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(decided) == 1 and len(errors) == 1
    assert "已经审批过" in errors[0].messages[0]
    approval.refresh_from_db()
    case.refresh_from_db()
    assert case.stage == (Stage.BANK if approval.status == "approved" else Stage.RECTIFICATION)


def test_the_same_move_submitted_twice_moves_once(county):
    case = case_at(county, Stage.DEMAND)
    start, errors, moved = threading.Barrier(2), [], []

    def move():
        try:
            start.wait()
            moved.append(
                case_move(actor=county.caseworker, case=case, to_stage=Stage.RECTIFICATION)
            )
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(moved) == 1 and len(errors) == 1
    orders = Document.objects.filter(
        enterprise=county.enterprise, doc_type="reminder", status="issued"
    )
    # _case_at issued one itself; the two clicks add one more, not two.
    assert orders.count() == 2


def test_sweep_meets_a_payment_that_clears_everything(county, monkeypatch):
    case = case_at(county, Stage.DEMAND)
    principal, fee = amounts_outstanding(county.enterprise.pk)
    holding = threading.Event()
    _hold_after(monkeypatch, sweep, "amounts_owed", holding)
    results, errors = _run_both(
        lambda: sweep.sweep_cases(as_of=date(2026, 11, 22)),
        lambda: _pay(county, str(principal + fee), "SWEEP-X-PAY"),
        holding=holding,
    )
    assert errors == {}
    assert results["first"]["failed"] == []
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closing_reason == "paid"
    assert case.events.filter(kind="closed").count() == 1
    _verify_ledger_clean()


@pytest.mark.parametrize("accrual_first", [True, False], ids=["accrual-first", "payment-first"])
def test_accrual_meets_a_payment(county, monkeypatch, accrual_first):
    enterprise_rebuild(enterprise_id=county.enterprise.pk)
    holding = threading.Event()
    ids = sorted(Enterprise.objects.values_list("pk", flat=True))
    if accrual_first:
        _hold_after(monkeypatch, accrual, "_engine_update", holding)
        first = lambda: accrual.accrue_chunk(lo=ids[0], hi=ids[-1], as_of=date(2026, 11, 22))  # noqa: E731
        second = lambda: _pay(county, "500.00", "ACCRUAL-X-PAY")  # noqa: E731
    else:
        from arrears import services as arrears_services

        _hold_after(monkeypatch, arrears_services, "replay_enterprise", holding)
        first = lambda: _pay(county, "500.00", "ACCRUAL-X-PAY")  # noqa: E731
        second = lambda: accrual.accrue_chunk(lo=ids[0], hi=ids[-1], as_of=date(2026, 11, 22))  # noqa: E731
    _, errors = _run_both(first, second, holding=holding)
    assert errors == {}
    assert Payment.objects.filter(external_ref="ACCRUAL-X-PAY").count() == 1
    _verify_ledger_clean()


def test_a_lock_against_the_order_is_refused(county):
    case = case_services.case_open(actor=county.caseworker, enterprise=county.enterprise)
    with pytest.raises(LockOrderError), transaction.atomic():
        lock_row(Case, case.pk)
        lock_row(Enterprise, county.other_enterprise.pk)


def test_a_lock_outside_a_transaction_is_refused(county):
    with pytest.raises(LockOrderError):
        lock_row(Enterprise, county.enterprise.pk)


def test_a_writer_that_waits_too_long_gives_up_with_nothing_written(county, settings):
    settings.LOCK_TIMEOUT_MS = 200
    holding, release = threading.Event(), threading.Event()

    def hold_enterprise():
        with transaction.atomic():
            lock_row(Enterprise, county.enterprise.pk)
            holding.set()
            release.wait(10)

    def pay():
        try:
            return _pay(county, "10.00", "TIMEOUT-PAY")
        finally:
            release.set()

    _, errors = _run_both(hold_enterprise, pay, holding=holding)
    assert "second" in errors and "lock timeout" in str(errors["second"])
    assert not Payment.objects.filter(external_ref="TIMEOUT-PAY").exists()
    assert LedgerItem.objects.filter(enterprise=county.enterprise).exists()
