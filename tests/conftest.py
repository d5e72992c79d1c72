from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TransactionTestCase

from arrears.models import LedgerAdjustment, Suspension
from arrears.services import payment_post
from core import roles
from core.locks import held_locks
from core.models import Job
from notices.services import document_issue
from tests.factories import (
    BankAccountFactory,
    EnterpriseFactory,
    LedgerItemFactory,
    RegionFactory,
    TaskGroupFactory,
    UserFactory,
)

# Every test runs at this moment, 2026-11-22 10:00 in Asia/Shanghai, whatever the machine's
# date: a test written today must pass on any later day (a suite once failed two weeks after
# it was written). A test that needs the machine's own clock says so with `real_clock`.
NOW = "2026-11-22T02:00:00Z"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django created and migrated the test databases as DATABASE_URL's user, the owner;
    every test then runs as the application role, as the web and the workers do in
    production (core.db_roles): a test that passes here passes with production's privileges."""
    from django.conf import settings
    from django.db import connection

    from core.db_roles import ensure_role, grant_app_privileges

    role = settings.DATABASE_APP_ROLE
    with django_db_blocker.unblock():
        if "core_auditentry" not in connection.introspection.table_names():
            yield  # no test of this run uses the database: none was created
            return
        ensure_role(connection, role, connection.settings_dict.get("PASSWORD") or None)
        grant_app_privileges(connection, role)
    _OWNER.append(connection.settings_dict["USER"])
    _connect_as(role)
    yield
    _connect_as(_OWNER.pop())


_OWNER: list[str] = []


def _connect_as(user: str) -> None:
    from django.db import connections

    for connection in connections.all():
        connection.close()
        connection.settings_dict["USER"] = user


@contextmanager
def owner_cursor():
    """A cursor of the owner role on a connection of its own, which commits on leaving: what a
    DBA (or an intruder with the owner's password) does beside the application. It sees only
    committed rows, so the tests that use it are transactional."""
    import psycopg2
    from django.db import connection

    params = {**connection.get_connection_params(), "user": _OWNER[-1]}
    owner = psycopg2.connect(**params)
    try:
        with owner.cursor() as cursor:
            yield cursor
        owner.commit()
    finally:
        owner.close()


@contextmanager
def as_owner():
    """Run as the owner role: the DBA's work (migrations, pruning the audit log) and a
    transactional test's clean-up, which empties every table, the audit log included."""
    from django.conf import settings

    _connect_as(_OWNER[-1])
    try:
        yield
    finally:
        _connect_as(settings.DATABASE_APP_ROLE)


def _clean_up_as_owner(teardown):
    def as_the_owner(self):
        if not _OWNER:
            return teardown(self)
        with as_owner():
            return teardown(self)

    return as_the_owner


# A transactional test (browser, concurrency) ends by emptying every table with TRUNCATE,
# which the application role may not do to the audit log: that clean-up runs as the owner.
TransactionTestCase._fixture_teardown = _clean_up_as_owner(TransactionTestCase._fixture_teardown)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def frozen(request):
    """The clock of every test; `frozen.move_to(...)` moves it."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def county(db):
    """Two task groups with one township each, and a user for every role.

    `caseworker` and `group_leader` work in group A; `outsider` is a caseworker of group B.
    `enterprise` is in A's township, `other_enterprise` in B's.
    """
    group_a, group_b = TaskGroupFactory(name="第一工作组"), TaskGroupFactory(name="第二工作组")
    region_a = RegionFactory(name="龙泉镇", task_group=group_a)
    region_b = RegionFactory(name="百尺镇", task_group=group_b)
    caseworker = UserFactory(username="jingban", role=roles.CASEWORKER)
    group_leader = UserFactory(username="zuzhang", role=roles.GROUP_LEADER)
    outsider = UserFactory(username="jingban2", role=roles.CASEWORKER)
    group_a.leader = group_leader
    group_a.save()
    group_a.members.add(caseworker)
    group_b.members.add(outsider)
    enterprise = EnterpriseFactory(region=region_a, name="壶关县鑫源机械制造有限公司")
    other_enterprise = EnterpriseFactory(region=region_b, name="壶关县恒达建材有限公司")
    ledger = {
        e: _ledger(e, caseworker if e == enterprise else outsider)
        for e in (enterprise, other_enterprise)
    }
    return SimpleNamespace(
        item=ledger[enterprise][0],
        payment=ledger[enterprise][1],
        suspension=ledger[enterprise][2],
        adjustment=ledger[enterprise][3],
        other_item=ledger[other_enterprise][0],
        other_payment=ledger[other_enterprise][1],
        other_suspension=ledger[other_enterprise][2],
        other_adjustment=ledger[other_enterprise][3],
        document=document_issue(
            from_case=True,
            actor=caseworker,
            doc_type="deadline_notice",
            enterprise=enterprise,
            render=False,
        ),
        other_document=document_issue(
            from_case=True,
            actor=outsider,
            doc_type="deadline_notice",
            enterprise=other_enterprise,
            render=False,
        ),
        batch_job=Job.objects.create(
            kind="notice_batch",
            created_by=caseworker,
            status="done",
            result={
                "doc_type": "deadline_notice",
                "enterprise_ids": [],
                "documents": [],
                "skipped": [],
                "merged": default_storage.save("batches/test.pdf", ContentFile(b"%PDF-1.4 test")),
            },
        ),
        job=Job.objects.create(
            kind="import:tax",
            task="core.tasks.check_import",
            created_by=caseworker,
            status="refused",
            file_name="个税.xlsx",
            result={
                "file_error": "",
                "problems": [[2, "个税人数", "不是整数"]],
                "problem_count": 1,
            },
        ),
        group_a=group_a,
        group_b=group_b,
        region_a=region_a,
        region_b=region_b,
        caseworker=caseworker,
        group_leader=group_leader,
        outsider=outsider,
        leader=UserFactory(username="lingdao", role=roles.TASKFORCE_LEADER),
        supervisor=UserFactory(username="ducha", role=roles.SUPERVISOR),
        sysadmin=UserFactory(username="admin", role=roles.SYSTEM_ADMIN),
        auditor=UserFactory(username="shenji", role=roles.AUDIT_ADMIN),
        enterprise=enterprise,
        other_enterprise=other_enterprise,
        account=BankAccountFactory(enterprise=enterprise),
        other_account=BankAccountFactory(enterprise=other_enterprise),
    )


def _ledger(enterprise, requester):
    """Two months of arrears, one payment and a pending suspension request."""
    items = [LedgerItemFactory(enterprise=enterprise, period=date(2025, m, 1)) for m in (1, 2)]
    payment, _ = payment_post(
        actor=None,
        enterprise=enterprise,
        amount=Decimal("300.00"),
        paid_on=date(2025, 6, 1),
        method="self",
        external_ref="BANK-001",
    )
    suspension = Suspension.objects.create(
        enterprise=enterprise,
        kind="deferral",
        start=date(2025, 7, 1),
        end=date(2025, 9, 30),
        period_to=date(2025, 2, 1),
        reason="经批准缓缴",
        document="壶人社〔2025〕1号",
        requested_by=requester,
    )
    # Checked and found right: an adjustment that changes nothing needs no approval.
    adjustment = LedgerAdjustment.objects.create(
        item=items[1],
        unit_before=items[1].unit_amount,
        individual_before=items[1].individual_amount,
        unit_after=items[1].unit_amount,
        individual_after=items[1].individual_amount,
        reason="核对无误",
        status="applied",
        created_by=requester,
    )
    return items[0], payment, suspension, adjustment


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test starts without what an earlier one cached (menu badges, dashboard figures): a
    # user's id can come again in another test's county.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _lock_bookkeeping_per_test():
    # core.locks keeps the locks of the transaction it is in; a test that failed half-way must
    # not leave them to the next test's first transaction.
    held_locks().clear()


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        bool(marker and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, concurrency) empties every table when it ends, the rows
    the migrations wrote included (roles, the holiday calendar). Run in one process, Django's
    order puts those tests last; spread over parallel workers (pytest-xdist) they are not, so
    the migrations' rows are put back for whatever test runs next in the same worker."""
    result = yield
    # After the last test the session's databases are gone already, and nothing needs them.
    if nextitem is not None and _flushes_the_database(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all(initialized_only=True):
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    connection.creation.deserialize_db_from_string(contents)
    return result
