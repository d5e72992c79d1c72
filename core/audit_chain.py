"""The hash chain over the audit log.

An entry is written unsealed inside the transaction of the work it records, and sealed (given
its place in the chain and its hash) in a short transaction of its own once that work has
committed. Chaining at insert time would hold one lock across every audited transaction until
it commits: all writes would queue behind each other, and a transaction holding that lock
while waiting for a row another one holds would deadlock. Sealing after commit takes only the
sealing lock and audit rows, never a business row. Whatever a crash leaves unsealed is sealed
by the next seal (every committed request that logs, and the minutely beat task).
"""

import hashlib
import json
import logging
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from core.models import AuditCheckpoint, AuditEntry

logger = logging.getLogger(__name__)

# The first entry of a chain points to this instead of a previous hash.
GENESIS = "0" * 64
# One key for the sealing lock (pg_advisory_xact_lock), picked once: "qq-audit".
SEAL_LOCK_KEY = 0x71712D6175646974
BATCH = 1000

CONTENT_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "ip",
    "detail",
)


def entry_hash(*, seq: int, prev_hash: str, content: dict) -> str:
    """SHA-256 over the entry's place, the previous hash and its content, as canonical JSON."""
    payload = {
        "seq": seq,
        "prev_hash": prev_hash,
        **{name: content[name] for name in CONTENT_FIELDS},
    }
    payload["at"] = content["at"].isoformat()
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _take_seal_lock(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite (the demo) runs one writer at a time anyway
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
        return cursor.fetchone()[0]


def _chain_head() -> tuple[int, str]:
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is not None:
        return last.seq, last.hash
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    if checkpoint is not None:
        return checkpoint.seq, checkpoint.hash
    return 0, GENESIS


def seal_audit(*, wait: bool = True) -> int:
    """Seal every committed unsealed entry, in the order they were written. Returns how many.
    With wait=False it gives way at once when another seal is running: that one, or the next,
    seals what this one would have."""
    sealed = 0
    while True:
        with transaction.atomic():
            if not _take_seal_lock(wait=wait):
                return sealed
            seq, prev_hash = _chain_head()
            batch = list(
                AuditEntry.objects.filter(seq__isnull=True)
                .order_by("id")
                .values(*CONTENT_FIELDS)[:BATCH]
            )
            for content in batch:
                seq += 1
                digest = entry_hash(seq=seq, prev_hash=prev_hash, content=content)
                AuditEntry.objects.filter(pk=content["id"], seq__isnull=True).update(
                    seq=seq, prev_hash=prev_hash, hash=digest
                )
                prev_hash = digest
            sealed += len(batch)
        if len(batch) < BATCH:
            return sealed


def seal_after_commit() -> None:
    """Registered by log_action: seal once the work it records has committed. A failure here
    must not turn a finished request into an error page; the minutely seal catches up."""

    # One seal per transaction is enough however many entries it wrote (a batch of notices
    # writes hundreds): the seal takes every unsealed entry.
    pending = getattr(connection, "run_on_commit", [])
    if any(callback is _seal_quietly for _, callback, *_ in pending):
        return
    transaction.on_commit(_seal_quietly)


def _seal_quietly():
    try:
        seal_audit(wait=False)
    except Exception:
        logger.exception("sealing the audit log failed; the next seal will retry")


def verify_chain() -> dict:
    """Walk the chain from its start. Returns the number of entries checked, the number not yet
    sealed and the problems found (a removed, altered or inserted entry), in Chinese."""
    problems = []
    checked = 0
    expected_seq, expected_prev = None, None
    first = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").first()
    if first is not None:
        if first.seq == 1:
            expected_prev = GENESIS
        else:
            checkpoint = AuditCheckpoint.objects.filter(seq=first.seq - 1).first()
            if checkpoint is None:
                problems.append(f"链序号 {first.seq} 之前的日志缺失，且没有保留期删除的记录。")
            expected_prev = checkpoint.hash if checkpoint else first.prev_hash
        expected_seq = first.seq
    fields = (*CONTENT_FIELDS, "seq", "prev_hash", "hash")
    rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values(*fields)
    for row in rows.iterator(chunk_size=2000):
        if row["seq"] != expected_seq:
            problems.append(f"链序号 {expected_seq} 至 {row['seq'] - 1} 的日志缺失。")
        if row["prev_hash"] != expected_prev:
            problems.append(f"链序号 {row['seq']}（日志编号 {row['id']}）与前一条不衔接。")
        if entry_hash(seq=row["seq"], prev_hash=row["prev_hash"], content=row) != row["hash"]:
            problems.append(f"链序号 {row['seq']}（日志编号 {row['id']}）的内容被改动过。")
        expected_seq, expected_prev = row["seq"] + 1, row["hash"]
        checked += 1
        if len(problems) >= 50:
            problems.append("问题过多，已停止检查。")
            break
    unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return {"checked": checked, "unsealed": unsealed, "problems": problems}


# 等保 level 3 keeps audit records at least six months (网络安全法 第二十一条): 184 days
# covers any six calendar months. The database trigger enforces the same floor.
RETENTION_FLOOR_DAYS = 184


class RetentionRefused(Exception):
    pass


def prune_audit(*, before: date, today: date) -> AuditCheckpoint | None:
    """Remove the chain's oldest entries written before `before` (a local date), keeping the
    hash of the last one removed so that the rest still verifies. Only a prefix of the chain
    goes: an entry of the period that sorts after a younger one stays. Runs as the owner role:
    the application's role may not delete from the log at all."""
    if before > today - timedelta(days=RETENTION_FLOOR_DAYS):
        raise RetentionRefused(
            f"审计日志至少保留 {RETENTION_FLOOR_DAYS} 天：只能删除 "
            f"{today - timedelta(days=RETENTION_FLOOR_DAYS)} 以前的日志。"
        )
    seal_audit()
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())
    with transaction.atomic():
        _take_seal_lock(wait=True)
        first_kept = (
            AuditEntry.objects.filter(seq__isnull=False, at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        removable = AuditEntry.objects.filter(seq__isnull=False, at__lt=cutoff)
        if first_kept is not None:
            removable = removable.filter(seq__lt=first_kept)
        last = removable.order_by("-seq").first()
        if last is None:
            return None
        doomed = AuditEntry.objects.filter(seq__lte=last.seq)
        count = doomed.count()
        checkpoint = AuditCheckpoint.objects.create(
            seq=last.seq, hash=last.hash, removed=count, before=before
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL qingqian.audit_retention = 'on'")
        doomed.delete()
    return checkpoint
