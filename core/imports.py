"""One pipeline for every spreadsheet import: upload to disk → check in the background with
progress → preview → confirm → write in the background, each step a Job (core.jobs). The web
request only stores the file; no request parses a spreadsheet.

Each importer is registered here by its app (in its AppConfig.ready, since core imports no app
above it) with the functions that check and write its rows. The commands run the same
functions (`import_from_command`), so a file behaves the same on the web and on the command
line. The confirmed write checks the file again: the register may have changed since the
preview, and nothing is written that the check would refuse.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.excel import ParsedRows, exit_with_problems

# How many problems a refused file keeps for the page and the error report.
PROBLEMS_KEPT = 5000


@dataclass(frozen=True)
class Importer:
    kind: str  # in URLs and Job.kind ("import:<kind>")
    title: str  # 欠费台账 — "导入欠费台账"
    capability: str  # who may upload
    headers: list[str]  # the template's first row
    example: list  # the template's second row
    # check(path, *, allowed_region_ids, progress) → ParsedRows; progress(rows_done)
    check: Callable[..., ParsedRows]
    # write(*, actor, parsed, filename, progress) → summary dict with "rows"
    write: Callable[..., dict]
    # preview(parsed) → {"cards": [(label, text)], "table": {"title", "headers", "rows"} | None},
    # what the user confirms; stored in the job, so plain text only
    preview: Callable[[ParsedRows], dict]
    # done(summary) → the sentence shown when written
    done: Callable[[dict], str]
    next_url: str  # where the user goes afterwards (a URL name)
    notes: list[str] = field(default_factory=list)  # shown above the upload form
    # details(summary) → {"title", "headers", "rows"} of rows worth listing after the write
    details: Callable[[dict], dict | None] = lambda summary: None


IMPORTERS: dict[str, Importer] = {}

# The townships a user may import for: None for all. Registered by the enterprises app, which
# owns jurisdiction; the one place every importer's township check comes from.
_region_scope: list[Callable] = []


def register(importer: Importer) -> Importer:
    IMPORTERS[importer.kind] = importer
    return importer


def register_region_scope(func: Callable) -> None:
    _region_scope[:] = [func]


# Whose imports a user sees in the history: the people of their task groups (registered by the
# enterprises app, which owns them).
_colleagues: list[Callable] = []


def register_colleagues(func: Callable) -> None:
    _colleagues[:] = [func]


def colleague_ids(user) -> set[int]:
    return _colleagues[0](user) if _colleagues else {user.pk}


def allowed_region_ids(user):
    if user is None:  # the command line: the operator of the server
        return None
    return _region_scope[0](user)


def job_kind(importer: Importer) -> str:
    return f"import:{importer.kind}"


def importer_of(job) -> Importer:
    return IMPORTERS[job.kind.removeprefix("import:")]


def refused_result(parsed: ParsedRows) -> dict:
    problems = [[p.row, p.column, p.message] for p in parsed.problems[:PROBLEMS_KEPT]]
    return {
        "file_error": parsed.file_error,
        "problems": problems,
        "problem_count": len(parsed.problems),
    }


def file_gone() -> dict:
    """The uploaded file is no longer on disk (already written, or cleared away)."""
    return {"file_error": "上传的文件已不存在，请重新上传。", "problems": [], "problem_count": 0}


def import_from_command(kind: str, path: Path, *, stdout, dry_run: bool = False):
    """What `manage.py import_<kind> FILE` does: the same check and write as the web. A refused
    file prints one line per problem and exits 1 (DESIGN §4). Returns the checked rows and,
    unless `dry_run`, the write's summary; the command prints its own stable line."""
    importer = IMPORTERS[kind]
    parsed = importer.check(path, allowed_region_ids=None, progress=None)
    if not parsed.ok:
        exit_with_problems(stdout, path.name, parsed)
    if dry_run:
        return parsed, None
    return parsed, importer.write(actor=None, parsed=parsed, filename=path.name, progress=None)
