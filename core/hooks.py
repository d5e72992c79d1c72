"""Work that apps above core need done when the working-day calendar changes.

core may not import them (DESIGN §2), so they register a function here when Django starts:
the ledger moves due dates that now fall on (or no longer fall on) a rest day. The functions
run inside the transaction that saved the calendar.
"""

from collections.abc import Callable

_after_calendar_change: list[Callable] = []


def on_calendar_change(func: Callable) -> Callable:
    if func not in _after_calendar_change:
        _after_calendar_change.append(func)
    return func


def calendar_changed(*, year: int) -> None:
    for func in _after_calendar_change:
        func(year=year)
