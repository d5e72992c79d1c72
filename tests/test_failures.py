"""Faults a county server will meet: Redis down, a worker killed mid-run, PostgreSQL restarted.
Each ends in a working page or a clean error, never in half-written data (issue 13 §4).
Redis coming back and the queued work resuming: tests/test_jobs.py (TestBrokerDown and
test_after_the_broker_returns_queued_jobs_and_missing_pdfs_are_caught_up)."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import close_old_connections, connection

from arrears.models import LedgerItem, Payment
from tests.conftest import owner_cursor

ROOT = Path(__file__).resolve().parent.parent
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: to a client, a stopped Redis


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS},
    }


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("leader", "/dashboard/"),
        ("caseworker", "/cases/today/"),
        ("caseworker", "/enterprises/"),
        ("caseworker", "/arrears/"),
        ("group_leader", "/cases/"),
        ("auditor", "/audit/"),
    ],
)
def test_pages_work_with_redis_down(client, county, redis_down, who, url):
    client.force_login(getattr(county, who))
    response = client.get(url)
    assert response.status_code == 200, url


def test_a_payment_is_posted_with_redis_down(client, county, redis_down):
    client.force_login(county.caseworker)
    form = {
        "insurance_type": "pension",
        "amount": "100.00",
        "paid_on": "2026-11-20",
        "method": "self",
        "external_ref": "REDIS-DOWN-1",
        "confirm": "1",
    }
    response = client.post(f"/arrears/enterprise/{county.enterprise.pk}/payments/new/", form)
    assert response.status_code == 302
    assert Payment.objects.filter(external_ref="REDIS-DOWN-1").exists()


# ---- PostgreSQL restarted ---------------------------------------------------------------------

restart = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _terminate_application_connections():
    """What a restart of PostgreSQL does to every connection the application holds."""
    with owner_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE usename = %s AND datname = current_database()",
            [connection.settings_dict["USER"]],
        )


@restart
def test_a_restart_in_the_middle_of_a_payment_writes_nothing_and_shows_a_clean_page(
    client, county, monkeypatch
):
    from arrears import services

    real_log_action = services.log_action

    def restart_then_log(**kwargs):
        # The payment row and its allocations are written; the restart comes before the end.
        _terminate_application_connections()
        return real_log_action(**kwargs)

    monkeypatch.setattr(services, "log_action", restart_then_log)
    client.force_login(county.caseworker)
    client.raise_request_exception = False
    response = client.post(
        f"/arrears/enterprise/{county.enterprise.pk}/payments/new/",
        {
            "insurance_type": "pension",
            "amount": "100.00",
            "paid_on": "2026-11-20",
            "method": "self",
            "external_ref": "RESTART-1",
            "confirm": "1",
        },
    )
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "Traceback" not in page
    connection.close()
    assert not Payment.objects.filter(external_ref="RESTART-1").exists()
    monkeypatch.undo()
    assert client.get("/enterprises/").status_code == 200  # and the next request works


@restart
def test_a_kept_connection_that_died_is_replaced_before_the_next_request(client, county):
    """Production keeps connections (CONN_MAX_AGE); after a restart each is dead, and without
    the health check the first request of every worker thread would fail."""
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()  # the next connection is a kept one
    try:
        client.force_login(county.caseworker)
        assert client.get("/enterprises/").status_code == 200
        _terminate_application_connections()
        # What the WSGI handler does first on every request; Django's test client leaves it
        # out so as not to close the test's own connection.
        close_old_connections()
        assert client.get("/enterprises/").status_code == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


# ---- a worker killed in the middle of the nightly accrual ---------------------------------------

ENTERPRISES, ITEMS_EACH = 2100, 6  # two chunks of the accrual (2,000 enterprises each)
AS_OF = "2026-11-22"


def _build_ledger():
    from enterprises.codes import uscc_check_char
    from enterprises.models import Enterprise
    from tests.factories import RegionFactory

    region = RegionFactory(name="故障镇")
    enterprises = []
    for n in range(ENTERPRISES):
        first17 = f"9114{n:013d}"
        enterprises.append(
            Enterprise(
                credit_code=first17 + uscc_check_char(first17), name=f"故障{n}", region=region
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO arrears_ledgeritem (enterprise_id, insurance_type, period, unit_amount,"
            " individual_amount, due_date, due_date_fixed, principal_paid, fee_paid,"
            " fee_accrued, created_at)"
            " SELECT e.id, 'pension', make_date(2023 + m / 12, m %% 12 + 1, 1),"
            " 500 + e.id %% 97, 200, make_date(2023 + (m + 1) / 12, (m + 1) %% 12 + 1, 15),"
            " false, 0, 0, 0, now()"
            " FROM enterprises_enterprise e CROSS JOIN generate_series(0, %s - 1) AS m"
            " WHERE e.region_id = %s",
            [ITEMS_EACH, region.pk],
        )


def _manage(*args) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _accrual_running() -> bool:
    with owner_cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND query ILIKE %s",
            ["%UPDATE%arrears_ledgeritem%"],
        )
        return cursor.fetchone()[0] > 0


def _fees() -> dict:
    return dict(
        LedgerItem.objects.values_list("pk", "fee_accrued").order_by("pk"),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.real_clock
def test_a_worker_killed_during_the_accrual_leaves_a_ledger_the_rerun_completes():
    _build_ledger()
    # What an uninterrupted run gives, then the ledger as it was before it.
    assert _manage("accrue_late_fees", "--as-of", AS_OF).wait(timeout=120) == 0
    expected = _fees()
    assert sum(expected.values()) > Decimal("0")
    LedgerItem.objects.update(fee_accrued=0, accrued_through=None)

    process = _manage("accrue_late_fees", "--as-of", AS_OF)
    deadline = time.monotonic() + 60
    while not _accrual_running():
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the accrual never started"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert _fees() != expected  # it was stopped half-way, not after the end

    rerun = _manage("accrue_late_fees", "--as-of", AS_OF)
    assert rerun.wait(timeout=120) == 0, rerun.stdout.read()
    assert _fees() == expected
    assert not LedgerItem.objects.exclude(accrued_through=date.fromisoformat(AS_OF)).exists()
