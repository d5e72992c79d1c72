"""Retention removes only what is older than 184 days, only as the owner, and the chain still
verifies afterwards (issue 13 §1)."""

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from core.audit import log_action
from core.audit_chain import seal_audit, verify_chain
from core.models import AuditCheckpoint, AuditEntry
from tests.conftest import NOW, as_owner, owner_cursor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def old_and_new(frozen):
    """Two exports of last winter, then the county set up and an import today."""
    for day in ("2026-01-10T02:00:00Z", "2026-02-10T02:00:00Z"):
        frozen.move_to(day)
        log_action(actor=None, username="jingban", action="export", detail={"day": day})
    frozen.move_to(NOW)
    log_action(actor=None, username="jingban", action="import")
    seal_audit()


def test_the_owner_prunes_what_is_older_and_the_rest_still_verifies(old_and_new, capsys):
    kept = AuditEntry.objects.count() - 2
    with as_owner():
        call_command("prune_audit", "--before", "2026-03-01")
    assert "已删除 2026-03-01 以前的审计日志 2 条" in capsys.readouterr().out
    assert not AuditEntry.objects.filter(action="export").exists()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.removed, str(checkpoint.before)) == (2, "2026-03-01")
    pruned = AuditEntry.objects.get(action="audit_pruned")
    assert pruned.detail == {"before": "2026-03-01", "removed": 2}
    assert AuditEntry.objects.count() == kept + 1
    seal_audit()
    assert verify_chain()["problems"] == []


def test_nothing_younger_than_184_days_may_go(old_and_new):
    # 2026-11-22 less 184 days is 2026-05-22.
    with as_owner(), pytest.raises(CommandError, match="至少保留 184 天：只能删除 2026-05-22 以前"):
        call_command("prune_audit", "--before", "2026-05-23")
    with as_owner():
        call_command("prune_audit", "--before", "2026-05-22")
    assert AuditEntry.objects.filter(action="import").exists()


def test_the_application_role_may_not_prune_at_all(old_and_new):
    with pytest.raises(DatabaseError, match="permission denied"):
        call_command("prune_audit", "--before", "2026-03-01")
    assert AuditEntry.objects.filter(action="export").count() == 2


def test_the_database_itself_keeps_young_entries_from_the_owner():
    """The trigger measures with the database's own clock, so the entry is written by it."""
    with pytest.raises(psycopg2.Error, match="append-only"), owner_cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditentry (at, actor_username, action, object_type, object_id,"
            " object_repr, result, detail, prev_hash, hash) VALUES (now() - interval '183 days',"
            " 'x', 'login', '', '', '', 'success', '{}', '', '');"
            "UPDATE core_auditentry SET seq = 1000000, prev_hash = repeat('0', 64),"
            " hash = repeat('1', 64) WHERE actor_username = 'x';"
            "SET LOCAL qingqian.audit_retention = 'on';"
            "DELETE FROM core_auditentry WHERE actor_username = 'x'"
        )
