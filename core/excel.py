"""Reading untrusted spreadsheets and writing safe ones.

Every importer reads through `read_sheet`, which checks the container before openpyxl parses it
(size, zip bomb, XML entity tricks, not an xlsx at all), then streams the first worksheet in
read-only mode so that large files do not sit in memory. Exports go through `write_xlsx`,
which never lets user text become a live formula.
"""

import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.cell import get_column_letter, range_boundaries


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def as_line(self) -> str:
        """The stable command-line form (DESIGN §4)."""
        return f"row {self.row}, column {self.column}: {self.message}"

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」列：{self.message}"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass
class ParsedRows:
    """What an importer's check found: the rows it would write, or why it writes none."""

    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems and bool(self.rows)

    def messages(self) -> list[str]:
        return [self.file_error] if self.file_error else [str(p) for p in self.problems]

    def open_sheet(self, path: Path, columns: list[Column]):
        """(sheet, rows) to check, or None when the file or its header row cannot be used; the
        reason is recorded either way."""
        try:
            sheet, rows = read_sheet(path, columns)
        except SpreadsheetError as error:
            self.file_error = str(error)
            return None
        # One list: read_sheet appends the formulas it finds while the rows are read to it.
        self.problems = sheet.problems
        if any(p.row == 1 for p in sheet.problems):
            return None  # with wrong headers the rows cannot be read meaningfully
        return sheet, rows

    def finish(self, empty_message: str):
        """After the last row: an empty sheet is a problem; problems in row order."""
        if not self.rows and not self.problems:
            self.file_error = empty_message
        self.problems.sort(key=lambda p: p.row)
        return self


@dataclass
class Sheet:
    """Data rows as {key: raw value}, each with its spreadsheet row number."""

    headers: dict[str, str] = field(default_factory=dict)  # key → header as found
    problems: list[Problem] = field(default_factory=list)
    max_row: int | None = None  # as the file declares it; for progress only


_XML_DANGER = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_MERGE_REF = re.compile(rb'<mergeCell[^>]*\sref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Full-width digits and Latin letters → ASCII. Chinese punctuation stays: a company's legal
# name is written with full-width brackets （…）, and NFKC would rewrite them.
_FULL_WIDTH_ALNUM = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}


def normalize_text(value) -> str:
    """Full-width letters and digits become ASCII; the ideographic space and other white
    space fold to one space; the ends are trimmed."""
    if value is None:
        return ""
    return " ".join(str(value).translate(_FULL_WIDTH_ALNUM).split())


def normalize_number_text(value) -> str:
    """Text of a number as typed: full-width digits, point and comma, separators and spaces."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace(",", "")


def normalize_header(value) -> str:
    return normalize_text(value).replace(" ", "").replace("*", "")


def check_container(path: Path) -> None:
    size = path.stat().st_size
    if size > settings.IMPORT_MAX_FILE_BYTES:
        limit_mb = settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024)
        raise SpreadsheetError(f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {limit_mb} MB。")
    if size == 0 or not zipfile.is_zipfile(path):
        raise SpreadsheetError(
            "文件不是 Excel 工作簿（.xlsx）。旧版 .xls 或 .csv 请先另存为 .xlsx。"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise SpreadsheetError("文件不是 Excel 工作簿（.xlsx）。")
            total = sum(info.file_size for info in infos)
            if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        if _XML_DANGER.search(part.read(8192)):
                            raise SpreadsheetError("文件含有 XML 实体声明（不安全），已拒绝。")
    except (zipfile.BadZipFile, OSError) as exc:
        raise SpreadsheetError("文件已损坏，无法作为 Excel 工作簿打开。") from exc


def _merged_ranges(path: Path, worksheet_path: str) -> list[str]:
    refs: list[str] = []
    with zipfile.ZipFile(path) as archive, archive.open(worksheet_path) as part:
        tail = b""
        while chunk := part.read(1 << 20):
            block = tail + chunk
            refs.extend(m.decode() for m in _MERGE_REF.findall(block))
            # Keep the end of the block so a tag cut between two chunks is still seen once.
            cut = block.rfind(b"<")
            tail = block[cut:] if cut != -1 else b""
    return sorted(set(refs))


def read_sheet(path: Path, columns: list[Column]) -> tuple[Sheet, Iterator[tuple[int, dict]]]:
    """Check the file and its header row; return the header findings and a row iterator.

    The iterator yields (row number, {key: value}) for each non-empty data row and appends a
    Problem to `sheet.problems` for formulas. Raise SpreadsheetError for a file that cannot be
    read at all. Callers must not write anything while `sheet.problems` is non-empty.
    """
    path = Path(path)
    check_container(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise SpreadsheetError("文件已损坏，无法作为 Excel 工作簿打开。") from exc
    worksheet = workbook.worksheets[0]
    sheet = Sheet(max_row=worksheet.max_row)
    rows = worksheet.iter_rows()
    header_cells = next(rows, None)
    if not header_cells or all(c.value in (None, "") for c in header_cells):
        workbook.close()
        raise SpreadsheetError("工作表是空的：第 1 行应为列名，第 2 行起为数据。")

    by_name = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name[normalize_header(name)] = column
    positions: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(header_cells):
        name = normalize_header(cell.value)
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            sheet.problems.append(Problem(1, normalize_text(cell.value), "无法识别的列名"))
        elif column.key in seen:
            sheet.problems.append(Problem(1, column.header, "列名重复"))
        else:
            positions[index] = column
            seen[column.key] = normalize_text(cell.value)
    for column in columns:
        if column.required and column.key not in seen:
            sheet.problems.append(Problem(1, column.header, "缺少必需的列"))
    sheet.headers = seen

    header_by_letter = {get_column_letter(i + 1): col.header for i, col in positions.items()}
    for ref in _merged_ranges(path, worksheet._worksheet_path):
        _, min_row, _, _ = range_boundaries(ref)
        letter = ref.split(":")[0].rstrip("0123456789")
        sheet.problems.append(
            Problem(
                min_row,
                header_by_letter.get(letter, letter),
                f"含合并单元格（{ref}），请取消合并后再导入",
            )
        )

    def data_rows() -> Iterator[tuple[int, dict]]:
        try:
            for cells in rows:
                values = {}
                row_number = None
                has_formula = False
                for index, cell in enumerate(cells):
                    column = positions.get(index)
                    if column is None or cell.value is None:
                        continue
                    row_number = cell.row
                    if cell.data_type == "f":
                        sheet.problems.append(
                            Problem(
                                cell.row, column.header, "单元格是公式，请复制后“粘贴为数值”再导入"
                            )
                        )
                        has_formula = True
                        continue
                    if isinstance(cell.value, str) and not cell.value.strip():
                        continue
                    values[column.key] = cell.value
                # A row with a formula is reported once, for the formula, not for what it lacks.
                if values and not has_formula:
                    yield row_number, values
        finally:
            workbook.close()

    return sheet, data_rows()


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """'1,234.50', '１２３４.５', 1234.5 → Decimal('1234.50'); ValueError with a Chinese reason."""
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("不是有效数字")
        # A float cell holds the shortest repr the user typed (Excel stores doubles).
        text = repr(value)
    else:
        text = normalize_number_text(value).replace("元", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("不是数字") from None
    if not amount.is_finite():
        raise ValueError("不是有效数字")
    if amount < 0 and not allow_negative:
        raise ValueError("金额不能为负数")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留两位小数（分）")
    return amount.quantize(Decimal("0.01"))


def parse_count(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = normalize_number_text(value)
        if not text.isdigit():
            raise ValueError("应为不小于 0 的整数")
        number = int(text)
    if number < 0:
        raise ValueError("应为不小于 0 的整数")
    return number


def export_cell(worksheet, value):
    """A write-only cell whose text can never be read as a formula by a spreadsheet program."""
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_xlsx(title: str, headers: list[str], rows: Iterable[Iterable]) -> bytes:
    """Stream rows into a write-only workbook and return its bytes."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_row = []
    for header in headers:
        cell = export_cell(worksheet, header)
        cell.font = bold
        header_row.append(cell)
    worksheet.append(header_row)
    for row in rows:
        worksheet.append([export_cell(worksheet, value) for value in row])
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle.name)
        return Path(handle.name).read_bytes()


_PERIOD = re.compile(r"^(\d{4})\s*(?:[-./年]\s*)?(\d{1,2})\s*月?$")
_DAY = re.compile(r"^(\d{4})\s*[-./年]?\s*(\d{1,2})\s*[-./月]?\s*(\d{1,2})\s*日?$")


def parse_period(value, *, latest_year: int) -> date:
    """'2024-03', '202403', '2024年3月', '2024.03', 202403, a date cell → date(2024, 3, 1)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        year, month = value.year, value.month
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        match = _PERIOD.match(normalize_number_text(value))
        if not match:
            raise ValueError("不是有效的所属期（应为 2024-03、202403 或 2024年3月）")
        year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 1990 <= year <= latest_year:
        raise ValueError(f"所属期 {year}年{month}月 不存在或超出范围")
    return date(year, month, 1)


def parse_day(value) -> date:
    """'2024-04-30', '2024年4月30日', '2024.4.30', '20240430', a date cell → date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = _DAY.match(normalize_number_text(value))
    if not match:
        raise ValueError("不是有效的日期（应为 2024-04-30 或 2024年4月30日）")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError("日期不存在") from None


def exit_with_problems(stdout, file_name: str, parsed) -> None:
    """What every import command prints for a file it refused (DESIGN §4), then exit 1."""
    import sys

    if parsed.file_error:
        stdout.write(f"file {file_name}: {parsed.file_error}")
    for problem in parsed.problems:
        stdout.write(problem.as_line())
    sys.exit(1)
