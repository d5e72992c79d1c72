"""Celery tasks: thin, take ids and dates as strings, safe to run twice."""

from datetime import date

from celery import group, shared_task

from arrears import accrual, services
from arrears.models import LedgerItem
from core.dates import today


@shared_task(acks_late=True)
def accrue_chunk(lo: int, hi: int, as_of: str) -> dict:
    result = accrual.accrue_chunk(lo=lo, hi=hi, as_of=date.fromisoformat(as_of))
    return {"lo": lo, "hi": hi, "set_based": result.set_based, "engine": result.engine}


@shared_task
def accrue_late_fees_nightly(as_of: str | None = None) -> int:
    """00:30 every night: one independent chunk task per enterprise id range."""
    day = as_of or today().isoformat()
    chunks = accrual.chunk_ranges()
    group(accrue_chunk.s(lo, hi, day) for lo, hi in chunks).apply_async()
    return len(chunks)


@shared_task(acks_late=True)
def rebuild_enterprises(enterprise_ids: list[int]) -> int:
    for enterprise_id in enterprise_ids:
        services.enterprise_rebuild(enterprise_id=enterprise_id)
    return len(enterprise_ids)


@shared_task
def rebuild_all_ledgers(batch: int = 500) -> int:
    """After a policy change: due dates first (they follow the policy), then every ledger."""
    services.due_dates_refresh()
    ids = list(
        LedgerItem.objects.values_list("enterprise_id", flat=True)
        .distinct()
        .order_by("enterprise_id")
    )
    group(
        rebuild_enterprises.s(ids[i : i + batch]) for i in range(0, len(ids), batch)
    ).apply_async()
    return len(ids)


@shared_task
def refresh_due_dates(years: list[int], batch: int = 500) -> int:
    """After a calendar year was entered or edited: due dates in it may move off (or back onto)
    a day that became a rest day, and those enterprises are replayed."""
    ids = services.due_dates_refresh(years=years)
    group(
        rebuild_enterprises.s(ids[i : i + batch]) for i in range(0, len(ids), batch)
    ).apply_async()
    return len(ids)
