"""ID card and bank account numbers are encrypted in the database with a key from the
environment, still found by their exact value, and a dump of the database shows none of them
in clear (issue 13 §3; PIPL 第五十一条)."""

import base64
import os
import subprocess
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction

from core.crypto import PREFIX
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
    with pytest.raises(ImproperlyConfigured, match="密钥不一致"):
        Enterprise.objects.get(pk=enterprise.pk)


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
