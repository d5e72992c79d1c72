"""Nobody who holds the application's credentials can erase or rewrite the audit log, and
what the owner role could still do is caught by the hash chain (issue 13 §1)."""

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core import audit_chain
from core.audit import log_action
from core.audit_chain import seal_audit, verify_chain
from core.models import AuditEntry
from tests.conftest import owner_cursor


def _execute(statement):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.fixture
def logged(county):
    """Five exports after what the county's set-up logged, all sealed; refreshed, so that each
    carries its place in the chain."""
    entries = [
        log_action(actor=county.caseworker, action="export", detail={"rows": n}) for n in range(5)
    ]
    seal_audit()
    for entry in entries:
        entry.refresh_from_db()
    return entries


ATTACKS = [
    "TRUNCATE core_auditentry",
    "ALTER TABLE core_auditentry DISABLE TRIGGER ALL",
    "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only",
    "SET session_replication_role = replica",
    "DELETE FROM core_auditentry",
    "UPDATE core_auditentry SET action = 'login'",
    "UPDATE core_auditentry SET detail = '{}'",
    "DROP TABLE core_auditentry CASCADE",
    "DROP TRIGGER core_auditentry_append_only ON core_auditentry",
    "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS "
    "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
]


@pytest.mark.parametrize("statement", ATTACKS)
def test_the_application_role_can_neither_wipe_nor_rewrite_the_log(logged, statement):
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        _execute(statement)
    assert AuditEntry.objects.filter(action="export").count() == 5
    assert verify_chain()["problems"] == []


def test_the_application_role_owns_nothing_and_is_no_superuser(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0


def test_sealing_may_not_touch_a_sealed_entry_even_its_hash(logged):
    with pytest.raises(DatabaseError, match="append-only"):
        _execute(f"UPDATE core_auditentry SET hash = repeat('a', 64) WHERE id = {logged[0].pk}")


def test_an_entry_cannot_be_written_already_sealed(county):
    with pytest.raises(DatabaseError, match="unsealed"):
        _execute(
            "INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
            " object_repr, result, detail, seq, prev_hash, hash) VALUES (now(), 'x', 'login',"
            " '', '', '', 'success', '{}', 999, repeat('0', 64), repeat('f', 64))"
        )


# What the owner role can do beside the application (tests below): the rows must be committed
# for its own connection to see them.
tamper = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@tamper
@pytest.mark.parametrize(
    "statement", ["UPDATE core_auditentry SET action = 'login'", "DELETE FROM core_auditentry"]
)
def test_even_the_owner_is_stopped_by_the_trigger(logged, statement):
    with pytest.raises(psycopg2.Error, match="append-only"), owner_cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.filter(action="export").count() == 5


def _behind_the_triggers_back(statement):
    """What only the owner can do: switch the trigger off and change the table."""
    with owner_cursor() as cursor:
        cursor.execute(
            "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only;"
            f"{statement};"
            "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only"
        )


def test_the_chain_holds_for_untouched_entries(logged):
    result = verify_chain()
    assert result == {"checked": AuditEntry.objects.count(), "unsealed": 0, "problems": []}
    assert [e.seq for e in logged] == list(range(logged[0].seq, logged[0].seq + 5))
    assert logged[1].prev_hash == logged[0].hash


@tamper
def test_an_altered_entry_breaks_the_chain(logged):
    _behind_the_triggers_back(
        f"UPDATE core_auditentry SET detail = '{{\"rows\": 99}}' WHERE id = {logged[2].pk}"
    )
    assert verify_chain()["problems"] == [
        f"链序号 {logged[2].seq}（日志编号 {logged[2].pk}）的内容被改动过。"
    ]


@tamper
def test_a_removed_entry_breaks_the_chain(logged):
    _behind_the_triggers_back(f"DELETE FROM core_auditentry WHERE id = {logged[2].pk}")
    problems = verify_chain()["problems"]
    assert problems == [
        f"链序号 {logged[2].seq} 至 {logged[2].seq} 的日志缺失。",
        f"链序号 {logged[3].seq}（日志编号 {logged[3].pk}）与前一条不衔接。",
    ]


@tamper
def test_removing_the_oldest_entries_is_noticed_too(logged):
    _behind_the_triggers_back(f"DELETE FROM core_auditentry WHERE seq <= {logged[0].seq}")
    assert verify_chain()["problems"] == [
        f"链序号 {logged[1].seq} 之前的日志缺失，且没有保留期删除的记录。"
    ]


@tamper
def test_a_rehashed_entry_still_breaks_the_link_to_the_next(logged):
    """An attacker who rewrites an entry and recomputes its hash must rewrite every later one."""
    from core.audit_chain import entry_hash

    _behind_the_triggers_back(
        f"UPDATE core_auditentry SET action = 'login' WHERE id = {logged[1].pk}"
    )
    entry = AuditEntry.objects.values().get(pk=logged[1].pk)
    forged = entry_hash(seq=entry["seq"], prev_hash=entry["prev_hash"], content=entry)
    _behind_the_triggers_back(
        f"UPDATE core_auditentry SET hash = '{forged}' WHERE id = {logged[1].pk}"
    )
    assert verify_chain()["problems"] == [
        f"链序号 {logged[2].seq}（日志编号 {logged[2].pk}）与前一条不衔接。"
    ]


@tamper
def test_entries_are_sealed_once_their_work_commits(county, monkeypatch):
    seals = []
    monkeypatch.setattr(audit_chain, "seal_audit", lambda **kw: seals.append(kw))
    with transaction.atomic():
        for _ in range(3):
            log_action(actor=county.caseworker, action="export")
        assert seals == []  # nothing is chained before the work it records has committed
    # One seal per transaction, however many entries it wrote; it gives way to a running one.
    assert seals == [{"wait": False}]
    monkeypatch.undo()
    log_action(actor=county.caseworker, action="import")  # outside a transaction: at once
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    assert verify_chain()["problems"] == []


def test_an_entry_rolled_back_with_its_work_leaves_no_gap(county):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_action(actor=county.caseworker, action="export")
        raise RuntimeError
    log_action(actor=county.caseworker, action="import")
    seal_audit()
    assert verify_chain()["problems"] == []
    assert AuditEntry.objects.filter(action="export").count() == 0


@tamper
def test_verify_audit_command_says_whether_the_chain_holds(logged, capsys):
    call_command("verify_audit")
    checked = AuditEntry.objects.count()
    assert f"审计日志哈希链完整：已核验 {checked} 条，未入链 0 条" in capsys.readouterr().out
    _behind_the_triggers_back(f"DELETE FROM core_auditentry WHERE id = {logged[1].pk}")
    with pytest.raises(CommandError, match="核验未通过"):
        call_command("verify_audit")
