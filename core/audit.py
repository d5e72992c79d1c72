"""The one audit API: everything that changes money or state, logs in or out, exports or
unmasks calls log_action."""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models

from core.audit_chain import seal_after_commit
from core.models import AuditAction, AuditEntry, AuditResult

__all__ = ["AuditAction", "AuditResult", "client_ip", "log_action", "on_behalf_of"]

# The address of the request that started the background work now running (core.jobs): what
# that work logs is the user's act from there, not the worker's.
_ORIGIN_IP: ContextVar[str | None] = ContextVar("audit_origin_ip", default=None)


@contextmanager
def on_behalf_of(*, ip: str | None):
    token = _ORIGIN_IP.set(ip)
    try:
        yield
    finally:
        _ORIGIN_IP.reset(token)


def client_ip(request) -> str | None:
    """The client's address. Behind a trusted reverse proxy (settings.TRUSTED_PROXIES) it is
    the last address in X-Forwarded-For that is not itself a trusted proxy: everything left of
    it is whatever the client chose to send. From anyone else the header is ignored."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for address in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if address in trusted:
            continue
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            return remote  # a forged or broken header: the proxy's own address, not the junk
    return remote


def log_action(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    result: str = AuditResult.SUCCESS,
    request=None,
    detail: dict | None = None,
    username: str = "",
) -> AuditEntry:
    """Append one entry. `actor` may be None (failed login); then `username` says who tried."""
    known_actor = actor if actor is not None and actor.is_authenticated else None
    entry = AuditEntry(
        actor=known_actor,
        # Work started from the command line or by a scheduled task has no user: say so.
        actor_username=username or (known_actor.get_username() if known_actor else "系统"),
        action=action,
        result=result,
        ip=client_ip(request) if request is not None else _ORIGIN_IP.get(),
        detail=detail or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save(force_insert=True)
    seal_after_commit()
    return entry
