"""The enterprise importer: what it accepts, what it rejects (DESIGN §5), and all-or-nothing."""

import pytest
from django.core.management import call_command

from core.models import AuditEntry
from enterprises.codes import NOT_YOURS
from enterprises.importers import parse_enterprise_file
from enterprises.models import Enterprise
from tests.factories import make_uscc
from tests.xlsx import add_part, make_xlsx, replace_part

CODE_1, CODE_2 = make_uscc(900001), make_uscc(900002)
GOOD = [
    CODE_1,
    "壶关县太行机械有限公司",
    "龙泉镇",
    "C 制造业",
    "有限责任公司",
    "李四",
    "0355-8123456",
    "龙泉镇建设路 8 号",
]


def _run(path):
    """The command as a script would call it: (exit code, printed lines)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_enterprises", str(path), stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue().strip().splitlines()


def test_good_file_is_imported_with_the_stable_message(county, tmp_path):
    second = [CODE_2, "壶关县晋阳商贸有限公司", "百尺镇", "批发和零售业", "私营企业", "", "", ""]
    code, lines = _run(make_xlsx(tmp_path / "ok.xlsx", [GOOD, second]))
    assert code == 0
    assert lines[-1].startswith("imported 2 rows")
    enterprise = Enterprise.objects.get(credit_code=CODE_1)
    assert enterprise.region == county.region_a
    assert (enterprise.industry, enterprise.ownership) == ("C", "limited")
    assert Enterprise.objects.get(credit_code=CODE_2).industry == "F"
    assert AuditEntry.objects.get(action="import").detail["created"] == 2


def test_headers_in_any_order_and_messy_but_meaningful_values(county, tmp_path):
    headers = ["所属乡镇", "单位名称", "统一社会信用代码", "联系电话"]
    # Full-width code and digits, ideographic and stray spaces around the values.
    full_width = CODE_1.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    row = ["\u3000龙泉镇 ", "  壶关县  太行机械有限公司", f" {full_width}\u3000", 13800000000]
    code, lines = _run(make_xlsx(tmp_path / "messy.xlsx", [row], headers=headers))
    assert (code, lines) == (0, ["imported 1 rows (1 new, 0 updated)"])
    enterprise = Enterprise.objects.get(credit_code=CODE_1)
    assert enterprise.name == "壶关县 太行机械有限公司"
    assert enterprise.phone == "13800000000"


def test_existing_enterprise_is_updated_not_duplicated(county, tmp_path):
    row = [
        county.enterprise.credit_code,
        "壶关县鑫源机械制造有限公司（改制）",
        "龙泉镇",
        "",
        "",
        "",
        "",
        "",
    ]
    code, lines = _run(make_xlsx(tmp_path / "update.xlsx", [row]))
    assert (code, lines) == (0, ["imported 1 rows (0 new, 1 updated)"])
    county.enterprise.refresh_from_db()
    assert county.enterprise.name == "壶关县鑫源机械制造有限公司（改制）"
    # Empty cells leave what the register knows.
    assert county.enterprise.legal_representative == "张三"
    assert Enterprise.objects.filter(credit_code=county.enterprise.credit_code).count() == 1


BAD_ROWS = [
    (
        "bad check character",
        [CODE_1[:-1] + ("A" if CODE_1[-1] != "A" else "B")],
        2,
        "统一社会信用代码",
        "校验位错误",
    ),
    ("code stored as a number", [911405270000000001], 2, "统一社会信用代码", "被存成了数字"),
    ("illegal letter", [CODE_1[:5] + "O" + CODE_1[6:]], 2, "统一社会信用代码", "非法字符"),
    ("unknown township", [CODE_1, "某公司", "不存在镇"], 2, "所属乡镇", "不存在"),
    ("missing name", [CODE_1, None, "龙泉镇"], 2, "单位名称", "不能为空"),
    ("bad industry", [CODE_1, "某公司", "龙泉镇", "造飞船"], 2, "行业", "不是有效的行业门类"),
    (
        "bad phone",
        [CODE_1, "某公司", "龙泉镇", None, None, None, "打电话"],
        2,
        "联系电话",
        "不是有效的电话号码",
    ),
]


@pytest.mark.parametrize("case, row, line, column, message", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(
    county, tmp_path, case, row, line, column, message
):
    path = make_xlsx(tmp_path / "bad.xlsx", [[CODE_2, "好公司", "龙泉镇"], row])
    code, lines = _run(path)
    assert code == 1
    assert any(
        text.startswith(f"row {line + 1}, column {column}: ") and message in text for text in lines
    ), lines
    assert not Enterprise.objects.filter(credit_code__in=[CODE_1, CODE_2]).exists()


def test_duplicate_rows_are_rejected(county, tmp_path):
    code, lines = _run(make_xlsx(tmp_path / "dup.xlsx", [GOOD, GOOD]))
    assert code == 1
    assert lines == ["row 3, column 统一社会信用代码: 与第 2 行重复"]


def test_missing_and_unknown_headers(county, tmp_path):
    path = make_xlsx(
        tmp_path / "h.xlsx", [[CODE_1, "某公司"]], headers=["统一社会信用代码", "公司名"]
    )
    code, lines = _run(path)
    assert code == 1
    assert "row 1, column 公司名: 无法识别的列名" in lines
    assert "row 1, column 单位名称: 缺少必需的列" in lines
    assert "row 1, column 所属乡镇: 缺少必需的列" in lines


def test_formula_cells_are_rejected(county, tmp_path):
    path = make_xlsx(tmp_path / "f.xlsx", [[CODE_1, '=CONCAT("某","公司")', "龙泉镇"]])
    code, lines = _run(path)
    assert code == 1
    assert lines == ["row 2, column 单位名称: 单元格是公式，请复制后“粘贴为数值”再导入"]


def test_merged_cells_are_rejected(county, tmp_path):
    path = make_xlsx(
        tmp_path / "m.xlsx", [GOOD, [CODE_2, "某公司", None]], edit=lambda s: s.merge_cells("C2:C3")
    )
    code, lines = _run(path)
    assert code == 1
    assert "row 2, column 所属乡镇: 含合并单元格（C2:C3），请取消合并后再导入" in lines


def test_empty_sheet(county, tmp_path):
    code, lines = _run(make_xlsx(tmp_path / "empty.xlsx", []))
    assert code == 1
    assert "工作表没有数据行" in lines[0]
    code, lines = _run(make_xlsx(tmp_path / "blank.xlsx", [], headers=None))
    assert code == 1 and "工作表是空的" in lines[0]


def test_a_file_that_is_not_xlsx(county, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("统一社会信用代码,单位名称\n")
    code, lines = _run(path)
    assert code == 1
    assert "不是 Excel 工作簿" in lines[0]


def test_oversize_file(county, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    code, lines = _run(make_xlsx(tmp_path / "big.xlsx", [GOOD] * 50))
    assert code == 1 and "文件过大" in lines[0]


def test_zip_bomb(county, tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    path = add_part(
        make_xlsx(tmp_path / "bomb.xlsx", [GOOD]), "xl/media/pad.bin", b"\0" * (8 * 1024 * 1024)
    )
    assert path.stat().st_size < 100_000  # small on disk, large unpacked
    code, lines = _run(path)
    assert code == 1 and "压缩炸弹" in lines[0]


def test_billion_laughs(county, tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    path = replace_part(
        make_xlsx(tmp_path / "lol.xlsx", [GOOD]), "xl/worksheets/sheet1.xml", laughs
    )
    code, lines = _run(path)
    assert code == 1 and "XML 实体" in lines[0]


def test_jurisdiction_applies_to_importing_users(county, tmp_path):
    outside = [CODE_2, "某公司", "百尺镇"]
    other = [county.other_enterprise.credit_code, "改名", "龙泉镇"]
    parsed = parse_enterprise_file(
        make_xlsx(tmp_path / "j.xlsx", [GOOD, outside, other]),
        allowed_region_ids={county.region_a.id},
    )
    assert [str(p) for p in parsed.problems] == [
        "第 3 行「所属乡镇」列：乡镇「百尺镇」不在您所在工作组的辖区内",
        "第 4 行「统一社会信用代码」列：" + NOT_YOURS,
    ]
    # Nothing says the enterprise belongs to another township (issue 13 §3).
    assert not any("其他" in str(p) for p in parsed.problems)


def test_dry_run_writes_nothing(county, tmp_path):
    from io import StringIO

    out = StringIO()
    call_command(
        "import_enterprises", str(make_xlsx(tmp_path / "d.xlsx", [GOOD])), "--dry-run", stdout=out
    )
    assert "checked 1 rows" in out.getvalue()
    assert not Enterprise.objects.filter(credit_code=CODE_1).exists()


@pytest.mark.parametrize("headcount", ["三十", -3, "1.5"])
def test_headcount_must_be_a_whole_number(county, tmp_path, headcount):
    headers = ["统一社会信用代码", "单位名称", "所属乡镇", "职工人数"]
    path = make_xlsx(
        tmp_path / "n.xlsx", [[CODE_1, "某公司", "龙泉镇", headcount]], headers=headers
    )
    code, lines = _run(path)
    assert (code, lines) == (1, ["row 2, column 职工人数: 应为不小于 0 的整数"])
