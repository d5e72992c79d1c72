"""Encrypting every stored number again under the current FIELD_ENCRYPTION_KEY (core.crypto):
what `manage.py rotate_field_key` does once a replaced key has moved to
FIELD_ENCRYPTION_OLD_KEYS.

The encrypted columns are found on the models themselves (EncryptedCharField, SealedJSONField),
so that this module names no other app's model: a field added later is rotated too, and its
model must then have a place in core.locks.LOCK_ORDER, which the rotation's tests find out.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Cast

from core.audit import log_action
from core.crypto import EncryptedCharField, SealedJSONField
from core.locks import lock_rows
from core.models import AuditAction, AuditResult

BATCH = 500


@dataclass
class Column:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def may_collide(self) -> bool:
        """Whether the column is in a unique constraint: only then can a value rewritten under
        the current key equal another row's."""
        meta = self.model._meta
        together = [c.fields for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
        return self.field.unique or any(self.field.name in fields for fields in together)

    def stale(self, raw: str) -> tuple[bool, object]:
        """(whether the stored text is not what the current key writes, the clear value)."""
        clear = self.field.from_db_value(raw, None, connection)
        fresh = self.field.get_prep_value(clear)
        if isinstance(self.field, SealedJSONField):
            return json.loads(raw) != fresh, clear
        return raw != fresh, clear


@dataclass
class Rotation:
    """What a run found: by column, the values not under the current key (rewritten unless
    only checking); and the rows that could not be rewritten because the value, once under
    the current key, equals another row's (a duplicate entered while the rotation waited)."""

    counts: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)


def encrypted_columns() -> Iterator[Column]:
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedCharField | SealedJSONField):
                yield Column(model, model_field)


def _reencrypt_batch(column: Column, ids: list[int], rotation: Rotation, *, write: bool) -> int:
    """Of `ids`, the rows whose value the current key would not have written; rewritten when
    `write`, each in a savepoint of its own. The rows are locked first (FOR NO KEY UPDATE,
    with the house's lock timeout), so that no save in between is overwritten."""
    name = column.field.name
    if write:
        lock_rows(column.model, ids, queryset=column.model._base_manager.only("pk"))
    rows = column.model._base_manager.filter(pk__in=ids, **{f"{name}__isnull": False})
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
        if not write:
            continue
        # update() prepares the clear value, that is encrypts it under the current key.
        rewrite = column.model._base_manager.filter(pk=pk)
        if not column.may_collide:
            rewrite.update(**{name: clear})
            continue
        try:
            with transaction.atomic():
                rewrite.update(**{name: clear})
        except IntegrityError as error:
            if not _unique_violation(error):
                raise
            found -= 1
            rotation.conflicts.append(_described(column.model._base_manager.get(pk=pk)))
    return found


def _unique_violation(error: IntegrityError) -> bool:
    cause = error.__cause__
    return getattr(cause, "pgcode", None) == "23505" or "UNIQUE constraint" in str(cause)


def _described(row: models.Model) -> str:
    """A row named so that whoever resolves the conflict finds it: its kind, id and label, and
    the enterprise it belongs to when it belongs to one."""
    owner = getattr(row, "enterprise", None)
    of = f"，{owner}（{getattr(owner, 'credit_code', '')}）" if owner is not None else ""
    return f"{row._meta.verbose_name} id={row.pk}（{row}）{of}"


def field_keys_rotate(*, actor=None, write: bool = True) -> Rotation:
    """For each encrypted column, how many stored values were not under the current key (and,
    when `write`, are now). A batch at a time, each in its own transaction: a rotation that
    stops half-way is run again and carries on; values already rotated are left alone. What
    was rewritten is in the audit log even when the run stops on an error."""
    rotation = Rotation()
    failed = True
    try:
        for column in encrypted_columns():
            ids = list(column.model._base_manager.order_by("pk").values_list("pk", flat=True))
            rotation.counts[column.label] = 0
            for start in range(0, len(ids), BATCH):
                # Durable: inside a caller's transaction the batches would not commit one by
                # one, and a run that stops half-way would keep nothing.
                with transaction.atomic(durable=True):
                    rotation.counts[column.label] += _reencrypt_batch(
                        column, ids[start : start + BATCH], rotation, write=write
                    )
        failed = False
    finally:
        if write and (any(rotation.counts.values()) or rotation.conflicts or failed):
            log_action(
                actor=actor,
                action=AuditAction.SETTINGS,
                result=AuditResult.FAILURE if failed or rotation.conflicts else AuditResult.SUCCESS,
                detail={
                    "field_encryption_key_rotated": rotation.counts,
                    "conflicts": rotation.conflicts,
                },
                username="" if actor else "manage.py",
            )
    return rotation
