"""Work that apps above arrears need done when an enterprise's ledger changes.

arrears may not import them (DESIGN §2), so they register a function here when Django starts
(enforcement closes a case that a payment cleared and reclassifies the enterprise). The functions run inside the transaction
that changed the ledger, holding the enterprise's lock, so they see and commit with it.
"""

from collections.abc import Callable

_after_change: list[Callable] = []


def on_ledger_change(func: Callable) -> Callable:
    if func not in _after_change:
        _after_change.append(func)
    return func


def ledger_changed(*, enterprise_id: int, actor, reason: str, paid: bool = False) -> None:
    """`paid`: the change is a payment (only a payment may close a case as 全额清缴)."""
    for func in _after_change:
        func(enterprise_id=enterprise_id, actor=actor, reason=reason, paid=paid)
