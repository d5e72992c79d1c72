from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in Asia/Shanghai: every business date is a local date (DESIGN §3)."""
    return timezone.localdate()
