"""Reading untrusted spreadsheets and writing safe ones.

Every importer reads through `read_sheet`. Before any cell is parsed the container is checked
(size, zip bomb, XML entity declarations, not an xlsx at all) and the first worksheet's XML is
scanned for what the cell reader does not report: formulas, merged cells, and a used range too
large to lay out. The cells are then read by calamine (compiled, python-calamine), which parses
no DTD and expands no entity. Exports go through `write_xlsx`, which never lets user text
become a live formula.

The scan is a byte search over the sheet XML for files shaped the way Excel, WPS, LibreOffice
and openpyxl write them (every cell `<c r="A1" …>`, no namespace prefix, no formula, no merge);
any other shape — and every file with a formula or a merged cell — is read once more by expat,
with DTDs refused, which gives the exact cell of each finding the way calamine places cells.
"""

import math
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.parsers import expat

from defusedxml.ElementTree import fromstring as parse_small_xml
from django.conf import settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from python_calamine import CalamineWorkbook, SheetTypeEnum

# Every money column is numeric(14, 2): 12 digits before the point.
MONEY_MAX = Decimal("999999999999.99")
# Counts go to PositiveIntegerField (PostgreSQL integer).
COUNT_MAX = 2_147_483_647
# Business dates: social-insurance arrears start in the 1990s; nothing is planned past 2100.
EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2100, 12, 31)

# The reader lays the used range out as one block of cells (32 bytes each) before the first row
# is returned: a value at A1 and another at XFD1048576 would ask for 512 GiB. Excel's own limits,
# and at most this many cells (256 MB): 100,000 rows use 700,000.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
MAX_SHEET_CELLS = 8_000_000

_DAMAGED = "文件已损坏，无法作为 Excel 工作簿打开。"
_ENTITIES = "文件含有 XML 实体声明（不安全），已拒绝。"
_ENCODING = "文件的 XML 编码不受支持（应为 UTF-8），请用 Excel 打开并另存为 .xlsx 后重新导入。"
_STRUCTURE = "文件的工作簿结构无法识别，请用 Excel 打开并另存为 .xlsx 后重新导入。"
_FORMULA = "单元格是公式，请复制后“粘贴为数值”再导入"
_NUL = "含有空字符（U+0000），请删除后再导入"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; the message is for the user, in Chinese."""


# What zipfile raises for a damaged or odd archive: bad CRC or deflate data, an encrypted part
# (RuntimeError), a compression method it does not know (NotImplementedError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)


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
        return sheet, _guarded(self, rows)

    def finish(self, empty_message: str):
        """After the last row: an empty sheet is a problem; problems in row order."""
        if self.file_error:
            self.problems = []
            self.rows = []
            return self
        if not self.rows and not self.problems:
            self.file_error = empty_message
        self.problems.sort(key=lambda p: p.row)
        return self


def _guarded(parsed: ParsedRows, rows: Iterator) -> Iterator:
    """The rows; a file that turns out to be unreadable part-way ends them and becomes the
    file's error, so that no importer has to catch anything."""
    try:
        yield from rows
    except SpreadsheetError as error:
        parsed.file_error = str(error)


@dataclass
class Sheet:
    """Data rows as {key: raw value}, each with its spreadsheet row number."""

    headers: dict[str, str] = field(default_factory=dict)  # key → header as found
    problems: list[Problem] = field(default_factory=list)
    max_row: int | None = None  # the last used row; for progress only


_FEN = Decimal("0.01")
_XML_DANGER = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Full-width digits and Latin letters → ASCII. Chinese punctuation stays: a company's legal
# name is written with full-width brackets （…）, and NFKC would rewrite them.
_FULL_WIDTH_ALNUM = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}


_FULL_WIDTH = re.compile("[\uff10-\uff5a]")


def normalize_text(value) -> str:
    """Full-width letters and digits become ASCII; the ideographic space and other white
    space fold to one space; the ends are trimmed."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii() and _FULL_WIDTH.search(text):
        text = text.translate(_FULL_WIDTH_ALNUM)
    return " ".join(text.split())


def normalize_number_text(value) -> str:
    """Text of a number as typed: full-width digits, point and comma, separators and spaces."""
    text = str(value)
    if not text.isascii():  # ASCII is its own NFKC form
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).replace(",", "")


def normalize_header(value) -> str:
    return normalize_text(_plain_number(value)).replace(" ", "").replace("*", "")


def _plain_number(value):
    # Number cells come as floats: a header typed as 2024 reads 2024.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# ---- the container --------------------------------------------------------------------------


class _Stop(Exception):
    pass


def _prolog_problem(part) -> str | None:
    """A DOCTYPE (and so any entity declaration) can only stand before the root element:
    expat reads the part up to its first element, however long the comments before it.
    The byte scans below need XML in an ASCII-compatible encoding."""
    found: list[str] = []

    def refuse(message):
        def handler(*args):
            found.append(message)
            raise _Stop

        return handler

    def declaration(version, encoding, standalone):
        if encoding and encoding.lower().startswith(("utf-16", "utf-32", "ucs", "utf16")):
            found.append(_ENCODING)
            raise _Stop

    def element(*args):
        raise _Stop

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse(_ENTITIES)
    parser.EntityDeclHandler = refuse(_ENTITIES)
    parser.XmlDeclHandler = declaration
    parser.StartElementHandler = element
    first = True
    try:
        while chunk := part.read(1 << 16):
            if first and (chunk[:2] in (b"\xfe\xff", b"\xff\xfe") or b"\0" in chunk[:4]):
                return _ENCODING
            first = False
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Stop:
        pass
    except expat.ExpatError:
        pass  # not XML: the reader refuses it as damaged
    return found[0] if found else None


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
            if len(names) != len(infos):
                # Two parts of one name: the checks and the reader could each take another.
                raise SpreadsheetError(_DAMAGED)
            total = sum(info.file_size for info in infos)
            if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetError("文件解压后体积异常（疑似压缩炸弹），已拒绝。")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        if _XML_DANGER.search(part.read(8192)):
                            raise SpreadsheetError(_ENTITIES)
                    with archive.open(info) as part:
                        problem = _prolog_problem(part)
                    if problem:
                        raise SpreadsheetError(problem)
    except _ZIP_ERRORS as exc:
        raise SpreadsheetError(_DAMAGED) from exc


@contextmanager
def _reading(message: str = _DAMAGED):
    """Whatever the compiled reader raises becomes a refusal of the file. A Rust panic
    surfaces as a BaseException (pyo3's PanicException), so that is caught too."""
    try:
        yield
    except SpreadsheetError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise SpreadsheetError(message) from exc


_MAX_STRUCTURE_BYTES = 16 * 1024 * 1024


def _small_xml(archive: zipfile.ZipFile, name: str):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SpreadsheetError(_STRUCTURE) from None
    if info.file_size > _MAX_STRUCTURE_BYTES:
        raise SpreadsheetError(_STRUCTURE)
    try:
        data = archive.read(info)
    except _ZIP_ERRORS as exc:
        raise SpreadsheetError(_DAMAGED) from exc
    try:
        return parse_small_xml(data)
    except Exception as exc:  # defusedxml's refusals and ParseError alike
        raise SpreadsheetError(_STRUCTURE) from exc


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _first_worksheet(path: Path, workbook) -> tuple[int, str]:
    """Index (for calamine) and part name (for the scan) of the first worksheet, resolved
    the way calamine resolves it, and checked to be the same sheet."""
    metadata = workbook.sheets_metadata
    index = next((i for i, m in enumerate(metadata) if m.typ == SheetTypeEnum.WorkSheet), None)
    if index is None:
        raise SpreadsheetError("工作簿中没有工作表。")
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise SpreadsheetError(_DAMAGED) from exc
    with archive:
        targets = {
            rel.get("Id"): rel.get("Target") or ""
            for rel in _small_xml(archive, "xl/_rels/workbook.xml.rels")
            if _local(rel.tag) == "Relationship"
        }
        sheets = [
            e for e in _small_xml(archive, "xl/workbook.xml").iter() if _local(e.tag) == "sheet"
        ]
        if len(sheets) != len(metadata) or sheets[index].get("name") != metadata[index].name:
            raise SpreadsheetError(_STRUCTURE)
        rel_id = next((v for k, v in sheets[index].attrib.items() if _local(k) == "id"), None)
        target = targets.get(rel_id, "")
        if target.startswith("/xl/"):
            part = target[1:]
        elif target.startswith("xl/"):
            part = target
        else:
            part = f"xl/{target}"
        if not target or part not in archive.NameToInfo:
            raise SpreadsheetError(_STRUCTURE)
    return index, part


# ---- the worksheet scan ---------------------------------------------------------------------


@dataclass
class _Scan:
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), from 0
    merges: list[str] = field(default_factory=list)
    rows: int = 0  # the used range from A1 as the reader lays it out
    columns: int = 0


_SCAN_CHUNK = 4 * 1024 * 1024
_NAME_END = b" \t\r\n/>"
_PREFIXED_CELL_STARTS = tuple(b":c" + bytes([end]) for end in _NAME_END)
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"')
_SPACES = bytes.maketrans(b"\t\r\n", b"   ")
_DIGITS, _LETTERS = b"0123456789", bytes(range(ord("A"), ord("Z") + 1))
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,10})")
_MERGE_REF = re.compile(r"[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?")


def _fast_scan(part) -> _Scan | None:
    """The used range of a sheet written the usual way, by byte search; None when the sheet
    has a formula, a merged cell, or any shape the search does not vouch for."""
    tail = b""
    offset = 0  # of `block` in the part
    max_row = 0
    letters: set[bytes] = set()
    formula_tags: list[int] = []
    sheet_data: list[int] = []
    while True:
        chunk = part.read(_SCAN_CHUNK)
        block = tail + chunk
        # Search up to the last '<': a tag cut by the chunk is searched with the next one.
        end = block.rfind(b"<") if chunk else len(block)
        if end <= 0 and chunk:
            if len(block) > 4 * _SCAN_CHUNK:
                return None  # one enormous tag or text: let the exact scan judge it
            tail = block
            continue
        at = block.find(b"<!", 0, end)
        while at != -1:
            if block[at + 2 : at + 9].upper().startswith((b"DOCTYPE", b"ENTITY")):
                raise SpreadsheetError(_ENTITIES)
            at = block.find(b"<!", at + 2, end)
        if block.find(b"mergeCell", 0, end) != -1:
            return None
        if block.count(b":c", 0, end) and any(
            block.count(start, 0, end) for start in _PREFIXED_CELL_STARTS
        ):
            return None
        refs = _PLAIN_CELL.findall(block, 0, end)
        spaced = block.translate(_SPACES)
        starts = sum(spaced.count(start, 0, end) for start in (b"<c ", b"<c>", b"<c/"))
        if len(refs) != starts:
            return None  # a cell without `r` first, or with a reference out of range
        if refs:
            joined = b" ".join(refs)
            letters.update(joined.translate(None, _DIGITS).split())
            max_row = max(max_row, *map(int, set(joined.translate(None, _LETTERS).split())))
        for needle in (b"<f", b":f"):
            at = block.find(needle, 0, end)
            while at != -1:
                if block[at + 2 : at + 3] in _NAME_END:  # b"" at the very end counts too
                    formula_tags.append(offset + at)
                at = block.find(needle, at + 2, end)
        at = block.find(b"sheetData", 0, end)
        while at != -1:
            sheet_data.append(offset + at)
            at = block.find(b"sheetData", at + 9, end)
        if not chunk:
            break
        offset += end
        tail = block[end:]
    if sheet_data and any(sheet_data[0] < at < sheet_data[-1] for at in formula_tags):
        return None
    columns = max((column_index_from_string(c.decode()) for c in letters), default=0)
    scan = _Scan(rows=max_row, columns=columns)
    return scan if _fits(scan) else None  # styled empty cells far out: count values only


class _Broken(Exception):
    def __init__(self, row: int):
        self.row = row


class _ExactScan:
    """Formulas, merged cells and the used range by a full parse, placing cells as calamine
    does: a cell without `r` follows the one before it in its row."""

    def __init__(self):
        self.scan = _Scan()
        self.in_data = False
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int] | None = None
        self.has_value = False

    def start(self, name, attrs):
        local = name.rpartition(":")[2]
        if not self.in_data:
            if local == "sheetData":
                self.in_data = True
            elif local == "mergeCell" and _MERGE_REF.fullmatch(attrs.get("ref", "")):
                self.scan.merges.append(attrs["ref"])
        elif local == "row":
            if "r" in attrs:
                if not attrs["r"].isdigit() or len(attrs["r"]) > 10:
                    raise _Broken(self.row + 1)
                self.row = int(attrs["r"]) - 1
        elif local == "c":
            if "r" in attrs:
                match = _CELL_REF.fullmatch(attrs["r"])
                if not match:
                    raise _Broken(self.row + 1)
                self.column = column_index_from_string(match[1].upper()) - 1
                self.cell = (int(match[2]) - 1, self.column)
            else:
                self.cell = (self.row, self.column)
            self.has_value = False
        elif self.cell is not None:
            if local == "f":
                self.scan.formulas.add(self.cell)
            elif local in ("v", "is"):
                self.has_value = True

    def end(self, name):
        local = name.rpartition(":")[2]
        if not self.in_data:
            return
        if local == "c" and self.cell is not None:
            if self.has_value:
                self.scan.rows = max(self.scan.rows, self.cell[0] + 1)
                self.scan.columns = max(self.scan.columns, self.cell[1] + 1)
            self.cell = None
            self.column += 1
        elif local == "row":
            self.row += 1
            self.column = 0
        elif local == "sheetData":
            self.in_data = False

    def run(self, part) -> _Scan:
        parser = expat.ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

        def refuse(*args):
            raise SpreadsheetError(_ENTITIES)

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        try:
            while chunk := part.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            raise _Broken(self.row + 1) from None
        return self.scan


def _damaged_from(row: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"文件已损坏：工作表第 {row} 行起的内容无法读取（XML 格式错误）。"
        "请用 Excel 打开并另存为 .xlsx 后重新导入。"
    )


def _exact_scan(path: Path, part_name: str) -> _Scan:
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part_name) as part:
            return _ExactScan().run(part)
    except _Broken as broken:
        raise _damaged_from(broken.row) from None
    except _ZIP_ERRORS as exc:
        raise SpreadsheetError(_DAMAGED) from exc


def _fits(scan: _Scan) -> bool:
    return (
        scan.rows <= MAX_ROWS
        and scan.columns <= MAX_COLUMNS
        and scan.rows * scan.columns <= MAX_SHEET_CELLS
    )


def _scan_sheet(path: Path, part_name: str) -> _Scan:
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part_name) as part:
            scan = _fast_scan(part)
    except _ZIP_ERRORS as exc:
        raise SpreadsheetError(_DAMAGED) from exc
    if scan is None:
        scan = _exact_scan(path, part_name)
    if not _fits(scan):
        corner = (
            f"{get_column_letter(scan.columns)} 列"
            if scan.columns <= MAX_COLUMNS
            else f"第 {scan.columns} 列"
        )
        raise SpreadsheetError(
            f"工作表的已用区域过大（到第 {scan.rows} 行、{corner}），疑似异常文件，已拒绝。"
            "请删除多余的行和列后重新导入。"
        )
    return scan


# ---- reading --------------------------------------------------------------------------------


def read_sheet(path: Path, columns: list[Column]) -> tuple[Sheet, Iterator[tuple[int, dict]]]:
    """Check the file and its header row; return the header findings and a row iterator.

    The iterator yields (row number, {key: value}) for each non-empty data row and appends a
    Problem to `sheet.problems` for formulas. Values are as the reader gives them: str, float
    (every number cell), bool, date or datetime. Raise SpreadsheetError for a file that
    cannot be read at all; the iterator raises it too if the file breaks off part-way (the
    importers get it as `file_error` through `ParsedRows.open_sheet`). Callers must not write
    anything while `sheet.problems` is non-empty.
    """
    path = Path(path)
    check_container(path)
    with _reading():
        workbook = CalamineWorkbook.from_path(str(path))
    try:
        index, part_name = _first_worksheet(path, workbook)
        scan = _scan_sheet(path, part_name)
        try:
            with _reading():
                data = workbook.get_sheet_by_index(index)
        except SpreadsheetError:
            _exact_scan(path, part_name)  # names the row where the XML breaks, if it does
            raise
    finally:
        with _reading():
            workbook.close()

    start = data.start
    if start is None or start[0] != 0:
        raise SpreadsheetError("工作表是空的：第 1 行应为列名，第 2 行起为数据。")
    first_column = start[1]
    with _reading():
        rows = iter(data.iter_rows())
        header_cells = next(rows, None)
    if not header_cells or all(normalize_header(v) == "" for v in header_cells):
        raise SpreadsheetError("工作表是空的：第 1 行应为列名，第 2 行起为数据。")
    sheet = Sheet(max_row=data.end[0] + 1)

    by_name = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_name[normalize_header(name)] = column
    positions: dict[int, Column] = {}  # column index from A = 0
    seen: dict[str, str] = {}
    for offset, value in enumerate(header_cells):
        if value.__class__ is str:
            value = value.replace("\0", "")
        name = normalize_header(value)
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            sheet.problems.append(
                Problem(1, normalize_text(_plain_number(value)), "无法识别的列名")
            )
        elif column.key in seen:
            sheet.problems.append(Problem(1, column.header, "列名重复"))
        else:
            positions[first_column + offset] = column
            seen[column.key] = normalize_text(_plain_number(value))
    for column in columns:
        if column.required and column.key not in seen:
            sheet.problems.append(Problem(1, column.header, "缺少必需的列"))
    sheet.headers = seen

    header_by_letter = {get_column_letter(i + 1): col.header for i, col in positions.items()}
    for ref in sorted(set(scan.merges)):
        _, min_row, _, _ = range_boundaries(ref)
        letter = ref.split(":")[0].rstrip("0123456789")
        sheet.problems.append(
            Problem(
                min_row,
                header_by_letter.get(letter, letter),
                f"含合并单元格（{ref}），请取消合并后再导入",
            )
        )

    formulas: dict[int, list[Column]] = {}
    for row, column_index in sorted(scan.formulas):
        if row > 0 and column_index in positions:
            formulas.setdefault(row, []).append(positions[column_index])
    fields = [(i - first_column, column.key) for i, column in sorted(positions.items())]
    header_of = {column.key: column.header for column in positions.values()}

    def data_rows() -> Iterator[tuple[int, dict]]:
        with _reading():
            for row_index, cells in enumerate(rows, start=1):
                if row_index in formulas:
                    # A row with a formula is reported once, for the formula, not for what it lacks.
                    for column in formulas[row_index]:
                        sheet.problems.append(Problem(row_index + 1, column.header, _FORMULA))
                    continue
                values = {
                    key: value
                    for offset, key in fields
                    if (value := cells[offset]) != ""
                    and not (value.__class__ is str and value.isspace())
                }
                if not values:
                    continue
                nul = [k for k, v in values.items() if v.__class__ is str and "\0" in v]
                if nul:
                    # No database text and no JSON for the job's result can hold U+0000.
                    for key in nul:
                        sheet.problems.append(Problem(row_index + 1, header_of[key], _NUL))
                    continue
                yield row_index + 1, values

    return sheet, data_rows()


# ---- values ---------------------------------------------------------------------------------


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """'1,234.50', '１２３４.５', 1234.5 → Decimal('1234.50'); ValueError with a Chinese reason.

    A number cell arrives as a float holding the shortest decimal that reads back as the same
    double, which is what the user typed (Excel keeps 15 significant digits; a money column
    needs 14), so repr() gives the typed amount to the fen, never a binary-fraction tail."""
    if isinstance(value, bool):
        raise ValueError("不是数字")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("不是有效数字")
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
    if abs(amount) > MONEY_MAX:  # before any arithmetic: quantize(1E+30) overflows the context
        raise ValueError(f"金额过大（不能超过 {MONEY_MAX:,} 元）")
    fen = amount.quantize(_FEN)
    if fen != amount:
        raise ValueError("金额最多保留两位小数（分）")
    return fen


def parse_count(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = normalize_number_text(value)
        if not text.isdigit():  # also refuses NaN, inf and 1e5
            raise ValueError("应为不小于 0 的整数")
        if len(text) > 10:
            raise ValueError(f"数值过大（不能超过 {COUNT_MAX}）")
        number = int(text)
    if number < 0:
        raise ValueError("应为不小于 0 的整数")
    if number > COUNT_MAX:
        raise ValueError(f"数值过大（不能超过 {COUNT_MAX}）")
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
# A day has its three parts apart, or is written as eight digits: '2012-12' and '201213' are
# months (or typing errors), never 2 and 3 January 2012.
_DAY = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NOT_A_DAY = "不是日期（年-月-日），应为 2024-04-30 或 2024年4月30日"


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
    """'2024-04-30', '2024年4月30日', '2024.4.30', '20240430', a date cell → date; between
    1990-01-01 and 2100-12-31."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = normalize_number_text(value)
        match = _DAY.match(text) or _COMPACT_DAY.match(text)
        if not match:
            raise ValueError(_NOT_A_DAY)
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueError("日期不存在") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"日期超出范围（{EARLIEST_DAY} 至 {LATEST_DAY}）")
    return day


def exit_with_problems(stdout, file_name: str, parsed) -> None:
    """What every import command prints for a file it refused (DESIGN §4), then exit 1."""
    import sys

    if parsed.file_error:
        stdout.write(f"file {file_name}: {parsed.file_error}")
    for problem in parsed.problems:
        stdout.write(problem.as_line())
    sys.exit(1)
