from datetime import date

from celery import shared_task

from core.dates import today
from enforcement.sweep import sweep_cases


@shared_task
def sweep_cases_nightly(as_of: str | None = None) -> dict:
    """01:00, after the 00:30 accrual: deadlines passed overnight, cases paid off."""
    return sweep_cases(as_of=date.fromisoformat(as_of) if as_of else today())
