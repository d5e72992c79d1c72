"""Crafted spreadsheets end as a refusal with row and column, never as an exception or a hang.

Each file is built the way an attacker or a broken export tool would build it: openpyxl for
the cells, then zip surgery on the sheet XML. Every case goes through a real import command, so
what is checked is what the office sees: exit 1, one line per problem (or one line for a file
that cannot be read), nothing written.

The compiled reader behind `core.excel.read_sheet` (calamine) does not report formulas or merged
cells and lays the whole used range out before the first row: the scan before it must find
every spelling of a formula, and the reader must put cells where a spreadsheet program shows
them. The tests of formula spellings and of the last group passed with openpyxl as well; they
guard the new reader. Every other test here failed before it: an exception (a 500 on the web),
a crafted value imported, or a misleading message.
"""

import re
import signal
import warnings
import zipfile
from contextlib import contextmanager
from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from arrears.models import LedgerItem
from enforcement.models import TaxRecord
from enterprises.models import Enterprise, Evidence
from tests.factories import make_uscc
from tests.xlsx import make_xlsx, replace_part

LEDGER = [
    "统一社会信用代码",
    "单位名称",
    "险种",
    "费款所属期",
    "单位部分",
    "个人部分",
    "应缴截止日",
]
ENTERPRISES = ["统一社会信用代码", "单位名称", "所属乡镇", "职工人数"]
EVIDENCE = ["统一社会信用代码", "所属期", "证据类型", "金额"]
TAX = ["统一社会信用代码", "所属期", "个税申报人数", "应税工资总额", "参保人数", "申报缴费基数总额"]
SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TOO_LARGE = "金额过大（不能超过 999,999,999,999.99 元）"


def _run(command, path, *args):
    out = StringIO()
    try:
        call_command(command, str(path), *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip().splitlines()


@contextmanager
def _deadline(seconds):
    """A hang fails the test instead of the suite."""

    def expired(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _sheet_xml(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(SHEET)


def _break_after_dimension(path, damage):
    """Keep the sheet XML up to and including `<dimension …/>`; damage what follows."""
    xml = _sheet_xml(path)
    end = re.search(rb"<dimension[^>]*>", xml).end()
    return replace_part(path, SHEET, xml[:end] + damage(xml[end:]))


def _cell(ref: str, inner: bytes, attrs: bytes = b"") -> bytes:
    return b'<c r="' + ref.encode() + b'"' + attrs + b">" + inner + b"</c>"


def _text(ref: str, text: str) -> bytes:
    return _cell(ref, b"<is><t>" + text.encode() + b"</t></is>", b' t="inlineStr"')


def _sheet(rows: list[bytes], tail: bytes = b"") -> bytes:
    body = b"".join(rows)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN_NS + b'">'
        b"<sheetData>" + body + b"</sheetData>" + tail + b"</worksheet>"
    )


def _row(number: int, cells: list[bytes]) -> bytes:
    return b'<row r="' + str(number).encode() + b'">' + b"".join(cells) + b"</row>"


@pytest.fixture
def ledger_row(county):
    e = county.enterprise
    return lambda *cells: [e.credit_code, e.name, *cells]


def _nothing_written():
    return not LedgerItem.objects.filter(period__year=2024).exists()  # the fixture holds 2025


# ---- malformed XML after <dimension> ------------------------------------------------------


def _garbage(rest: bytes) -> bytes:
    return b"<<<not xml at all"


def _truncated_in_row_3(rest: bytes) -> bytes:
    return rest[: rest.index(b'<row r="3"') + 40]


def _mismatched_tag_in_row_2(rest: bytes) -> bytes:
    row = rest.index(b'<row r="2"')
    return rest[:row] + rest[row:].replace(b"</c>", b"</x>", 1)


BROKEN = [
    # (case, what becomes of the XML after <dimension/>, the row the message names)
    ("garbage", _garbage, 1),
    ("truncated in row 3", _truncated_in_row_3, 3),
    ("mismatched tag in row 2", _mismatched_tag_in_row_2, 2),
]


def _broken_message(row):
    return (
        f"文件已损坏：工作表第 {row} 行起的内容无法读取（XML 格式错误）。"
        "请用 Excel 打开并另存为 .xlsx 后重新导入。"
    )


@pytest.mark.parametrize("case, damage, row", BROKEN, ids=[b[0] for b in BROKEN])
def test_malformed_sheet_xml_is_a_file_error_in_every_importer(
    county, ledger_row, tmp_path, case, damage, row
):
    code = county.enterprise.credit_code
    files = {
        "import_ledger": make_xlsx(
            tmp_path / "l.xlsx",
            [ledger_row("养老", "2024-03", "10", "0"), ledger_row("养老", "2024-04", "10", "0")],
            headers=LEDGER,
        ),
        "import_enterprises": make_xlsx(
            tmp_path / "e.xlsx",
            [
                [make_uscc(900001), "某公司", "龙泉镇", 3],
                [make_uscc(900002), "某公司", "龙泉镇", 3],
            ],
            headers=ENTERPRISES,
        ),
        "import_evidence": make_xlsx(
            tmp_path / "v.xlsx",
            [[code, "2024-03", "工资", "100"], [code, "2024-04", "工资", "100"]],
            headers=EVIDENCE,
        ),
        "import_tax_data": make_xlsx(
            tmp_path / "t.xlsx",
            [[code, "2024-03", 5, "100", 5, "100"], [code, "2024-04", 5, "100", 5, "100"]],
            headers=TAX,
        ),
    }
    enterprises = Enterprise.objects.count()
    for command, path in files.items():
        _break_after_dimension(path, damage)
        assert _run(command, path) == (1, [f"file {path.name}: {_broken_message(row)}"]), command
    assert _nothing_written()
    assert Enterprise.objects.count() == enterprises
    assert not Evidence.objects.exists() and not TaxRecord.objects.exists()


# ---- amounts the database cannot hold, NaN and infinity ------------------------------------


AMOUNTS = [
    ("1e30 as text", "1e30", TOO_LARGE),
    ("1e300 as a number", 1e300, TOO_LARGE),
    ("15 digits before the point", "123456789012345.00", TOO_LARGE),
    ("13 digits, one more than numeric(14, 2) holds", "1,000,000,000,000", TOO_LARGE),
]


@pytest.mark.parametrize("case, amount, message", AMOUNTS, ids=[a[0] for a in AMOUNTS])
def test_ledger_amounts_beyond_the_column_are_refused(
    county, ledger_row, tmp_path, case, amount, message
):
    path = make_xlsx(
        tmp_path / "a.xlsx",
        [ledger_row("养老", "2024-03", "10", "0"), ledger_row("养老", "2024-04", "0", amount)],
        headers=LEDGER,
    )
    assert _run("import_ledger", path) == (1, [f"row 3, column 个人部分: {message}"])
    assert _nothing_written()


def test_ledger_principal_beyond_the_column_is_refused(county, ledger_row, tmp_path):
    # Each part fits numeric(14, 2); their sum, the generated principal column, does not.
    path = make_xlsx(
        tmp_path / "p.xlsx",
        [ledger_row("养老", "2024-03", "999999999999.99", "0.01")],
        headers=LEDGER,
    )
    assert _run("import_ledger", path) == (
        1,
        ["row 2, column 单位部分: 单位部分与个人部分合计（欠费本金）不能超过 10,000,000,000.00 元"],
    )
    assert _nothing_written()


def test_largest_accepted_principal_is_written_with_its_fees(county, ledger_row, tmp_path):
    path = make_xlsx(
        tmp_path / "ok.xlsx",
        [ledger_row("养老", "2000-01", "9999999999.99", "0.01")],
        headers=LEDGER,
    )
    code, lines = _run("import_ledger", path)
    assert code == 0, lines
    item = LedgerItem.objects.get(period=date(2000, 1, 1))
    assert item.principal == D("10000000000.00") and item.fee_accrued > item.principal


NUMBER_CELLS = [
    # (case, the inside of the 个人部分 cell in row 3, its attributes, the message)
    ("NaN number", b"<v>NaN</v>", b"", "不是有效数字"),
    ("INF number", b"<v>INF</v>", b"", "不是有效数字"),
    ("-Infinity number", b"<v>-Infinity</v>", b"", "不是有效数字"),
    ("1e300 number", b"<v>1e300</v>", b"", TOO_LARGE),
]


def _ledger_sheet(county, amount_cell: bytes, amount_attrs: bytes = b"") -> bytes:
    e = county.enterprise
    header = _row(1, [_text(f"{chr(65 + i)}1", h) for i, h in enumerate(LEDGER[:6])])

    def data(n, period, individual):
        return _row(
            n,
            [
                _text(f"A{n}", e.credit_code),
                _text(f"B{n}", e.name),
                _text(f"C{n}", "养老"),
                _text(f"D{n}", period),
                _cell(f"E{n}", b"<v>10</v>"),
                individual,
            ],
        )

    return _sheet(
        [
            header,
            data(2, "2024-03", _cell("F2", b"<v>0</v>")),
            data(3, "2024-04", _cell("F3", amount_cell, amount_attrs)),
        ]
    )


@pytest.mark.parametrize(
    "case, inner, attrs, message", NUMBER_CELLS, ids=[n[0] for n in NUMBER_CELLS]
)
def test_nan_and_infinite_number_cells_are_refused(county, tmp_path, case, inner, attrs, message):
    path = make_xlsx(tmp_path / "n.xlsx", [], headers=LEDGER[:6])
    replace_part(path, SHEET, _ledger_sheet(county, inner, attrs))
    assert _run("import_ledger", path) == (1, [f"row 3, column 个人部分: {message}"])
    assert _nothing_written()


def test_evidence_and_tax_amounts_beyond_the_column_are_refused(county, tmp_path):
    code = county.enterprise.credit_code
    evidence = make_xlsx(tmp_path / "v.xlsx", [[code, "2024-03", "工资", "1e30"]], headers=EVIDENCE)
    assert _run("import_evidence", evidence) == (1, [f"row 2, column 金额: {TOO_LARGE}"])
    tax = make_xlsx(tmp_path / "t.xlsx", [[code, "2024-03", 5, 1e300, 5, "100"]], headers=TAX)
    assert _run("import_tax_data", tax) == (1, [f"row 2, column 应税工资总额: {TOO_LARGE}"])
    assert not Evidence.objects.exists() and not TaxRecord.objects.exists()


def test_tax_nan_number_cell_is_refused(county, tmp_path):
    code = county.enterprise.credit_code
    path = make_xlsx(tmp_path / "t.xlsx", [[code, "2024-03", 5, 100, 5, 100]], headers=TAX)
    xml = _sheet_xml(path)
    replace_part(path, SHEET, re.sub(rb'(<c r="F2"[^>]*>)<v>100</v>', rb"\1<v>NaN</v>", xml))
    assert _run("import_tax_data", path) == (1, ["row 2, column 申报缴费基数总额: 不是有效数字"])
    assert not TaxRecord.objects.exists()


@pytest.mark.parametrize("headcount", [1e300, "99999999999"])
def test_headcount_beyond_the_column_is_refused(county, tmp_path, headcount):
    path = make_xlsx(
        tmp_path / "h.xlsx",
        [[make_uscc(900001), "某公司", "龙泉镇", headcount]],
        headers=ENTERPRISES,
    )
    assert _run("import_enterprises", path) == (
        1,
        ["row 2, column 职工人数: 数值过大（不能超过 2147483647）"],
    )
    assert not Enterprise.objects.filter(credit_code=make_uscc(900001)).exists()


# ---- a month in a date column; a due date before its period ends -------------------------

NOT_A_DAY = "不是日期（年-月-日），应为 2024-04-30 或 2024年4月30日"


@pytest.mark.parametrize("due", ["2012-12", "201213", 201213])
def test_a_month_in_the_due_date_column_is_not_a_date(county, ledger_row, tmp_path, due):
    path = make_xlsx(
        tmp_path / "d.xlsx", [ledger_row("养老", "2012-11", "10", "0", due)], headers=LEDGER
    )
    assert _run("import_ledger", path) == (1, [f"row 2, column 应缴截止日: {NOT_A_DAY}"])
    assert not LedgerItem.objects.filter(period__year=2012).exists()


def test_due_date_before_the_end_of_its_period_is_refused(county, ledger_row, tmp_path):
    rows = [
        ledger_row("养老", "2024-03", "10", "0", "2024-03-31"),  # the period's last day: fine
        ledger_row("养老", "2024-04", "10", "0", "2024-04-15"),
        ledger_row("养老", "2024-05", "10", "0", "2023-06-30"),
    ]
    path = make_xlsx(tmp_path / "d.xlsx", rows, headers=LEDGER)
    assert _run("import_ledger", path) == (
        1,
        [
            "row 3, column 应缴截止日: 不能早于费款所属期的最后一天（2024-04-30）",
            "row 4, column 应缴截止日: 不能早于费款所属期的最后一天（2024-05-31）",
        ],
    )
    assert _nothing_written()


def test_days_outside_the_business_range_are_refused(county, ledger_row, tmp_path):
    path = make_xlsx(
        tmp_path / "y.xlsx",
        [ledger_row("养老", "2024-03", "10", "0", "9999-12-31")],
        headers=LEDGER,
    )
    assert _run("import_ledger", path) == (
        1,
        ["row 2, column 应缴截止日: 日期超出范围（1990-01-01 至 2100-12-31）"],
    )
    assert _nothing_written()


def test_a_nul_character_in_a_text_cell_is_refused(county, tmp_path):
    # Excel writes a control character as _xHHHH_; the reader gives back U+0000, which no
    # PostgreSQL text column and no JSON for the job's result can hold.
    path = make_xlsx(
        tmp_path / "n.xlsx", [[make_uscc(900001), "某MARK公司", "龙泉镇", 3]], headers=ENTERPRISES
    )
    replace_part(path, SHEET, _sheet_xml(path).replace(b"MARK", b"_x0000_"))
    assert _run("import_enterprises", path) == (
        1,
        ["row 2, column 单位名称: 含有空字符（U+0000），请删除后再导入"],
    )
    assert not Enterprise.objects.filter(credit_code=make_uscc(900001)).exists()


# ---- a used range too large to read --------------------------------------------------------


def test_a_stray_cell_at_the_far_corner_is_refused_quickly(county, ledger_row, tmp_path):
    path = make_xlsx(
        tmp_path / "far.xlsx", [ledger_row("养老", "2024-03", "10", "0")], headers=LEDGER
    )
    xml = _sheet_xml(path)
    stray = _row(1048576, [_cell("XFD1048576", b"<v>1</v>")])
    replace_part(path, SHEET, xml.replace(b"</sheetData>", stray + b"</sheetData>"))
    with _deadline(60):
        code, lines = _run("import_ledger", path)
    assert (code, lines) == (
        1,
        [
            f"file {path.name}: 工作表的已用区域过大（到第 1048576 行、XFD 列），"
            "疑似异常文件，已拒绝。请删除多余的行和列后重新导入。"
        ],
    )
    assert _nothing_written()


# ---- formulas and merged cells the compiled reader does not report ------------------------


def _ledger_with_cell_f3(county, tmp_path, cell: bytes, tail: bytes = b""):
    path = make_xlsx(tmp_path / "f.xlsx", [], headers=LEDGER[:6])
    xml = _ledger_sheet(county, b"<v>0</v>")
    xml = xml.replace(_cell("F3", b"<v>0</v>"), cell)
    if tail:
        xml = xml.replace(b"</sheetData>", b"</sheetData>" + tail)
    return replace_part(path, SHEET, xml)


FORMULA = "单元格是公式，请复制后“粘贴为数值”再导入"
FORMULA_CELLS = [
    ("plain", b'<c r="F3"><f>E3*0.08</f><v>0.8</v></c>'),
    ("shared child", b'<c r="F3"><f t="shared" si="0"/><v>0.8</v></c>'),
    ("no cached value", b'<c r="F3"><f>1+1</f></c>'),
    ("without a reference", b"<c><f>1+1</f><v>2</v></c>"),
    ("prefixed", b'<x:c xmlns:x="' + MAIN_NS + b'" r="F3"><x:f>1+1</x:f><x:v>2</x:v></x:c>'),
    ("whitespace in the tag", b'<c r="F3"><f\n>1+1</f><v>2</v></c>'),
]


@pytest.mark.parametrize("case, cell", FORMULA_CELLS, ids=[f[0] for f in FORMULA_CELLS])
def test_formulas_are_found_in_every_spelling(county, tmp_path, case, cell):
    path = _ledger_with_cell_f3(county, tmp_path, cell)
    assert _run("import_ledger", path) == (1, [f"row 3, column 个人部分: {FORMULA}"])
    assert _nothing_written()


def test_formula_like_text_and_extension_formulas_are_not_cells_with_formulas(county, tmp_path):
    # A data validation list in the extension block holds <xm:f>; a rich-text run <family>.
    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="1" '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:dataValidation type="list"><x14:formula1><xm:f>Sheet2!$A$1:$A$5</xm:f>'
        b"</x14:formula1><xm:sqref>C2:C100</xm:sqref></x14:dataValidation>"
        b"</x14:dataValidations></ext></extLst>"
    )
    rich = (
        b'<c r="F3" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>0</t></r>'
        b"<r><t>&lt;f&gt;</t></r></is></c>"
    )
    path = _ledger_with_cell_f3(county, tmp_path, rich, tail=ext)
    code, lines = _run("import_ledger", path)
    assert (code, lines) == (1, ["row 3, column 个人部分: 不是数字"])  # '0<f>', not a formula


def test_prefixed_merged_cells_are_refused(county, tmp_path):
    merge = (
        b'<x:mergeCells xmlns:x="'
        + MAIN_NS
        + b'" count="1"><x:mergeCell ref="E2:E3"/></x:mergeCells>'
    )
    path = _ledger_with_cell_f3(county, tmp_path, _cell("F3", b"<v>1</v>"), tail=merge)
    assert _run("import_ledger", path) == (
        1,
        ["row 2, column 单位部分: 含合并单元格（E2:E3），请取消合并后再导入"],
    )


def test_entity_declaration_after_a_long_prolog_is_refused(county, ledger_row, tmp_path):
    path = make_xlsx(
        tmp_path / "p.xlsx", [ledger_row("养老", "2024-03", "10", "0")], headers=LEDGER
    )
    xml = _sheet_xml(path)
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    crafted = (
        b'<?xml version="1.0"?><!--' + b" " * 20000 + b'--><!DOCTYPE w [<!ENTITY a "b">]>' + body
    )
    replace_part(path, SHEET, crafted)
    code, lines = _run("import_ledger", path)
    assert (code, lines) == (1, [f"file {path.name}: 文件含有 XML 实体声明（不安全），已拒绝。"])


DAMAGED = "文件已损坏，无法作为 Excel 工作簿打开。"


def test_damaged_compressed_data_deep_in_the_sheet_is_a_file_error(county, ledger_row, tmp_path):
    rows = [ledger_row("养老", f"{2000 + n // 12}-{n % 12 + 1:02d}", "10", "0") for n in range(300)]
    path = make_xlsx(tmp_path / "z.xlsx", rows, headers=LEDGER)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    data = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26 : header + 28], "little")
    start += int.from_bytes(data[header + 28 : header + 30], "little")
    end = start + info.compress_size
    data[end - 200 : end - 100] = bytes(range(100))  # past what the container check reads
    path.write_bytes(bytes(data))
    assert _run("import_ledger", path) == (1, [f"file {path.name}: {DAMAGED}"])
    assert not LedgerItem.objects.filter(period__year__lt=2025).exists()


def test_two_parts_of_one_name_are_refused(county, ledger_row, tmp_path):
    path = make_xlsx(
        tmp_path / "d.xlsx", [ledger_row("养老", "2024-03", "10", "0")], headers=LEDGER
    )
    with_formula = _sheet_xml(path).replace(b"<v>0</v>", b"<f>1+1</f><v>0</v>", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(SHEET, with_formula)
    assert _run("import_ledger", path) == (1, [f"file {path.name}: {DAMAGED}"])
    assert _nothing_written()


# ---- where the reader puts cells ------------------------------------------------------------


def test_cells_keep_their_rows_and_columns_when_column_a_and_rows_are_empty(
    county, ledger_row, tmp_path
):
    # The table starts in column B; row 3 is empty; row 4 has an error. A spreadsheet program
    # shows the error in row 4, column 单位部分.
    def shifted(sheet):
        sheet.insert_cols(1)

    rows = [
        ledger_row("养老", "2024-03", "10", "0"),
        [None] * 6,
        ledger_row("养老", "2024-04", "x", "0"),
    ]
    path = make_xlsx(tmp_path / "b.xlsx", rows, headers=LEDGER[:6], edit=shifted)
    assert _run("import_ledger", path) == (1, ["row 4, column 单位部分: 不是数字"])


@pytest.mark.parametrize(
    "inner, attrs",
    [(b"<v>1e400</v>", b""), (b"<is><t>Infinity</t></is>", b' t="inlineStr"')],
    ids=["overflowing number", "Infinity text"],
)
def test_infinite_values_the_old_reader_refused_too(county, tmp_path, inner, attrs):
    path = make_xlsx(tmp_path / "n.xlsx", [], headers=LEDGER[:6])
    replace_part(path, SHEET, _ledger_sheet(county, inner, attrs))
    assert _run("import_ledger", path) == (1, ["row 3, column 个人部分: 不是有效数字"])


def test_amounts_keep_every_fen_through_number_cells(county, ledger_row, tmp_path):
    amounts = [0.1, 0.29, 1234.56, 999999999.99, 12345678.91, 0.07]
    rows = [ledger_row("养老", f"2024-{n + 1:02d}", a, 0) for n, a in enumerate(amounts)]
    path = make_xlsx(tmp_path / "fen.xlsx", rows, headers=LEDGER)
    code, lines = _run("import_ledger", path)
    assert code == 0, lines
    stored = LedgerItem.objects.filter(period__year=2024).order_by("period")
    assert [i.unit_amount for i in stored] == [D(str(a)).quantize(D("0.01")) for a in amounts]


def _excel_like_xlsx(path, rows: list[list], prefix: str = ""):
    """A workbook laid out as Excel writes it — shared strings, `spans` and `x14ac` attributes
    on rows — or, with `prefix`, as tools built on the Open XML SDK do, every element of the
    sheet carrying a namespace prefix."""
    strings: list[str] = []

    def cell(ref, value):
        if isinstance(value, str):
            if value not in strings:
                strings.append(value)
            return f'<{prefix}c r="{ref}" t="s"><{prefix}v>{strings.index(value)}</{prefix}v></{prefix}c>'
        return f'<{prefix}c r="{ref}"><{prefix}v>{value}</{prefix}v></{prefix}c>'

    body = "".join(
        f'<{prefix}row r="{n}" spans="1:{len(row)}" x14ac:dyDescent="0.25">'
        + "".join(cell(f"{chr(65 + i)}{n}", v) for i, v in enumerate(row) if v is not None)
        + f"</{prefix}row>"
        for n, row in enumerate(rows, start=1)
    )
    ns = f'xmlns{":" + prefix[:-1] if prefix else ""}="{MAIN_NS.decode()}"'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f"<{prefix}worksheet {ns} "
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'mc:Ignorable="x14ac" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        f'<{prefix}dimension ref="A1:F{len(rows)}"/><{prefix}sheetData>{body}</{prefix}sheetData>'
        f"</{prefix}worksheet>"
    )
    shared = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{MAIN_NS.decode()}"'
        f' count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS.decode()}" xmlns:r="{rel}">'
            '<sheets><sheet name="欠费明细" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return path


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["as Excel writes it", "Open XML SDK prefixes"])
@pytest.mark.parametrize("chunk", [None, 64], ids=["one block", "64-byte blocks"])
def test_excel_and_sdk_workbooks_import_whatever_the_scan_block(
    county, tmp_path, monkeypatch, prefix, chunk
):
    if chunk:
        monkeypatch.setattr("core.excel._SCAN_CHUNK", chunk)
    e = county.enterprise
    rows = [
        LEDGER[:6],
        [e.credit_code, e.name, "养老", "2024-03", 1234.5, 0.07],
        [e.credit_code, e.name, "医疗", 202404, "100", 0],
    ]
    path = _excel_like_xlsx(tmp_path / "excel.xlsx", rows, prefix)
    code, lines = _run("import_ledger", path)
    assert (code, lines) == (
        0,
        ["imported 2 rows (2 new, 0 updated, 0 unchanged, 0 kept because paid)"],
    )
    march = LedgerItem.objects.get(period=date(2024, 3, 1))
    assert (march.unit_amount, march.individual_amount) == (D("1234.50"), D("0.07"))
    assert (
        LedgerItem.objects.get(period=date(2024, 4, 1), insurance_type="medical").principal == 100
    )


@pytest.mark.parametrize("chunk", [None, 64, 4096], ids=["one block", "64 bytes", "4 KiB"])
def test_formulas_and_merges_are_found_across_scan_blocks(county, tmp_path, monkeypatch, chunk):
    if chunk:
        monkeypatch.setattr("core.excel._SCAN_CHUNK", chunk)
    e = county.enterprise
    rows = [[e.credit_code, e.name, "养老", f"2024-{m:02d}", "10", "0"] for m in range(1, 13)]
    path = make_xlsx(tmp_path / "f.xlsx", rows, headers=LEDGER[:6])
    formula = make_xlsx(
        tmp_path / "g.xlsx",
        [*rows[:9], [e.credit_code, e.name, "养老", "2024-10", "=E2", "0"]],
        headers=LEDGER[:6],
    )
    merged = make_xlsx(
        tmp_path / "m.xlsx", rows, headers=LEDGER[:6], edit=lambda s: s.merge_cells("F12:F13")
    )
    assert _run("import_ledger", path, "--dry-run")[0] == 0
    assert _run("import_ledger", formula) == (1, [f"row 11, column 单位部分: {FORMULA}"])
    assert _run("import_ledger", merged) == (
        1,
        [
            "row 12, column 个人部分: 含合并单元格（F12:F13），请取消合并后再导入",
            "row 13, column 个人部分: 不能为空（没有请填 0）",  # merging emptied F13
        ],
    )
    assert _nothing_written()
