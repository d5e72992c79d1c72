"""One registry for every spreadsheet export: the enterprise register, the arrears ledger, cases,
documents, payments.

Each app describes its export as an `Exporter` (what it selects from the list's own filters in
the viewer's jurisdiction, its columns and its rows) and registers it in its AppConfig.ready,
since core imports no app above it; a Celery worker finds it there too. Every export view is
then one call, `export_response(request, name)`, which

- writes a small export at once: a write-only workbook with a bold frozen header, column widths,
  number formats, local dates, a totals row where one means something, and every cell through
  `core.excel.export_cell`, so that no user text becomes a live formula;
- hands a large one (more than settings.EXPORT_BACKGROUND_ROWS rows) to a background job with
  progress; the export's own URL with `?job=<id>` is the job's page and, when it is done, the
  download (`&download=1`), for the person who asked for it;
- names the file in Chinese (欠费台账_2026-12-01.xlsx, the local date) and audits every file
  that leaves the system: exporter, title, rows and filters.
"""

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.audit import AuditAction, log_action
from core.dates import today
from core.excel import export_cell
from core.jobs import job_create, progress_of, report_progress
from core.models import Job, JobStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TASK = "core.tasks.export_file"
PROGRESS_EVERY = 500

TEXT, MONEY, COUNT, DATE = "text", "money", "count", "date"
NUMBER_FORMATS = {MONEY: "#,##0.00", COUNT: "#,##0", DATE: "yyyy-mm-dd"}
_SUMMED = (MONEY, COUNT)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_QUERY_RESERVED = ("page", "job", "download")


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14  # in characters; a Chinese character takes about two
    kind: str = TEXT  # text, money (#,##0.00), count (#,##0) or date (a local date)

    def __post_init__(self):
        if self.kind not in (TEXT, MONEY, COUNT, DATE):
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Exporter:
    name: str  # in the registry, the job's kind ("export:<name>") and the audit entry
    title: str  # 欠费台账: the sheet and the file name (欠费台账_2026-12-01.xlsx)
    columns: tuple[Column, ...]
    # select(user, params) → (queryset, filters): the list's own filter form and selector in
    # the user's jurisdiction; params is the list's query string. Run again by the worker.
    select: Callable
    # rows(queryset) → an iterator of tuples, one value per column
    rows: Callable[..., Iterable[tuple]]
    # A totals row summing every money and count column; only where the sum means something.
    totals: bool = False
    total_label: str = "合计"
    # Which rows the totals count (a reversed payment is listed but received nothing).
    counts_in_total: Callable[[tuple], bool] = field(default=lambda row: True)

    def __post_init__(self):
        if self.totals and self.columns[0].kind != TEXT:
            raise ValueError("the totals row's label goes in the first column, a text column")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def file_name(self, as_of: date) -> str:
        return f"{self.title}_{as_of:%Y-%m-%d}.xlsx"


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


def get(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        raise LookupError(f"no exporter named {name!r} is registered") from None


# ---- the workbook ----------------------------------------------------------------------------


def local_date(value):
    """A date as the office reads it: a stored moment (UTC) becomes its Asia/Shanghai day."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


class _Tally:
    """The rows as they go by: how many, with progress every PROGRESS_EVERY rows."""

    def __init__(self, rows: Iterable[tuple], progress: Callable[[int], None] | None = None):
        self.rows, self.progress, self.count = rows, progress, 0

    def __iter__(self) -> Iterator[tuple]:
        for row in self.rows:
            yield row
            self.count += 1
            if self.progress and self.count % PROGRESS_EVERY == 0:
                self.progress(self.count)


def export_xlsx(exporter: Exporter, rows: Iterable[tuple], *, as_of: date) -> bytes:
    """Stream the rows into a write-only workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"{exporter.title}（{as_of:%Y-%m-%d}）"
    workbook.properties.creator = "清欠"
    sheet = workbook.create_sheet(title=exporter.title[:31])
    columns = exporter.columns
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    bold, centred = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header = []
    for column in columns:
        cell = export_cell(sheet, column.header)
        cell.font, cell.fill, cell.alignment = bold, _HEADER_FILL, centred
        header.append(cell)
    sheet.append(header)

    try:
        _append_rows(sheet, exporter, rows, bold)
    except BaseException:
        _abandon(sheet)
        raise

    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle.name)
        return Path(handle.name).read_bytes()


def _append_rows(sheet, exporter: Exporter, rows: Iterable[tuple], bold: Font) -> None:
    columns = exporter.columns
    summed = [i for i, c in enumerate(columns) if c.kind in _SUMMED] if exporter.totals else []
    sums = dict.fromkeys(summed, 0)
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{exporter.name}: a row has {len(row)} values, not {len(columns)}")
        cells = []
        for column, value in zip(columns, row, strict=True):
            if column.kind == DATE:
                value = local_date(value)
            cell = export_cell(sheet, value)
            if column.kind != TEXT and value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
        if summed and exporter.counts_in_total(row):
            for i in summed:
                if row[i] is not None:
                    sums[i] += row[i]

    if exporter.totals:
        total_row = []
        for i, column in enumerate(columns):
            value = exporter.total_label if i == 0 else sums.get(i)
            cell = export_cell(sheet, value)
            cell.font = bold
            if i in sums:
                cell.number_format = NUMBER_FORMATS[column.kind]
            total_row.append(cell)
        sheet.append(total_row)


def _abandon(sheet) -> None:
    """End a sheet that will not be saved (a row failed): its stream is closed now rather than
    by the garbage collector at some later moment, and its temporary file is removed."""
    with suppress(Exception):
        sheet.close()
        sheet._writer.cleanup()


# ---- the web ---------------------------------------------------------------------------------


def content_disposition(file_name: str, fallback: str) -> str:
    """An attachment with the Chinese name (RFC 5987 filename*) and an ASCII name for clients
    that read only `filename`."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


def _file_response(exporter: Exporter, content, *, as_of: date) -> HttpResponse:
    """The file from bytes, or streamed from an open file (a background export's)."""
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=XLSX)
    else:
        response = FileResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        exporter.file_name(as_of), f"{exporter.name}_{as_of:%Y-%m-%d}.xlsx"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _audit(request, exporter: Exporter, *, rows: int, filters: dict, job: Job | None = None):
    detail = {
        "exporter": exporter.name,
        "export": exporter.title,
        "rows": rows,
        "filters": {k: str(v) for k, v in filters.items() if v not in (None, "", False)},
    }
    if job is not None:
        detail["job"] = job.pk
    log_action(actor=request.user, action=AuditAction.EXPORT, request=request, detail=detail)


def background_rows() -> int:
    return settings.EXPORT_BACKGROUND_ROWS


def export_response(request, name: str):
    """The whole of an export view (its capability is checked by the view's decorator): the
    file of what the list shows, a background job for a large one, or that job's page."""
    exporter = get(name)
    if "job" in request.GET:
        return _job_page(request, exporter)
    queryset, filters = exporter.select(request.user, request.GET)
    total = queryset.count()
    if total > background_rows():
        query = request.GET.copy()
        for key in _QUERY_RESERVED:
            query.pop(key, None)
        job = job_create(
            kind=f"export:{exporter.name}",
            task=EXPORT_TASK,
            created_by=request.user,
            request=request,
            total=total,
            result={"exporter": exporter.name, "query": query.urlencode()},
        )
        return redirect(f"{request.path}?job={job.pk}")
    as_of = today()
    rows = _Tally(exporter.rows(queryset))
    content = export_xlsx(exporter, rows, as_of=as_of)
    _audit(request, exporter, rows=rows.count, filters=filters)
    return _file_response(exporter, content, as_of=as_of)


def _job_page(request, exporter: Exporter):
    """Progress while it runs, then the download; only for the person who asked for it."""
    job_id = request.GET["job"]
    if not job_id.isdigit():
        raise Http404
    job = get_object_or_404(Job, pk=job_id, kind=f"export:{exporter.name}", created_by=request.user)
    page = f"{request.path}?job={job.pk}"
    if request.GET.get("download"):
        if job.status != JobStatus.DONE or not default_storage.exists(job.result["file"]):
            return redirect(page)
        _audit(
            request,
            exporter,
            rows=job.result["rows"],
            filters=job.result.get("filters", {}),
            job=job,
        )
        return _file_response(
            exporter,
            default_storage.open(job.result["file"], "rb"),
            as_of=date.fromisoformat(job.result["as_of"]),
        )
    done, total = progress_of(job)
    context = {
        "job": job,
        "exporter": exporter,
        "page_url": page,
        "download_url": f"{page}&download=1",
        "done": done,
        "total": total,
        "percent": min(100, int(done * 100 / total)) if total else None,
    }
    template = "core/exports/_status.html" if request.htmx else "core/exports/job.html"
    return render(request, template, context)


# ---- the worker ------------------------------------------------------------------------------


def export_job_work(job: Job):
    """The background half (core.tasks.export_file): select again as the user who asked, with
    the list's filters, and keep the file for the job's page. Safe to run twice: a second run
    writes the file again."""
    exporter = get(job.result["exporter"])
    queryset, filters = exporter.select(job.created_by, QueryDict(job.result["query"]))
    as_of = today()
    rows = _Tally(exporter.rows(queryset), progress=lambda n: report_progress(job.pk, n))
    content = export_xlsx(exporter, rows, as_of=as_of)
    stored = default_storage.save(f"exports/export-{job.pk}.xlsx", ContentFile(content))
    return JobStatus.DONE, {
        **job.result,
        "file": stored,
        "file_name": exporter.file_name(as_of),
        "as_of": as_of.isoformat(),
        "rows": rows.count,
        "filters": {k: str(v) for k, v in filters.items() if v not in (None, "", False)},
    }
