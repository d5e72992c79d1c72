"""One order for every row lock a writer takes: the enterprise, then its case, then the case's
own rows (approvals, deferrals, fines), then documents, then the document counters.

Two writers that lock the same rows in different orders deadlock: a case move that locked the
case and then wrote a document waited on a payment that locked the enterprise and then wanted
the case. Every writer takes its locks through `lock_rows`, which

- refuses to run outside a transaction (a lock outside one is released at once and protects
  nothing),
- refuses a lock that comes before one already held in this transaction (LockOrderError: a
  programming error, found by the first test that runs the path),
- locks `FOR NO KEY UPDATE` unless asked otherwise: it still serialises writers of the same row
  but lets other transactions insert rows that point at it (a document, a payment), which a
  plain `FOR UPDATE` would block,
- bounds the wait with `lock_timeout`, so a stuck transaction shows the user "busy, try again"
  instead of hanging a worker for ever.

The models are named by label here because core imports no app above it.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

LOCK_ORDER = (
    "enterprises.enterprise",
    # Locked only by the rotation of the field encryption key (core.field_keys).
    "enterprises.bankaccount",
    "enforcement.casecounter",
    "enforcement.case",
    "enforcement.approval",
    "enforcement.deferral",
    "enforcement.fine",
    "notices.document",
    "notices.documentcounter",
    # Locked only by the settings page, which holds nothing else.
    "notices.issuingbody",
)


class LockOrderError(RuntimeError):
    """A lock requested against the house order, or outside a transaction."""


def _rank(model) -> int:
    try:
        return LOCK_ORDER.index(model._meta.label_lower)
    except ValueError as missing:
        raise LockOrderError(
            f"{model._meta.label} has no place in core.locks.LOCK_ORDER"
        ) from missing


def _transaction_id() -> str:
    """Identifies the unit of work we are in, and sets its lock timeout on the way.

    That is the database transaction, except inside a test: the test case wraps every test in
    one transaction of its own, and each service the test calls stands for a transaction of
    production, so the savepoint of the outermost block the test did not open is added.
    """
    if connection.vendor != "postgresql":
        # SQLite (the demo) serialises every write of the database: there is nothing to order.
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true), pg_current_xact_id()::text",
            [f"{settings.LOCK_TIMEOUT_MS}ms"],
        )
        transaction_id = cursor.fetchone()[1]
    blocks = connection.atomic_blocks
    first = next((i for i, block in enumerate(blocks) if not _wraps_operations(block)), 0)
    # savepoint_ids[i - 1] is the savepoint of atomic_blocks[i]; each id is used once.
    savepoint = connection.savepoint_ids[first - 1] if first else ""
    return f"{transaction_id}/{savepoint}"


def held_locks() -> dict:
    """This thread's bookkeeping: on its own database connection (`connection` itself is a
    proxy shared by every thread)."""
    return connections[DEFAULT_DB_ALIAS].__dict__.setdefault("qq_locks_held", {})


def _wraps_operations(block) -> bool:
    return block._from_testcase or getattr(block, "qq_wraps_operations", False)


def operations_transaction():
    """One transaction around several whole operations, each of which keeps the lock order on
    its own (the demo seed: all of it or nothing, and it runs alone)."""
    block = transaction.atomic()
    block.qq_wraps_operations = True
    return block


def lock_rows(model, ids: Iterable[int], *, key: bool = False, queryset=None) -> list:
    """Lock the rows of `model` with these ids, in id order, and return them.

    `key=True` takes a full `FOR UPDATE` (needed only when the key itself may change);
    `queryset` narrows or decorates what is returned (select_related of the model's own
    foreign keys is fine: only the model's own rows are locked).
    """
    if not connection.in_atomic_block:
        raise LockOrderError(f"locking {model._meta.label} outside a transaction protects nothing")
    ids = sorted(set(ids))
    rank = _rank(model)
    transaction_id = _transaction_id()
    held = held_locks()
    if held.get("transaction") != transaction_id:
        held.clear()
        held.update(transaction=transaction_id, highest=-1, label="", rows=set())
    label = model._meta.label_lower
    # Taking again a row this transaction already holds waits for no one: always allowed.
    again = all((label, pk) in held["rows"] for pk in ids)
    if transaction_id and rank < held["highest"] and not again:
        raise LockOrderError(
            f"{model._meta.label} locked after {held['label']}: "
            "the order is enterprise, case, case rows, documents (core.locks.LOCK_ORDER)"
        )
    if rank > held["highest"]:
        held.update(highest=rank, label=model._meta.label)
    held["rows"].update((label, pk) for pk in ids)
    if not ids:
        return []
    rows = (queryset if queryset is not None else model.objects).filter(pk__in=ids)
    return list(rows.select_for_update(no_key=not key, of=("self",)).order_by("pk"))


def lock_row(model, pk: int, *, key: bool = False, queryset=None):
    """One row, as `lock_rows`; DoesNotExist when it is gone."""
    rows = lock_rows(model, [pk], key=key, queryset=queryset)
    if not rows:
        raise model.DoesNotExist(f"{model._meta.label} {pk}")
    return rows[0]
