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
    for username in ("jingban", "zuzhang", "lingdao", "ducha", "admin", "shenji"):
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
