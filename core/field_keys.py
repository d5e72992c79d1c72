"""Encrypting every stored number again under the current FIELD_ENCRYPTION_KEY (core.crypto):
what `manage.py rotate_field_key` does once a replaced key has moved to
FIELD_ENCRYPTION_OLD_KEYS.

The encrypted columns are found on the models themselves (EncryptedCharField, SealedJSONField),
so that this module names no other app's model: a field added later is rotated too.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from core.audit import log_action
from core.crypto import EncryptedCharField, SealedJSONField
from core.models import AuditAction

BATCH = 500


@dataclass
class Column:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    def stale(self, raw: str) -> tuple[bool, object]:
        """(whether the stored text is not what the current key writes, the clear value)."""
        clear = self.field.from_db_value(raw, None, connection)
        fresh = self.field.get_prep_value(clear)
        if isinstance(self.field, SealedJSONField):
            return json.loads(raw) != fresh, clear
        return raw != fresh, clear


def encrypted_columns() -> Iterator[Column]:
    """In the apps' order, which is the order rows are locked in (enterprises before their
    documents: core.locks)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField | SealedJSONField):
                yield Column(model, field)


def _reencrypt_batch(column: Column, ids: list[int], *, write: bool) -> int:
    """Of `ids`, the rows whose value the current key would not have written; rewritten when
    `write`. The rows are locked first, so that no save in between is overwritten."""
    name = column.field.name
    rows = column.model._base_manager.filter(pk__in=ids, **{f"{name}__isnull": False})
    if write:
        rows = rows.select_for_update()
    found = 0
    for pk, raw in rows.order_by("pk").values_list(
        "pk", Cast(name, output_field=models.TextField())
    ):
        if raw == "":
            continue
        stale, clear = column.stale(raw)
        if not stale:
            continue
        found += 1
        if write:
            # update() prepares the clear value, that is encrypts it under the current key.
            column.model._base_manager.filter(pk=pk).update(**{name: clear})
    return found


def field_keys_rotate(*, actor=None, write: bool = True) -> dict[str, int]:
    """For each encrypted column, how many stored values were not under the current key (and,
    when `write`, are now). A batch at a time, each in its own transaction: a rotation that
    stops half-way is run again and carries on; values already rotated are left alone."""
    counts = {}
    for column in encrypted_columns():
        ids = list(column.model._base_manager.order_by("pk").values_list("pk", flat=True))
        found = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                found += _reencrypt_batch(column, ids[start : start + BATCH], write=write)
        counts[column.label] = found
    if write and any(counts.values()):
        log_action(
            actor=actor,
            action=AuditAction.SETTINGS,
            detail={"field_encryption_key_rotated": counts},
            username="" if actor else "manage.py",
        )
    return counts
