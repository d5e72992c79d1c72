"""`make backup` / `make restore` (scripts/backup.sh) against the real PostgreSQL server.

A backup restored into a fresh database gives back every row of every table, the sequences,
the ledger's totals and the media files byte for byte; a damaged backup is refused before the
database or the media folder is touched. The script runs as its own process, the way an
administrator runs it, and as the owner role (DATABASE_URL's user): backup and restore are DBA
work. It sees the machine's clock, which only names the backup folder.
"""

import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from arrears.models import LedgerItem, Payment
from arrears.services import enterprise_rebuild, payment_post
from core import roles
from core.audit import AuditAction, log_action
from core.models import AuditEntry
from notices.models import ServiceRecord
from notices.services import document_issue, service_record
from tests.factories import EnterpriseFactory, LedgerItemFactory, RegionFactory, UserFactory

# pg_dump reads what is committed: the data is written by a transactional test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "backup.sh"
TIMEOUT_SECONDS = 300
# A scanned receipt as a JPEG begins and ends; every byte value in between, so that any
# mangling on the way (a newline translated, an encoding applied) shows.
PROOF = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64 + b"\xff\xd9"


def server_url(database: str) -> str:
    """DATABASE_URL's server and user (the owner role), on another database."""
    return urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{database}"))


def run_script(*args: str, database: str, media: Path, backup_dir: Path | None = None):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
    env.update(DATABASE_URL=server_url(database), MEDIA_ROOT=str(media), LC_ALL="C.UTF-8")
    if backup_dir is not None:
        env["BACKUP_DIR"] = str(backup_dir)
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


def manage(database: str, *args: str):
    """A management command in its own process, as the owner role, on `database`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": server_url(database),
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
        },
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )


@pytest.fixture
def scratch():
    """A new, empty database on the same server, as on a freshly installed one; dropped after."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(server_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def build_county() -> ServiceRecord:
    """Two enterprises with arrears, a payment, a served notice with its scanned receipt in
    the media folder, and audit entries."""
    region = RegionFactory(name="龙泉镇")
    enterprise = EnterpriseFactory(region=region, name="壶关县鑫源机械制造有限公司")
    other = EnterpriseFactory(region=region, name="壶关县恒达建材有限公司")
    for month in (1, 2, 3):
        LedgerItemFactory(enterprise=enterprise, period=date(2025, month, 1))
    LedgerItemFactory(enterprise=other, period=date(2025, 1, 1), unit_amount=Decimal("1234.56"))
    payment_post(
        actor=None,
        enterprise=enterprise,
        amount=Decimal("1500.00"),
        paid_on=date(2025, 6, 1),
        method="self",
        external_ref="BANK-001",
    )
    # The nightly accrual's work for the enterprise no payment has replayed yet.
    enterprise_rebuild(enterprise_id=other.pk)
    caseworker = UserFactory(username="jingban", role=roles.CASEWORKER)
    document = document_issue(
        from_case=True,
        actor=caseworker,
        doc_type="deadline_notice",
        enterprise=enterprise,
        render=False,
    )
    record = service_record(
        actor=caseworker,
        document=document,
        method="direct",
        served_on=date(2026, 11, 22),
        recipient="张三",
        proof=SimpleUploadedFile("回证.jpg", PROOF, content_type="image/jpeg"),
    )
    log_action(actor=caseworker, action=AuditAction.EXPORT, detail={"rows": 4})
    return record


def snapshot(cursor) -> dict:
    """Row counts of every table, every sequence's position and the ledger's totals."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
    )
    sequences = dict(cursor.fetchall())
    cursor.execute(
        "SELECT sum(principal), sum(principal_paid), sum(fee_accrued), sum(fee_paid) "
        f"FROM {LedgerItem._meta.db_table}"
    )
    principal, principal_paid, fees, fees_paid = cursor.fetchone()
    cursor.execute(f"SELECT sum(amount) FROM {Payment._meta.db_table}")
    (payments,) = cursor.fetchone()
    return {
        "counts": counts,
        "sequences": sequences,
        "ledger": {
            "principal": principal,
            "principal_paid": principal_paid,
            "fees": fees,
            "fees_paid": fees_paid,
            "payments": payments,
        },
    }


@contextmanager
def owner_cursor(database: str):
    """A cursor of the owner role on `database`, committed and closed on leaving."""
    db = psycopg2.connect(server_url(database))
    try:
        with db.cursor() as cursor:
            yield cursor
        db.commit()
    finally:
        db.close()


def snapshot_of(database: str) -> dict:
    with owner_cursor(database) as cursor:
        return snapshot(cursor)


def make_backup(tmp_path: Path) -> Path:
    made = run_script(
        "create",
        database=connection.settings_dict["NAME"],
        media=Path(settings.MEDIA_ROOT),
        backup_dir=tmp_path / "backups",
    )
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip().splitlines()[-1])
    assert folder.parent == tmp_path / "backups"
    assert re.fullmatch(r"qingqian-\d{8}-\d{6}", folder.name)
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "backup.txt",
        "database.dump",
        "media.tar",
    ]
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert all(re.fullmatch(r"[0-9a-f]{64}  \S+", line) for line in sums)
    assert {line.split()[1] for line in sums} == {"database.dump", "media.tar", "backup.txt"}
    return folder


def test_a_backup_restored_on_a_fresh_database_gives_back_every_row_and_file(tmp_path, scratch):
    record = build_county()
    call_command("verify_ledger", stdout=StringIO())  # consistent before the backup
    before = snapshot_of(connection.settings_dict["NAME"])
    assert before["counts"][LedgerItem._meta.db_table] == 4
    assert before["counts"][Payment._meta.db_table] == 1
    assert before["counts"][ServiceRecord._meta.db_table] == 1
    assert before["counts"][AuditEntry._meta.db_table] >= 2
    assert before["ledger"]["principal"] == Decimal("4534.56")
    assert before["ledger"]["payments"] == Decimal("1500.00")
    assert before["ledger"]["fees"] > 0

    folder = make_backup(tmp_path)
    restored_media = tmp_path / "restored-media"
    restored = run_script("restore", str(folder), database=scratch, media=restored_media)
    assert restored.returncode == 0, restored.stderr

    after = snapshot_of(scratch)
    assert after["counts"] == before["counts"]
    assert after["sequences"] == before["sequences"]
    assert after["ledger"] == before["ledger"]
    proof = restored_media / record.proof.name
    assert (
        proof.read_bytes() == PROOF == (Path(settings.MEDIA_ROOT) / record.proof.name).read_bytes()
    )

    # The application agrees: the restored caches equal what the ledger's history derives, and
    # the audit log's hash chain is whole (the checks docs/operations.md asks for).
    ledger = manage(scratch, "verify_ledger", "--as-of", "2026-11-22")
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert "checked 2 enterprises: 0 differences" in ledger.stdout
    audit = manage(scratch, "verify_audit", "--no-seal")
    assert audit.returncode == 0, audit.stdout + audit.stderr

    # Over a database that has data, only when asked; then the same rows come back again.
    again = run_script("restore", str(folder), database=scratch, media=restored_media)
    assert again.returncode != 0
    assert "不是空库" in again.stderr
    replaced = run_script(
        "restore", str(folder), "--replace", database=scratch, media=restored_media
    )
    assert replaced.returncode == 0, replaced.stderr
    assert snapshot_of(scratch) == after


def test_a_damaged_backup_is_refused_and_nothing_is_touched(tmp_path, scratch):
    build_county()
    folder = make_backup(tmp_path)
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))

    # The scratch database holds something of its own, and so does the media folder.
    with owner_cursor(scratch) as cursor:
        cursor.execute("CREATE TABLE kept (note text)")
        cursor.execute("INSERT INTO kept VALUES ('恢复前的数据')")
    media = tmp_path / "restored-media"
    media.mkdir()
    (media / "kept.txt").write_text("恢复前的附件")

    refused = run_script("restore", str(folder), "--replace", database=scratch, media=media)
    assert refused.returncode != 0
    assert "database.dump：内容与校验值不符" in refused.stderr
    assert "拒绝恢复" in refused.stderr

    with owner_cursor(scratch) as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchall() == [("kept",)]
        cursor.execute("SELECT note FROM kept")
        assert cursor.fetchall() == [("恢复前的数据",)]
    assert sorted(p.name for p in media.iterdir()) == ["kept.txt"]
    assert (media / "kept.txt").read_text() == "恢复前的附件"

    verified = run_script("verify", str(folder), database=scratch, media=media)
    assert verified.returncode != 0
