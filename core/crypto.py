"""Encryption at rest of ID card and bank account numbers (个人信息保护法 第五十一条;
GB/T 22239 level 3, confidentiality of important personal data in storage).

Deterministic authenticated encryption (AES-SIV, RFC 5297): the same number always gives the
same ciphertext, so the database still finds an enterprise by its exact account number and
still enforces "one account number once per enterprise" — without ever seeing the number.
The price is that equal numbers are recognisably equal in a dump, and nothing can be searched
by part of a number; the pages never did. Each field encrypts under its own associated data,
so the same digits in two fields do not even look equal.

The key (64 random bytes, base64) comes from the environment (FIELD_ENCRYPTION_KEY), never
from the database: a stolen dump or backup without the key shows no number. Lose the key and
the numbers are lost — it is backed up apart from the database (docs/operations.md).

A key that must be replaced (it leaked, or the office's policy says so) is rotated: the new key
becomes FIELD_ENCRYPTION_KEY, the old one goes to FIELD_ENCRYPTION_OLD_KEYS, which only
decrypts, and `manage.py rotate_field_key` encrypts every stored value again under the new
key (core.field_keys). Until it has run, a number stored under the old key is still read, and
found by an exact search, which then looks for it under every key.
"""

import base64
import binascii
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _cipher(key_text: str) -> AESSIV:
    try:
        key = base64.urlsafe_b64decode(key_text.encode())
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY（或 FIELD_ENCRYPTION_OLD_KEYS 中的一个）不是有效的 base64 文本。"
        ) from None
    if len(key) not in (32, 48, 64):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY（或 FIELD_ENCRYPTION_OLD_KEYS 中的一个）须为 32、48 或 64 字节"
            "（base64 编码）。"
        )
    return AESSIV(key)


@checks.register(checks.Tags.security)
def check_field_keys(app_configs=None, **kwargs) -> list:
    """Every key well formed, the old ones too: a malformed old key would fail every exact
    search at its first use. Run by `check` and `migrate` (the deployment's first step), not
    only at the first number read."""
    problems = []
    for name, key_text in [
        ("FIELD_ENCRYPTION_KEY", settings.FIELD_ENCRYPTION_KEY),
        *(("FIELD_ENCRYPTION_OLD_KEYS", key) for key in settings.FIELD_ENCRYPTION_OLD_KEYS),
    ]:
        try:
            _cipher(key_text)
        except ImproperlyConfigured as error:
            problems.append(checks.Error(str(error), hint=f"检查 {name}。", id="qingqian.E001"))
    return problems


def _keys() -> tuple[str, ...]:
    """The current key, then the old ones a rotation has not retired yet."""
    return (settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS)


def encrypt(text: str, *, context: str, key: str | None = None) -> str:
    """Under the current key, unless another is named (an old one, to search by)."""
    key = settings.FIELD_ENCRYPTION_KEY if key is None else key
    sealed = _cipher(key).encrypt(text.encode(), [context.encode()])
    return PREFIX + base64.urlsafe_b64encode(sealed).decode()


def decrypt(stored: str, *, context: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was switched on; the migration encrypts it
    sealed = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode())
    # The current key first: old keys are tried only for what a rotation has not reached yet.
    for key_text in _keys():
        try:
            return _cipher(key_text).decrypt(sealed, [context.encode()]).decode()
        except InvalidTag:
            continue
    raise ImproperlyConfigured(
        "无法解密已加密的字段：FIELD_ENCRYPTION_KEY 和 FIELD_ENCRYPTION_OLD_KEYS 中的密钥"
        "都不是加密时所用的密钥。"
    )


def _under_every_key(stored: str, context: str) -> list[str]:
    """The ciphertexts a value may be stored as while a rotation is pending: under the current
    key and under each old one."""
    if not isinstance(stored, str) or not stored.startswith(PREFIX):
        return [stored]
    clear = decrypt(stored, context=context)
    return [encrypt(clear, context=context, key=key) for key in _keys()]


class _AnyKeyExact(models.lookups.Exact):
    """While a rotation is pending, an exact search finds a value still stored under an old key
    too: otherwise a duplicate check (the same account entered twice) would miss it, and the
    rotation would then collide with the duplicate."""

    def as_sql(self, compiler, connection):
        if settings.FIELD_ENCRYPTION_OLD_KEYS and self.rhs_is_direct_value():
            values = _under_every_key(self.rhs, self.lhs.output_field._context())
            return models.lookups.In(self.lhs, values).as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


class _AnyKeyIn(models.lookups.In):
    """As _AnyKeyExact, for a list of values. A subquery on the right is compared as stored."""

    def as_sql(self, compiler, connection):
        if settings.FIELD_ENCRYPTION_OLD_KEYS and self.rhs_is_direct_value():
            context = self.lhs.output_field._context()
            values = [v for value in self.rhs for v in _under_every_key(value, context)]
            return models.lookups.In(self.lhs, values).as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


class EncryptedCharField(models.CharField):
    """A CharField whose value is encrypted in the database. `max_length` is the clear
    value's, checked in forms and full_clean; the column is text. Only exact and `in` lookups
    work (by the deterministic ciphertext); any other lookup would silently compare against
    ciphertext, so it is refused."""

    ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def db_type(self, connection):
        return "text"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or str(value).startswith(PREFIX):
            return value
        return encrypt(str(value), context=self._context())

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value, context=self._context())

    def get_lookup(self, lookup_name):
        if lookup_name not in self.ALLOWED_LOOKUPS:
            raise NotImplementedError(
                f"{self._context()} is encrypted: only exact matches can be searched"
            )
        return {"exact": _AnyKeyExact, "in": _AnyKeyIn}.get(lookup_name) or super().get_lookup(
            lookup_name
        )


class SealedJSONField(models.JSONField):
    """A JSONField whose values under `sealed_keys` (at any depth) are encrypted in the
    database, e.g. the account number a document states: the rest stays plain JSON that the
    database can still query (content__extra__…)."""

    def __init__(self, *args, sealed_keys: tuple[str, ...] = (), **kwargs):
        self.sealed_keys = tuple(sealed_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sealed_keys"] = self.sealed_keys
        return name, path, args, kwargs

    def _context(self, key: str) -> str:
        return f"{self.model._meta.label_lower}.{self.name}.{key}"

    def _walk(self, value, seal: bool):
        if isinstance(value, dict):
            walked = {}
            for key, item in value.items():
                if key in self.sealed_keys and isinstance(item, str) and item:
                    if seal:
                        sealed = item.startswith(PREFIX)
                        walked[key] = item if sealed else encrypt(item, context=self._context(key))
                    else:
                        walked[key] = decrypt(item, context=self._context(key))
                else:
                    walked[key] = self._walk(item, seal)
            return walked
        if isinstance(value, list):
            return [self._walk(item, seal) for item in value]
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(self._walk(value, seal=True))

    def from_db_value(self, value, expression, connection):
        return self._walk(super().from_db_value(value, expression, connection), seal=False)
