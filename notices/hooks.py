"""Work that apps above notices need done when a document is issued outside a case.

notices may not import enforcement (DESIGN §2). A 限期补缴通知书 issued from the 文书 tab or a
batch opens the enterprise's case or counts for the one waiting (DESIGN §3.8); enforcement
registers the functions that do it when Django starts. Both run inside the issuing transaction
and may refuse: the document and its number then roll back.

There are two moments because of the lock order (core.locks): rows above the documents (the
case) are locked `before` the document's counter is; the document is linked to them `after` it
exists, when only rows already held are taken again.
"""

from collections.abc import Callable

_before_issue: list[Callable] = []
_after_issue: list[Callable] = []


def on_document_issue(*, before: Callable, after: Callable) -> None:
    if before not in _before_issue:
        _before_issue.append(before)
    if after not in _after_issue:
        _after_issue.append(after)


def document_issuing(*, actor, doc_type: str, enterprise, request=None) -> None:
    for func in _before_issue:
        func(actor=actor, doc_type=doc_type, enterprise=enterprise, request=request)


def document_issued(*, actor, document, request=None) -> None:
    for func in _after_issue:
        func(actor=actor, document=document, request=request)
