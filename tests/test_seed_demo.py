from io import StringIO

from django.core.management import call_command

from core.models import User
from enterprises.codes import id_number_problem, uscc_problem
from enterprises.models import Enterprise, Region, TaskGroup


def _seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_demo_county_has_everything_the_first_login_needs(db):
    output = _seed(enterprises=120, seed=7)
    assert Region.objects.count() == 9
    assert TaskGroup.objects.count() == 3
    assert all(g.regions.count() == 3 for g in TaskGroup.objects.all())
    assert Enterprise.objects.count() == 120
    for username in ("jingban", "zuzhang", "lingdao", "ducha", "admin", "anquan", "shenji"):
        assert User.objects.get(username=username).check_password("Qingqian@2026")
        assert username in output
    assert "Qingqian@2026" in output


def test_demo_data_is_valid_and_varied(db):
    _seed(enterprises=120, seed=7)
    enterprises = list(Enterprise.objects.all())
    assert all(uscc_problem(e.credit_code) is None for e in enterprises)
    assert all(id_number_problem(e.legal_rep_id_number) is None for e in enterprises)
    assert len({e.status for e in enterprises}) >= 5
    assert all(e.full_clean() is None for e in enterprises[:20])


def test_same_seed_gives_the_same_county_and_reruns_add_nothing(db):
    _seed(enterprises=50, seed=11)
    first = sorted(Enterprise.objects.values_list("credit_code", "name"))
    _seed(enterprises=50, seed=11)
    assert sorted(Enterprise.objects.values_list("credit_code", "name")) == first


def test_demo_ledger_has_arrears_payments_a_bankruptcy_and_old_state_enterprises(db):
    from datetime import date

    from arrears.models import LedgerItem, Payment, Suspension
    from arrears.verify import enterprise_differences
    from core.dates import today

    _seed(enterprises=150, months=36, seed=7)
    in_arrears = Enterprise.objects.filter(ledger_items__isnull=False).distinct()
    assert in_arrears.count() > 30
    assert LedgerItem.objects.filter(period__gte=date(today().year - 3, 1, 1)).count() > 300
    assert Payment.objects.filter(allocations__isnull=False).exists()
    bankruptcy = Suspension.objects.get(kind="bankruptcy")
    assert (
        bankruptcy.status == "approved"
        and bankruptcy.start == bankruptcy.enterprise.bankruptcy_accepted_on
    )
    old = Enterprise.objects.filter(
        ownership="state", ledger_items__period__lt=date(2011, 7, 1)
    ).distinct()
    assert old.count() == 2
    assert all(enterprise_differences(e.pk, as_of=today()) == [] for e in in_arrears[:20])


def test_demo_has_cases_at_every_stage_with_pending_approvals(db):
    from enforcement.models import (
        Approval,
        AuditLead,
        AuditRecord,
        Case,
        Deferral,
        Fine,
    )
    from enforcement.stages import Stage

    _seed(enterprises=150, months=36, seed=7)
    stages = set(Case.objects.values_list("stage", flat=True))
    assert set(Stage.values) <= stages
    assert Approval.objects.filter(status="pending", to_stage="bank").exists()
    assert Approval.objects.filter(status="pending", to_stage="penalty").exists()
    assert Deferral.objects.filter(status="broken").exists()
    assert Deferral.objects.filter(status="active").exists()
    assert set(
        Case.objects.exclude(closing_reason="").values_list("closing_reason", flat=True)
    ) >= {
        "paid",
        "write_off",
    }
    assert AuditRecord.objects.exists() and Fine.objects.exists()
    assert AuditLead.objects.filter(status="open").count() >= 4
    classes = set(Enterprise.objects.values_list("ability", flat=True))
    assert {"able", "to_verify"} <= classes
    assert Case.objects.count() == _seed_again_count()


def _seed_again_count():
    from enforcement.models import Case

    before = Case.objects.count()
    _seed(enterprises=150, months=36, seed=7)
    return before if Case.objects.count() == before else -1
