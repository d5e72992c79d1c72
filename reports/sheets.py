"""Writing the report workbooks: one look for every sheet, streamed row by row.

Each sheet of a report is a `ReportSheet` over an openpyxl write-only worksheet: a title row,
a line stating the unit and when the figures were taken, the header, the rows, a totals row
summed here from the very rows written (so the totals always match the detail), and notes.
Every sheet is set up for print: A4 landscape, one page wide, the unit line and the header
repeated on every page, page numbers in the footer; the header is frozen on screen.

Text goes through `core.excel.export_cell`, so a name beginning with = + - @ stays text.
`workbook_bytes` writes the file with one timestamp throughout, so the same figures taken at
the same moment give the same bytes (the archive and `manage.py monthly_report` agree).
"""

import shutil
from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from core.excel import export_cell

MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
ZERO = Decimal("0.00")
HEADER_ROW = 3  # title, unit line, header
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FORMATS = {
    "money": MONEY_FORMAT,
    "count": COUNT_FORMAT,
    "percent": PERCENT_FORMAT,
    "month": "yyyy-mm",
    "date": "yyyy-mm-dd",
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | count | percent | month | date
    width: float = 12
    total: bool = False  # summed in the totals row


def _prototype(worksheet, kind: str, *, bold=False, red=False, wrap=False) -> WriteOnlyCell:
    """A styled cell whose style array new cells copy: cheaper than styling each cell."""
    cell = WriteOnlyCell(worksheet)
    cell.border = _BOX
    cell.font = Font(name="宋体", size=10, bold=bold, color="C00000" if red else None)
    if kind in _FORMATS:
        cell.number_format = _FORMATS[kind]
        cell.alignment = Alignment(horizontal="right", vertical="center")
    else:
        cell.alignment = Alignment(vertical="center", wrap_text=wrap)
    return cell


class ReportSheet:
    """One sheet: call `row` for each line of the table, then `totals` and `note`."""

    def __init__(
        self,
        workbook: Workbook,
        *,
        name: str,
        title: str,
        subtitle: str,
        columns: list[Column],
        freeze_columns: int = 0,
    ):
        self.columns = columns
        self.ws = ws = workbook.create_sheet(title=name[:31])
        self.rows_written = 0
        self.sums: list = [0 if c.kind == "count" else ZERO for c in columns]
        width = len(columns)
        last = get_column_letter(width)
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        # Set before the first row: a write-only sheet writes its views and columns first.
        ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{HEADER_ROW + 1}"
        ws.print_title_rows = f"2:{HEADER_ROW}"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.row_dimensions[1].height = 30
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        self._protos: dict = {}
        self._title(title, size=16, bold=True)
        self._title(subtitle, size=10, align="right")
        header = []
        for column in columns:
            cell = export_cell(ws, column.header)
            cell.font = Font(name="宋体", size=10, bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        ws.append(header)
        self.next_row = HEADER_ROW + 1

    def _title(self, text: str, *, size: int, align="center", bold=False):
        cell = export_cell(self.ws, text)
        cell.font = Font(name="宋体", size=size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical="center")
        self.ws.append([cell])

    def _cell(self, value, kind: str, *, bold=False, red=False, wrap=False):
        cell = (
            export_cell(self.ws, value) if isinstance(value, str) else WriteOnlyCell(self.ws, value)
        )
        quoted = cell.quotePrefix
        key = (kind, bold, red, wrap)
        if key not in self._protos:
            self._protos[key] = _prototype(self.ws, kind, bold=bold, red=red, wrap=wrap)
        cell._style = copy(self._protos[key]._style)
        if quoted:
            cell.quotePrefix = True
        return cell

    def row(
        self,
        values: Iterable,
        *,
        bold=False,
        red_columns: Iterable[int] = (),
        kinds: dict[int, str] | None = None,
    ) -> None:
        """One line of the table; the total columns are added to the totals. `kinds` gives
        some cells another format than their column's (a count in a column of amounts)."""
        red, kinds = set(red_columns), kinds or {}
        cells = []
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            if column.total and value is not None:
                self.sums[index] += value
            kind = kinds.get(index, column.kind)
            wrap = column.kind == "text" and column.width >= 30
            cells.append(self._cell(value, kind, bold=bold, red=index in red, wrap=wrap))
        self.ws.append(cells)
        self.rows_written += 1
        self.next_row += 1

    def totals(self, label: str = "合计", extra: dict[int, object] | None = None) -> list:
        """The totals row: the sum of each total column over the rows written, `extra` for
        the other columns (a rate computed from the sums). Returns the sums."""
        values: list = [None] * len(self.columns)
        values[0] = label
        for index, column in enumerate(self.columns):
            if column.total:
                values[index] = self.sums[index]
        for index, value in (extra or {}).items():
            values[index] = value
        sums = list(self.sums)
        cells = [
            self._cell(v, "text" if i == 0 else c.kind, bold=True)
            for i, (c, v) in enumerate(zip(self.columns, values, strict=True))
        ]
        self.ws.append(cells)
        self.next_row += 1
        return sums

    def blank(self) -> None:
        self.ws.append([])
        self.next_row += 1

    def note(self, text: str) -> None:
        """A line under the table, across its width."""
        cell = export_cell(self.ws, text)
        cell.font = Font(name="宋体", size=9)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        last = get_column_letter(len(self.columns))
        self.ws.merged_cells.add(f"A{self.next_row}:{last}{self.next_row}")
        self.ws.row_dimensions[self.next_row].height = 15 * (1 + len(text) // 90)
        self.ws.append([cell])
        self.next_row += 1


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole to 4 places (a percentage with 2), or None when nothing was due."""
    return (part / whole).quantize(Decimal("0.0001")) if whole else None


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


class _StampedZip(ZipFile):
    """A zip whose members all carry one timestamp, whatever the files' own times."""

    def __init__(self, file, stamp: datetime):
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = (max(stamp.year, 1980), *stamp.timetuple()[1:6])

    def _info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=self._date_time)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data)

    def write(self, filename, arcname=None, *args, **kwargs):
        with open(filename, "rb") as source, self.open(self._info(arcname), "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def workbook_bytes(workbook: Workbook, *, taken_at: datetime, author: str) -> bytes:
    """The xlsx file, written with `taken_at` as its only timestamp."""
    stamp = taken_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.creator = workbook.properties.lastModifiedBy = author
    output = BytesIO()
    archive = _StampedZip(output, taken_at)
    ExcelWriter(workbook, archive).save()
    return output.getvalue()


def month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def progress_steps(progress: Callable[[int], None] | None, steps: int):
    """A function that reports step n of `steps` as a percentage (at most 99 until done)."""

    def step(n: float) -> None:
        if progress:
            progress(min(99, int(n * 100 / steps)))

    return step
