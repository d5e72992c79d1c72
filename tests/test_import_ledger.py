"""The ledger importer: messy but meaningful input accepted, every bad input of DESIGN §5 rejected."""

from datetime import date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from arrears.models import LedgerItem
from arrears.services import payment_post
from tests.xlsx import make_xlsx

HEADERS = [
    "统一社会信用代码",
    "单位名称",
    "险种",
    "费款所属期",
    "单位部分",
    "个人部分",
    "应缴截止日",
]


def _run(path, *args):
    out = StringIO()
    try:
        call_command("import_ledger", str(path), *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip().splitlines()


@pytest.fixture
def row(county):
    e = county.enterprise
    return lambda *cells: [e.credit_code, e.name, *cells]


def test_good_rows_in_every_accepted_form(county, row, tmp_path):
    rows = [
        row("养老", "2024-03", "1,234.50", "493.80", None),
        row(None, "202404", 1000, 400, None),
        row("企业职工基本养老保险", "2024年5月", "１２００", "０", "2024年6月30日"),
        row("养老", "2024.06", " 800.5 ", 300, datetime(2024, 7, 31)),
        row("医疗", 202403, "100", "20", "2024/04/30"),
    ]
    code, lines = _run(make_xlsx(tmp_path / "l.xlsx", rows, headers=HEADERS))
    assert code == 0, lines
    assert lines == ["imported 5 rows (5 new, 0 updated, 0 unchanged, 0 kept because paid)"]
    march = LedgerItem.objects.get(
        enterprise=county.enterprise, period=date(2024, 3, 1), insurance_type="pension"
    )
    assert (march.unit_amount, march.individual_amount, march.principal) == (
        D("1234.50"),
        D("493.80"),
        D("1728.30"),
    )
    assert march.due_date == date(2024, 4, 30)  # the policy's rule: last day of the next month
    assert LedgerItem.objects.get(period=date(2024, 5, 1)).due_date == date(2024, 6, 30)
    assert march.fee_accrued > 0 and march.accrued_through == date(2026, 11, 22)


BAD = [
    ("negative", ["养老", "2024-03", "-5", "0"], "单位部分", "不能为负数"),
    ("three decimals", ["养老", "2024-03", "1.005", "0"], "单位部分", "最多保留两位小数"),
    ("not a number", ["养老", "2024-03", "一千", "0"], "单位部分", "不是数字"),
    ("nan", ["养老", "2024-03", "NaN", "0"], "单位部分", "不是有效数字"),
    ("month 13", ["养老", "2024-13", "5", "0"], "费款所属期", "不存在或超出范围"),
    ("garbage period", ["养老", "去年", "5", "0"], "费款所属期", "不是有效的所属期"),
    ("future year", ["养老", "2031-01", "5", "0"], "费款所属期", "不存在或超出范围"),
    ("unknown type", ["寿险", "2024-03", "5", "0"], "险种", "不是有效的险种"),
    ("both zero", ["养老", "2024-03", "0", "0"], "单位部分", "不能都为 0"),
    ("empty amount", ["养老", "2024-03", None, "0"], "单位部分", "不能为空"),
    ("bad due date", ["养老", "2024-03", "5", "0", "2024-02-30"], "应缴截止日", "日期不存在"),
]


@pytest.mark.parametrize("case, cells, column, message", BAD, ids=[b[0] for b in BAD])
def test_bad_cells_are_rejected_with_row_and_column(
    county, row, tmp_path, case, cells, column, message
):
    path = make_xlsx(
        tmp_path / "b.xlsx", [row("养老", "2024-01", "10", "0"), row(*cells)], headers=HEADERS
    )
    code, lines = _run(path)
    assert code == 1
    assert any(
        line.startswith(f"row 3, column {column}: ") and message in line for line in lines
    ), lines
    assert not LedgerItem.objects.filter(period__year=2024).exists()  # the fixture holds 2025 only


def test_unknown_enterprise_wrong_name_and_code_as_number(county, tmp_path):
    e = county.enterprise
    rows = [
        ["91110000600037341L", "某公司", "养老", "2024-03", 1, 0],
        [e.credit_code, "别的名字有限公司", "养老", "2024-03", 1, 0],
        [911405270000000001, e.name, "养老", "2024-03", 1, 0],
    ]
    code, lines = _run(make_xlsx(tmp_path / "u.xlsx", rows, headers=HEADERS))
    assert code == 1
    assert lines[0].startswith(
        "row 2, column 统一社会信用代码: 企业 91110000600037341L 不在企业名册中"
    )
    assert lines[1].startswith("row 3, column 单位名称: 与企业名册不一致")
    assert "被存成了数字" in lines[2]


def test_duplicate_rows(county, row, tmp_path):
    rows = [row("养老", "2024-03", 1, 0), row(None, "202403", 2, 0)]
    code, lines = _run(make_xlsx(tmp_path / "d.xlsx", rows, headers=HEADERS))
    assert (code, lines) == (
        1,
        ["row 3, column 费款所属期: 与第 2 行重复（同一企业、险种和所属期）"],
    )


def test_reimport_updates_only_unpaid_items_and_reports(county, row, tmp_path):
    first = [
        row("养老", "2024-03", "1000", "0"),
        row("养老", "2024-04", "1000", "0"),
        row("养老", "2024-05", "9", "0"),
    ]
    assert _run(make_xlsx(tmp_path / "1.xlsx", first, headers=HEADERS))[0] == 0
    payment_post(
        actor=None,
        enterprise=county.enterprise,
        amount=D("500"),
        paid_on=date(2026, 1, 5),
        method="self",
        external_ref="B1",
    )
    second = [
        row("养老", "2024-03", "1200", "0"),
        row("养老", "2024-04", "1100", "0"),
        row("养老", "2024-05", "9", "0"),
    ]
    code, lines = _run(make_xlsx(tmp_path / "2.xlsx", second, headers=HEADERS))
    assert code == 0
    assert lines == ["imported 3 rows (0 new, 1 updated, 1 unchanged, 1 kept because paid)"]
    assert LedgerItem.objects.get(period=date(2024, 3, 1)).principal == D("1000.00")  # paid: kept
    assert LedgerItem.objects.get(period=date(2024, 4, 1)).principal == D("1100.00")


def test_dry_run(county, row, tmp_path):
    code, lines = _run(
        make_xlsx(tmp_path / "x.xlsx", [row("养老", "2024-03", "10", "0")], headers=HEADERS),
        "--dry-run",
    )
    assert code == 0 and "checked 1 rows for 1 enterprises, principal 10.00" in lines[0]
    assert not LedgerItem.objects.filter(period__year=2024).exists()  # the fixture holds 2025 only


LEDGER_HEADERS = ["统一社会信用代码", "单位名称", "险种", "费款所属期", "单位部分", "个人部分"]


def test_ledger_file_level_rejections(county, tmp_path, settings):
    from tests.xlsx import add_part, replace_part

    e = county.enterprise
    good = [e.credit_code, e.name, "养老", "2024-03", "10", "0"]
    not_xlsx = tmp_path / "a.xlsx"
    not_xlsx.write_bytes(b"not a zip")
    formula = make_xlsx(
        tmp_path / "f.xlsx",
        [[e.credit_code, e.name, "养老", "2024-03", "=1+1", "0"]],
        headers=LEDGER_HEADERS,
    )
    merged = make_xlsx(
        tmp_path / "m.xlsx",
        [good, good],
        headers=LEDGER_HEADERS,
        edit=lambda s: s.merge_cells("E2:E3"),
    )
    empty = make_xlsx(tmp_path / "e.xlsx", [], headers=LEDGER_HEADERS)
    missing = make_xlsx(tmp_path / "h.xlsx", [good[:4]], headers=LEDGER_HEADERS[:4])
    lol = replace_part(
        make_xlsx(tmp_path / "l.xlsx", [good], headers=LEDGER_HEADERS),
        "xl/worksheets/sheet1.xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><worksheet/>',
    )
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = add_part(
        make_xlsx(tmp_path / "b.xlsx", [good], headers=LEDGER_HEADERS),
        "xl/pad.bin",
        b"\0" * 2_000_000,
    )
    expectations = [
        (not_xlsx, "不是 Excel 工作簿"),
        (formula, "row 2, column 单位部分: 单元格是公式"),
        (merged, "含合并单元格（E2:E3）"),
        (empty, "工作表没有数据行"),
        (missing, "row 1, column 单位部分: 缺少必需的列"),
        (lol, "XML 实体"),
        (bomb, "压缩炸弹"),
    ]
    for path, message in expectations:
        code, lines = _run(path)
        assert code == 1 and any(message in line for line in lines), (path.name, lines)
    assert not LedgerItem.objects.filter(period__year=2024).exists()


def test_items_inserted_by_copy_read_back_as_the_orm_would_write_them(county):
    from arrears.services import insert_items

    item = LedgerItem(
        enterprise=county.enterprise,
        insurance_type="pension",
        period=date(2019, 4, 1),
        unit_amount=D("1234.56"),
        individual_amount=D("0.07"),
        due_date=date(2019, 5, 31),
    )
    insert_items([item])
    stored = LedgerItem.objects.get(enterprise=county.enterprise, period=date(2019, 4, 1))
    assert (stored.unit_amount, stored.individual_amount, stored.principal) == (
        D("1234.56"),
        D("0.07"),
        D("1234.63"),
    )
    assert (stored.principal_paid, stored.fee_paid, stored.fee_accrued) == (0, 0, 0)
    assert stored.accrued_through is None and stored.created_at is not None
    assert stored.due_date == date(2019, 5, 31)
