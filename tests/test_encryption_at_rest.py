"""ID card and bank account numbers are encrypted in the database with a key from the
environment, still found by their exact value, and a dump of the database shows none of them
in clear (issue 13 §3; PIPL 第五十一条)."""

import base64
import os
import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.crypto import PREFIX, encrypt
from core.models import AuditEntry
from enterprises.models import BankAccount, Enterprise
from notices.models import Document
from notices.services import document_issue
from tests.factories import BankAccountFactory, EnterpriseFactory, LedgerItemFactory

ID_NUMBER = "14042719800101001X"
ACCOUNT = "62220213040012345678"


@pytest.fixture
def enterprise(county):
    """With an ID number, a basic account and a document issued to it, which states the
    account (notices.content)."""
    enterprise = EnterpriseFactory(region=county.region_a, legal_rep_id_number=ID_NUMBER)
    BankAccountFactory(enterprise=enterprise, account_number=ACCOUNT, is_basic=True)
    LedgerItemFactory(enterprise=enterprise, period=date(2025, 3, 1))
    document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=enterprise,
        render=False,
    )
    return enterprise


def test_a_documents_stated_account_is_encrypted_and_reads_back(enterprise):
    document = Document.objects.get(enterprise=enterprise)
    assert document.content["bank"]["account"] == ACCOUNT
    stored = _stored(f"SELECT content::text FROM notices_document WHERE id = {document.pk}")
    assert ACCOUNT not in stored and PREFIX in stored
    # The rest of the content stays plain JSON the database can query.
    assert Document.objects.filter(content__enterprise__name=enterprise.name).exists()


def _stored(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_the_database_holds_ciphertext_and_the_application_reads_the_number(enterprise):
    stored_id = _stored(
        f"SELECT legal_rep_id_number FROM enterprises_enterprise WHERE id = {enterprise.pk}"
    )
    stored_account = _stored(
        f"SELECT account_number FROM enterprises_bankaccount WHERE enterprise_id = {enterprise.pk}"
    )
    for stored, clear in ((stored_id, ID_NUMBER), (stored_account, ACCOUNT)):
        assert stored.startswith(PREFIX)
        assert clear not in stored
    enterprise.refresh_from_db()
    assert enterprise.legal_rep_id_number == ID_NUMBER
    assert enterprise.bank_accounts.get().account_number == ACCOUNT


def test_found_by_exact_number_and_still_unique_per_enterprise(enterprise):
    assert Enterprise.objects.get(legal_rep_id_number=ID_NUMBER) == enterprise
    assert BankAccount.objects.get(account_number=ACCOUNT).enterprise == enterprise
    assert BankAccount.objects.filter(account_number__in=[ACCOUNT, "123456"]).count() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        BankAccount.objects.create(
            enterprise=enterprise, bank_name="又一行", account_number=ACCOUNT
        )


def test_a_partial_search_is_refused_rather_than_silently_finding_nothing(enterprise):
    with pytest.raises(NotImplementedError, match="only exact matches"):
        list(BankAccount.objects.filter(account_number__contains="1234"))


def test_the_database_refuses_a_number_in_clear(enterprise):
    attempts = {
        "bank_account_number_encrypted": (
            "UPDATE enterprises_bankaccount SET account_number = %s WHERE enterprise_id = %s",
            ACCOUNT,
        ),
        "enterprise_id_number_encrypted": (
            "UPDATE enterprises_enterprise SET legal_rep_id_number = %s WHERE id = %s",
            ID_NUMBER,
        ),
    }
    for constraint, (sql, clear) in attempts.items():
        with (
            pytest.raises(DatabaseError, match=constraint),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [clear, enterprise.pk])


def test_the_same_digits_in_two_fields_do_not_look_alike(county):
    digits = "140427198001010010"
    e = EnterpriseFactory(region=county.region_a, legal_rep_id_number=digits)
    BankAccountFactory(enterprise=e, account_number=digits)
    assert _stored(
        f"SELECT legal_rep_id_number FROM enterprises_enterprise WHERE id = {e.pk}"
    ) != _stored(f"SELECT account_number FROM enterprises_bankaccount WHERE enterprise_id = {e.pk}")


def test_another_key_cannot_read_the_numbers(enterprise, settings):
    settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(
        b"another-key".ljust(64, b"-")
    ).decode()
    with pytest.raises(ImproperlyConfigured, match="都不是加密时所用的密钥"):
        Enterprise.objects.get(pk=enterprise.pk)


# ---- rotating the key ----------------------------------------------------------------------

NEW_KEY = base64.urlsafe_b64encode(b"the-new-key".ljust(64, b"-")).decode()


def _raw_values(enterprise) -> list[str]:
    return [
        _stored(
            f"SELECT legal_rep_id_number FROM enterprises_enterprise WHERE id = {enterprise.pk}"
        ),
        _stored(
            f"SELECT account_number FROM enterprises_bankaccount WHERE enterprise_id = {enterprise.pk}"
        ),
        _stored(
            f"SELECT content->'bank'->>'account' FROM notices_document WHERE enterprise_id = {enterprise.pk}"
        ),
    ]


def _encrypted_counts() -> tuple[int, int, int]:
    """How many values each encrypted column holds (ID numbers, account numbers, documents)."""
    return (
        _stored("SELECT count(*) FROM enterprises_enterprise WHERE legal_rep_id_number <> ''"),
        _stored("SELECT count(*) FROM enterprises_bankaccount WHERE account_number <> ''"),
        _stored(f"SELECT count(*) FROM notices_document WHERE content::text LIKE '%{PREFIX}%'"),
    )


def _rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_field_key", *args, stdout=out)
    return out.getvalue()


def test_a_new_key_reads_the_old_values_once_the_old_key_is_kept_for_decrypting(
    enterprise, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, [old_key]
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_id_number == ID_NUMBER
    assert Document.objects.get(enterprise=enterprise).content["bank"]["account"] == ACCOUNT
    # Not rotated yet, and still found by an exact search: a duplicate check (the same account
    # entered twice) must not miss it while the rotation waits.
    assert BankAccount.objects.get(account_number=ACCOUNT).enterprise_id == enterprise.pk
    assert BankAccount.objects.filter(account_number__in=[ACCOUNT, "1"]).count() == 1
    assert Enterprise.objects.get(legal_rep_id_number=ID_NUMBER).pk == enterprise.pk
    # --check counts what is left under the old key and refuses to let it go.
    with pytest.raises(
        CommandError, match=f"尚有 {sum(_encrypted_counts())} 条数据未以当前密钥加密"
    ):
        _rotate("--check")


def test_rotating_encrypts_every_value_again_under_the_new_key(enterprise, settings):
    before = _raw_values(enterprise)
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, [old_key]
    ids, accounts, documents = _encrypted_counts()
    assert min(ids, accounts, documents) >= 1
    with CaptureQueriesContext(connection) as queries:
        out = _rotate()
    # Locked as every writer locks (core.locks): inserts pointing at the rows are not blocked.
    locks = [q["sql"] for q in queries.captured_queries if " FOR " in q["sql"]]
    assert len(locks) == 3 and all("FOR NO KEY UPDATE" in sql for sql in locks)
    assert f"企业·法定代表人身份证号：已用当前密钥重新加密 {ids} 条" in out
    assert f"银行账户·账号：已用当前密钥重新加密 {accounts} 条" in out
    assert f"文书·文书内容：已用当前密钥重新加密 {documents} 条" in out
    after = _raw_values(enterprise)
    assert all(value.startswith(PREFIX) for value in after)
    assert all(old != new for old, new in zip(before, after, strict=True))
    # The old key can go: everything reads, and is found, under the new key alone.
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert "全部数据均以当前密钥加密" in _rotate("--check")
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_id_number == ID_NUMBER
    assert BankAccount.objects.get(account_number=ACCOUNT).enterprise_id == enterprise.pk
    document = Document.objects.get(enterprise=enterprise)
    assert document.content["bank"]["account"] == ACCOUNT
    assert document.content["enterprise"]["name"] == enterprise.name  # the rest untouched
    # Run again, it finds nothing to do; and the rotation is in the audit log, once.
    assert "完成：共 0 条" in _rotate()
    entries = AuditEntry.objects.filter(detail__has_key="field_encryption_key_rotated")
    assert [
        e.detail["field_encryption_key_rotated"]["enterprises.Enterprise.legal_rep_id_number"]
        for e in entries
    ] == [ids]
    assert entries.get().actor_username == "manage.py"


def test_without_the_old_key_the_rotation_stops_and_writes_nothing(enterprise, settings):
    before = _raw_values(enterprise)
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, []
    with pytest.raises(CommandError, match="请把加密时所用的旧密钥放入 FIELD_ENCRYPTION_OLD_KEYS"):
        _rotate()
    assert _raw_values(enterprise) == before
    with pytest.raises(CommandError, match="请把加密时所用的旧密钥"):
        _rotate("--check")  # said, not a traceback


def test_a_run_that_stops_half_way_leaves_in_the_audit_log_what_it_rewrote(enterprise, settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    # One account number under a key nobody kept: the ID numbers are rotated first, then the
    # run stops at the accounts.
    lost_key = base64.urlsafe_b64encode(b"a-lost-key".ljust(64, b"-")).decode()
    settings.FIELD_ENCRYPTION_KEY = lost_key
    BankAccountFactory(enterprise=enterprise, account_number="6222000011112222", is_basic=False)
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, [old_key]
    ids, _, _ = _encrypted_counts()
    with pytest.raises(CommandError, match="都不是加密时所用的密钥"):
        _rotate()
    entry = AuditEntry.objects.get(detail__has_key="field_encryption_key_rotated")
    assert entry.result == "failure"
    assert entry.detail["field_encryption_key_rotated"] == {
        "enterprises.Enterprise.legal_rep_id_number": ids,
        "enterprises.BankAccount.account_number": 0,  # the batch that stopped was rolled back
    }
    assert Enterprise.objects.get(pk=enterprise.pk).legal_rep_id_number == ID_NUMBER


def test_a_duplicate_that_the_rotation_would_create_is_named_and_the_rest_rotated(
    enterprise, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW_KEY, [old_key]
    # The same account entered again past every check (straight into the database, under the
    # new key): rotating the first would make the two equal.
    duplicate = BankAccountFactory(
        enterprise=enterprise, account_number="6222000099998888", is_basic=False
    )
    BankAccount.objects.filter(pk=duplicate.pk).update(
        account_number=encrypt(ACCOUNT, context="enterprises.bankaccount.account_number")
    )
    first = BankAccount.objects.filter(enterprise=enterprise).exclude(pk=duplicate.pk).get()
    named = f"银行账户 id={first.pk}（{first}），{enterprise.name}（{enterprise.credit_code}）"
    with pytest.raises(CommandError) as refused:
        _rotate()
    assert named in str(refused.value) and "bank_account_remove_duplicate" in str(refused.value)
    entry = AuditEntry.objects.get(detail__has_key="field_encryption_key_rotated")
    assert entry.result == "failure" and entry.detail["conflicts"] == [named]
    document = Document.objects.get(enterprise=enterprise)
    assert named in _rotate_output_ignoring_conflicts()  # named again until it is resolved
    # The one named is removed (the other stays, and becomes the basic account it was), and
    # the rotation completes.
    out = StringIO()
    call_command("bank_account_remove_duplicate", str(first.pk), stdout=out)
    assert f"已删除 {enterprise.name}" in out.getvalue()
    assert BankAccount.objects.get(enterprise=enterprise).pk == duplicate.pk
    assert BankAccount.objects.get(pk=duplicate.pk).is_basic
    assert "完成：共 0 条" in _rotate()
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert "全部数据均以当前密钥加密" in _rotate("--check")
    # The documents, after the accounts, were rotated by the first run already.
    assert Document.objects.get(pk=document.pk).content["bank"]["account"] == ACCOUNT


def _rotate_output_ignoring_conflicts() -> str:
    try:
        return _rotate()
    except CommandError as error:
        return str(error)


def test_only_an_account_entered_twice_can_be_removed(enterprise):
    account = BankAccount.objects.get(enterprise=enterprise)
    with pytest.raises(CommandError, match="没有账号与此相同的另一个银行账户"):
        call_command("bank_account_remove_duplicate", str(account.pk))
    with pytest.raises(CommandError, match="没有 id 为 0 的银行账户"):
        call_command("bank_account_remove_duplicate", "0")
    assert BankAccount.objects.filter(pk=account.pk).exists()


def test_every_encrypted_column_has_its_place_in_the_lock_order():
    from core.field_keys import encrypted_columns
    from core.locks import LOCK_ORDER

    for column in encrypted_columns():
        assert column.model._meta.label_lower in LOCK_ORDER, column.label


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_dump_shows_no_number_in_clear(enterprise):
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    server = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    dump = subprocess.run(
        [_pg_dump(), "--data-only", *server, db["NAME"]],
        env=env,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert PREFIX in dump
    assert ID_NUMBER not in dump
    assert ACCOUNT not in dump


def _pg_dump() -> str:
    from pathlib import Path

    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    return str(versions[-1]) if versions else "pg_dump"


def test_a_malformed_key_is_reported_by_the_system_checks(settings):
    from core.crypto import check_field_keys

    assert check_field_keys() == []
    too_short = base64.urlsafe_b64encode(b"sixteen-bytes!!!").decode()
    settings.FIELD_ENCRYPTION_OLD_KEYS = [NEW_KEY, too_short]
    problems = check_field_keys()
    assert [p.id for p in problems] == ["qingqian.E001"]
    assert (
        "32、48 或 64 字节" in problems[0].msg and "FIELD_ENCRYPTION_OLD_KEYS" in problems[0].hint
    )
