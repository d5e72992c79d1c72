"""The one audit API: everything that changes money or state, logs in or out, exports or
unmasks calls log_action."""

from django.db import models

from core.models import AuditAction, AuditEntry, AuditResult

__all__ = ["AuditAction", "AuditResult", "client_ip", "log_action"]


def client_ip(request) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: a forwarded header is whatever the client chose to send.
    return request.META.get("REMOTE_ADDR") or None


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
        ip=client_ip(request),
        detail=detail or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save(force_insert=True)
    return entry
