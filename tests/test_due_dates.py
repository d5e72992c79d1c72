"""A due date on a rest day moves to the next working day (DESIGN §3.1, 民法典 第二百零三条), and
the latefee_quote command can take the period instead of the due date (DESIGN §4)."""

import json
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from arrears.models import LateFeePolicy, LedgerItem
from arrears.policy import current_policy, due_date_for
from arrears.services import due_dates_refresh, enterprise_rebuild, payment_post, policy_update
from core.audit import AuditEntry
from core.models import CalendarYear, Holiday
from core.services import calendar_year_save
from tests.factories import EnterpriseFactory, item_of


def _policy(**changes):
    LateFeePolicy.objects.filter(pk=1).update(**changes)
    return current_policy()


def test_a_due_date_on_a_weekend_moves_to_monday(db):
    # Period 2026-09: the last day of October is Saturday 31; Sunday 1 November is a rest day
    # too, so the enterprise may pay on Monday 2 November.
    assert due_date_for(date(2026, 9, 1), current_policy()) == date(2026, 11, 2)


def test_a_make_up_working_saturday_does_not_move(db):
    # 2026-02-28 is a Saturday worked in exchange for the Spring Festival (State Council
    # arrangement for 2026, in the calendar's data): January's contribution is due that day.
    assert Holiday.objects.get(date=date(2026, 2, 28)).is_workday
    assert due_date_for(date(2026, 1, 1), current_policy()) == date(2026, 2, 28)


def test_the_setting_off_keeps_the_rule_day(db):
    assert due_date_for(date(2026, 9, 1), _policy(due_moves_off_rest_day=False)) == date(
        2026, 10, 31
    )


def test_a_year_without_data_still_moves_off_its_fixed_holidays(db):
    # Rule "1st of the month after": period 2027-09 → Friday 1 October 2027, National Day; 2 and 3
    # October are holidays and a weekend, so Monday 4 October (2027 has no official data).
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    policy = _policy(due_rule="next_month_day", due_day=1)
    assert due_date_for(date(2027, 9, 1), policy) == date(2027, 10, 4)


def _pay(enterprise, day, amount="1000.00", ref="R"):
    payment_post(
        actor=None,
        enterprise=enterprise,
        amount=D(amount),
        paid_on=day,
        method="self",
        external_ref=ref,
    )


@pytest.mark.parametrize(
    "paid_on, fee",
    [
        (date(2026, 11, 2), D("0.00")),  # the moved due date itself: no fee (before: 2 days, 1.00)
        (date(2026, 11, 3), D("0.50")),  # one day, 11-03, the payment day counted: 1000 × 0.0005
    ],
)
def test_the_fee_runs_from_the_day_after_the_moved_due_date(db, paid_on, fee):
    enterprise = EnterpriseFactory()
    item = item_of(enterprise, date(2026, 9, 1))
    _pay(enterprise, paid_on, amount=str(D("1000.00") + fee))
    item.refresh_from_db()
    assert (item.due_date, item.fee_accrued, item.fee_paid) == (date(2026, 11, 2), fee, fee)


def test_a_changed_setting_is_audited_and_moves_every_due_date_that_follows_the_rule(
    db, django_capture_on_commit_callbacks, county
):
    enterprise = EnterpriseFactory()
    follows = item_of(enterprise, date(2026, 9, 1))
    stated = item_of(enterprise, date(2026, 8, 1))  # an import gave its due date: kept as given
    LedgerItem.objects.filter(pk=stated.pk).update(due_date=date(2026, 9, 15), due_date_fixed=True)
    enterprise_rebuild(enterprise_id=enterprise.pk)
    policy = current_policy()
    data = {
        name: getattr(policy, name)
        for name in ("due_rule", "due_day", "count_payment_day", "pre2011", "cap_at_principal")
    }
    with django_capture_on_commit_callbacks(execute=True):
        policy_update(
            actor=county.sysadmin,
            data={**data, "due_moves_off_rest_day": False},
            rates=[(r.effective_from, r.daily_rate) for r in policy.rates.all()],
        )
    follows.refresh_from_db()
    stated.refresh_from_db()
    assert follows.due_date == date(2026, 10, 31)
    assert stated.due_date == date(2026, 9, 15)
    # Replayed as of today (2026-11-22): 10-31 + 1 … 11-22 = 22 days × 0.50 = 11.00.
    assert follows.fee_accrued == D("11.00")
    entry = AuditEntry.objects.get(action="settings", object_type="arrears.latefeepolicy")
    assert entry.detail["changes"]["due_moves_off_rest_day"] == ["True", "False"]


def test_entering_a_years_arrangement_moves_the_due_dates_in_it(
    db, django_capture_on_commit_callbacks, county
):
    # Period 2027-06 is due Saturday 31 July 2027, moved to Monday 2 August. The administrator
    # then enters 2027 with 31 July as a make-up working day: the due date comes back to it.
    Holiday.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    enterprise = EnterpriseFactory()
    item = item_of(enterprise, date(2027, 6, 1))
    assert item.due_date == date(2027, 8, 2)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_save(
            actor=county.sysadmin,
            year=2027,
            holidays=[(date(2027, 1, 1), "元旦")],
            workdays=[date(2027, 7, 31)],
        )
    item.refresh_from_db()
    assert item.due_date == date(2027, 7, 31)
    assert due_dates_refresh() == []  # nothing left to move


def _quote(*args):
    out = StringIO()
    call_command("latefee_quote", *args, stdout=out)
    return json.loads(out.getvalue())


def test_latefee_quote_takes_the_period_and_says_the_due_date(db):
    # 2026-09 is due 2026-11-02 (moved); quoted as of 2026-11-12 with the payment day counted:
    # 11-03 … 11-12 = 10 days × 2000 × 0.0005 = 10.00.
    result = _quote("--principal", "2000", "--period", "2026-09", "--as-of", "2026-11-12")
    assert (result["due"], result["fee"], result["days"]) == ("2026-11-02", "10.00", 10)
    assert result["exceeds_principal"] is False
    # With --due the JSON stays as it was: no "due" key.
    assert "due" not in _quote(
        "--principal", "2000", "--due", "2026-10-31", "--as-of", "2026-11-12"
    )


def test_latefee_quote_takes_an_open_ended_suspension_and_flags_a_fee_above_the_principal(db):
    # 100.00 due 2005-01-31, as of 2026-01-01, suspended from 2025-09-15 with no end:
    # 2005-02-01 … 2011-06-30 at 0.002 = 2341 days × 0.2 = 468.20; 2011-07-01 … 2025-09-14 at
    # 0.0005 = 5190 days × 0.05 = 259.50; total 727.70, above the principal.
    result = _quote(
        "--principal",
        "100",
        "--due",
        "2005-01-31",
        "--as-of",
        "2026-01-01",
        "--suspend",
        "2025-09-15:",
    )
    assert (result["fee"], result["days"]) == ("727.70", 2341 + 5190)
    assert result["exceeds_principal"] is True
    assert result["segments"][-1]["to"] == "2025-09-14"


@pytest.mark.parametrize("period", ["2026-13", "2026", "九月"])
def test_latefee_quote_refuses_a_bad_period(db, period):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a period"):
        _quote("--principal", "1", "--period", period, "--as-of", "2026-11-12")
