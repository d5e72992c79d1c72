from datetime import date

from celery.schedules import crontab
from django.conf import settings

from arrears.models import LedgerItem
from arrears.tasks import accrue_late_fees_nightly


def test_beat_runs_the_accrual_at_half_past_midnight_shanghai_time():
    entry = settings.CELERY_BEAT_SCHEDULE["accrue-late-fees"]
    assert entry["task"] == "arrears.tasks.accrue_late_fees_nightly"
    assert entry["schedule"] == crontab(hour=0, minute=30)
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_nightly_task_fans_out_one_chunk_per_enterprise_range(county):
    LedgerItem.objects.update(fee_accrued=0, accrued_through=None)
    chunks = accrue_late_fees_nightly.delay().get()
    assert chunks == 1  # two enterprises fit one chunk
    assert set(LedgerItem.objects.values_list("accrued_through", flat=True)) == {date(2026, 11, 22)}
    assert all(item.fee_accrued > 0 for item in LedgerItem.objects.all())
