"""The monthly report (月报) read back from the file: its sheets, layout and print set-up, and
every figure against a small county worked out by hand (the clock stands at 2026-11-22 10:00).

openpyxl reads numbers back as int or float: amounts here are exact in binary and compare
equal to the Decimal worked out by hand; rates (4 places) are compared approximately.
"""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from arrears.services import enterprise_rebuild, payment_post, payment_reverse
from core import roles
from enforcement.models import Case
from enforcement.services import case_open
from reports.models import Target
from reports.monthly import build_monthly
from tests.factories import (
    EnterpriseFactory,
    LedgerItemFactory,
    RegionFactory,
    TaskGroupFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHEETS = ["汇总", "分乡镇", "分工作组", "欠费单位明细", "回收明细", "案件进度"]
NAUGHTY = '=HYPERLINK("http://x","点我")有限公司'


def _item(enterprise, period, principal, due):
    return LedgerItemFactory(
        enterprise=enterprise,
        period=period,
        unit_amount=Decimal(principal),
        individual_amount=Decimal("0"),
        due_date=due,
        due_date_fixed=True,
    )


def make_dataset():
    """Three townships in two groups, five enterprises (all pension items):

    龙泉镇 (第一工作组)
      甲 items 2026-10 10,000 and 2026-11 10,000 (due 11-30 and 12-31: no fee yet);
         paid 4,000 on 2026-11-05 (自缴) for 2026-10          → owes 16,000.00
      戊 item 2026-08 1,200,000 due 2026-12-31 (no fee)        → owes 1,200,000.00 (≥ 100万)
    百尺镇 (第二工作组)
      "=HYPERLINK…" item 2025-12 5,000 due 2026-01-31, unpaid: fee 2026-02-01 … 2026-11-22
         = 295 days × 5,000 × 0.0005 = 737.50 (payment day counted) → owes 5,000 + 737.50,
         aged 3–12 months (2025-12 is older than 2026-08, newer than 2025-11)
    店上镇 (第二工作组)
      丙 item 2026-09 2,000 due 2026-10-31; paid 2,000 on 2026-10-20 (银行划拨) → owes nothing
      丁 item 2026-11 3,000 due 2026-12-31; paid 1,000 on 2026-11-10 (法院执行) → owes 2,000;
         500 paid on 2026-11-12 and reversed: not recovered

    Targets 2026: 龙泉镇 100,000; 第二工作组 50,000.
    Cases: 甲 催缴 opened 2026-11-01 07:30 local (23:30 UTC the day before: still November);
    "=HYPERLINK…" 催告 opened 2026-10-15; 丙 closed 2026-11-03 全额清缴 (opened 2026-09-01);
    丁 立案 opened now.
    """
    group_1, group_2 = TaskGroupFactory(name="第一工作组"), TaskGroupFactory(name="第二工作组")
    longquan = RegionFactory(name="龙泉镇", task_group=group_1)
    baichi = RegionFactory(name="百尺镇", task_group=group_2)
    dianshang = RegionFactory(name="店上镇", task_group=group_2)
    jia = EnterpriseFactory(name="壶关县甲公司", region=longquan)
    wu = EnterpriseFactory(name="壶关县戊公司", region=longquan)
    naughty = EnterpriseFactory(name=NAUGHTY, region=baichi)
    bing = EnterpriseFactory(name="壶关县丙公司", region=dianshang)
    ding = EnterpriseFactory(name="壶关县丁公司", region=dianshang)
    _item(jia, date(2026, 10, 1), "10000.00", date(2026, 11, 30))
    _item(jia, date(2026, 11, 1), "10000.00", date(2026, 12, 31))
    _item(wu, date(2026, 8, 1), "1200000.00", date(2026, 12, 31))
    _item(naughty, date(2025, 12, 1), "5000.00", date(2026, 1, 31))
    _item(bing, date(2026, 9, 1), "2000.00", date(2026, 10, 31))
    _item(ding, date(2026, 11, 1), "3000.00", date(2026, 12, 31))
    for enterprise in (jia, wu, naughty, bing, ding):
        enterprise_rebuild(enterprise_id=enterprise.pk)

    caseworker = UserFactory(username="jingban", role=roles.CASEWORKER)
    cases = {e.name: case_open(actor=caseworker, enterprise=e) for e in (jia, naughty, bing, ding)}

    def pay(enterprise, amount, day, method, ref, period):
        return payment_post(
            actor=None,
            enterprise=enterprise,
            amount=Decimal(amount),
            paid_on=day,
            method=method,
            external_ref=ref,
            periods=[period],
        )[0]

    pay(jia, "4000.00", date(2026, 11, 5), "self", "=SUM(A1:A9)", date(2026, 10, 1))
    pay(bing, "2000.00", date(2026, 10, 20), "bank_transfer", "HZ-1", date(2026, 9, 1))
    pay(ding, "1000.00", date(2026, 11, 10), "court", "FY-1", date(2026, 11, 1))
    leader = UserFactory(username="lingdao", role=roles.TASKFORCE_LEADER)
    reversed_payment = pay(ding, "500.00", date(2026, 11, 12), "other", "QT-1", date(2026, 11, 1))
    payment_reverse(actor=leader, payment=reversed_payment, reason="银行退票")
    Target.objects.create(year=2026, region=longquan, amount=Decimal("100000"), updated_by=leader)
    Target.objects.create(year=2026, task_group=group_2, amount=Decimal("50000"), updated_by=leader)

    local = lambda *args: datetime(*args, tzinfo=SHANGHAI)  # noqa: E731
    Case.objects.filter(pk=cases[jia.name].pk).update(
        stage="demand", opened_at=local(2026, 11, 1, 7, 30)
    )
    Case.objects.filter(pk=cases[naughty.name].pk).update(
        stage="rectification", opened_at=local(2026, 10, 15, 9)
    )
    Case.objects.filter(pk=cases[bing.name].pk).update(
        stage="closed",
        closing_reason="paid",
        opened_at=local(2026, 9, 1, 9),
        closed_at=local(2026, 11, 3, 16),
    )
    return SimpleNamespace(
        groups=(group_1, group_2),
        regions=(longquan, baichi, dianshang),
        jia=jia,
        wu=wu,
        naughty=naughty,
        bing=bing,
        ding=ding,
        leader=leader,
        caseworker=caseworker,
    )


@pytest.fixture
def dataset(db):
    return make_dataset()


def read(content: bytes):
    return load_workbook(BytesIO(content))


def rows(sheet, first=4):
    return [list(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


def by_label(sheet) -> dict:
    return {r[0]: r for r in rows(sheet) if r[0]}


def table(sheet) -> tuple[list, list]:
    """The detail lines and the totals row of a sheet (the line starting 合计)."""
    lines = rows(sheet)
    end = next(i for i, r in enumerate(lines) if r[0] == "合计")
    return lines[:end], lines[end]


@pytest.fixture
def november(dataset):
    return read(build_monthly(month=date(2026, 11, 1)))


def test_sheets_titles_and_layout(november):
    assert november.sheetnames == SHEETS
    for sheet in november.worksheets:
        assert sheet["A1"].value == "壶关县社会保险费清欠工作月报（2026年11月）"
        assert "A1" in {str(r).split(":")[0] for r in sheet.merged_cells.ranges}
        assert "单位：" in sheet["A2"].value
        assert sheet.freeze_panes.endswith("4")  # the title, unit line and header stay
        assert sheet.print_title_rows == "$2:$3"  # unit line and header on every page
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["A"].width > 5
    assert november["汇总"]["A2"].value.endswith("2026年11月22日 10:00")
    assert november["欠费单位明细"].freeze_panes == "D4"


def test_summary_figures(november):
    summary = by_label(november["汇总"])
    # label, unit, this month, the year so far, remark
    assert summary["欠费单位数"][2] == 4  # 甲, 戊, =HYPERLINK…, 丁 (丙 paid in full)
    assert summary["累计欠费本金"][2] == Decimal("1223000")  # 16,000 + 1,200,000 + 5,000 + 2,000
    assert summary["累计欠缴滞纳金"][2] == Decimal("737.5")  # 295 days × 5,000 × 0.0005
    assert summary["欠费合计"][2] == Decimal("1223737.5")
    # Periods 2026-01…11: due 20,000 + 1,200,000 + 2,000 + 3,000; paid 4,000 + 2,000 + 1,000.
    assert summary["其中：当年新增欠费本金"][3] == Decimal("1218000")
    ages = {k.strip(): v[2] for k, v in summary.items() if "账龄" in k}
    assert ages["欠费本金账龄3个月以内"] == Decimal("1218000")  # 2026-08 … 2026-11
    assert ages["欠费本金账龄3至12个月"] == Decimal("5000")  # 2025-12
    assert summary["欠费本金100万元以上的单位"][2] == 1  # 戊
    assert summary["欠费本金1000万元以上的单位"][2] == 0
    # November: 4,000 (甲, 自缴) + 1,000 (丁, 法院执行); the 500 reversed is not counted.
    # The year: and 2,000 (丙, 银行划拨, October).
    assert summary["回收本金"][2:4] == [Decimal("5000"), Decimal("7000")]
    assert summary["回收滞纳金"][2:4] == [0, 0]
    assert summary["回收合计"][2:4] == [Decimal("5000"), Decimal("7000")]
    methods = {k.strip(): v[2:4] for k, v in summary.items() if k.strip().startswith("其中：")}
    assert methods["其中：自缴"] == [Decimal("4000"), Decimal("4000")]
    assert methods["其中：银行划拨"] == [0, Decimal("2000")]
    assert methods["其中：法院执行"] == [Decimal("1000"), Decimal("1000")]
    assert methods["其中：其他"] == [0, 0]
    # 征缴率: period 2026-11 paid 1,000 of 13,000 = 7.69 %; the year 7,000 of 1,225,000 = 0.57 %.
    assert summary["应缴本金"][2:4] == [Decimal("13000"), Decimal("1225000")]
    assert summary["征缴率"][2:4] == pytest.approx([0.0769, 0.0057])  # rates: 4 places
    assert "低于 90%" in summary["征缴率"][4]
    # Targets: 龙泉镇 100,000 (第一工作组's) + 第二工作组 50,000 = 150,000; 7,000 of it.
    assert summary["年度清欠目标"][3] == Decimal("150000")
    assert summary["目标完成率"][3] == pytest.approx(0.0467)
    assert summary["在办案件"][2] == 3
    assert summary["立案"][2:4] == [2, 4]  # 甲 (11-01 07:30 local), 丁; the year: all four
    assert summary["结案"][2:4] == [1, 1]  # 丙


def test_summary_formats_and_red_rate(november):
    sheet = november["汇总"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert cells["累计欠费本金"][2].number_format == "#,##0.00"
    assert cells["欠费单位数"][2].number_format == "#,##0"
    assert cells["征缴率"][2].number_format == "0.00%"
    assert cells["征缴率"][2].font.color.rgb.endswith("C00000")
    notes = [r[0] for r in rows(sheet) if r[0] and r[0].startswith("说明")]
    assert "本期尚未结束" in notes[0]


def test_township_and_group_sheets_add_up(november):
    lines, total = table(november["分乡镇"])
    named = {r[0]: r for r in lines}
    # 乡镇, 工作组, 户, 本金, 滞纳金, 合计, 当年新增, 本月回收, 本年回收, 目标, 完成率, 征缴率
    assert named["龙泉镇"][2:10] == [
        2, Decimal("1216000"), 0, Decimal("1216000"), Decimal("1216000"),
        Decimal("4000"), Decimal("4000"), Decimal("100000"),
    ]  # fmt: skip
    assert named["龙泉镇"][10] == pytest.approx(0.04)
    assert named["百尺镇"][2:7] == [1, Decimal("5000"), Decimal("737.5"), Decimal("5737.5"), 0]
    assert named["店上镇"][7:9] == [Decimal("1000"), Decimal("3000")]
    assert named["店上镇"][11] == pytest.approx(0.6)  # 3,000 of 5,000 due for 2026
    for column in range(2, 10):
        assert total[column] == sum(r[column] or 0 for r in lines), column
    assert total[3] == Decimal("1223000")
    groups, group_total = table(november["分工作组"])
    named = {r[0]: r for r in groups}
    assert named["第二工作组"][1] == "百尺镇、店上镇"
    assert named["第二工作组"][9:11] == [Decimal("50000"), pytest.approx(0.06)]  # 3,000 of 50,000
    assert group_total[2:10] == [*total[2:9], Decimal("150000")]


def test_detail_sheet_matches_summary_and_keeps_text(november):
    lines, total = table(november["欠费单位明细"])
    assert [r[2] for r in lines] == ["壶关县戊公司", "壶关县甲公司", NAUGHTY, "壶关县丁公司"]
    for column in (7, 8, 9, 11, 12, 13, 14):
        assert total[column] == sum(r[column] for r in lines)
    assert total[7] == by_label(november["汇总"])["累计欠费本金"][2]
    assert total[7] == total[11] + total[12] + total[13] + total[14]
    naughty = lines[2]
    assert naughty[7:10] == [Decimal("5000"), Decimal("737.5"), Decimal("5737.5")]
    assert naughty[12] == Decimal("5000")  # 3 to 12 months
    assert naughty[15] == "催告" and lines[0][15] == "未立案" and lines[0][16] == "100万元以上"
    sheet = november["欠费单位明细"]
    cell = sheet.cell(row=4 + 2, column=3)
    assert cell.value == NAUGHTY and cell.data_type == "s"  # text, never a live formula
    assert sheet.cell(row=4, column=8).number_format == "#,##0.00"
    assert sheet.cell(row=4, column=11).number_format == "yyyy-mm"


def test_recoveries_sheet(november):
    lines, total = table(november["回收明细"])
    # 序号, 日期, 代码, 单位, 乡镇, 工作组, 险种, 方式, 凭证号, 本金, 滞纳金, 合计
    assert [(r[3], r[7], r[11]) for r in lines] == [
        ("壶关县甲公司", "自缴", Decimal("4000")),
        ("壶关县丁公司", "法院执行", Decimal("1000")),
    ]
    assert lines[0][8] == "=SUM(A1:A9)"  # a reference typed by a user stays text
    assert total[9:12] == [Decimal("5000"), 0, Decimal("5000")]
    assert total[11] == by_label(november["汇总"])["回收合计"][2]


def test_cases_sheet(november):
    lines, total = table(november["案件进度"])
    sheet = november["案件进度"]
    header = [c.value for c in sheet[3]]
    named = {r[0]: dict(zip(header, r, strict=True)) for r in lines}
    assert named["第一工作组"]["在办·催缴"] == 1
    assert named["第二工作组"]["在办·催告"] == 1 and named["第二工作组"]["在办·立案"] == 1
    assert named["第二工作组"]["本月结案·全额清缴"] == 1
    totals = dict(zip(header, total, strict=True))
    assert totals["在办合计"] == 3
    assert totals["本月立案"] == 2  # 07:30 on 1 November counts in November
    assert totals["本年立案"] == 4 and totals["本年结案"] == 1


def test_a_past_month_counts_its_own_flows_and_says_the_stock_is_today(dataset):
    october = read(build_monthly(month=date(2026, 10, 1)))
    summary = by_label(october["汇总"])
    assert summary["回收合计"][2:4] == [Decimal("2000"), Decimal("2000")]  # 丙 on 10-20
    assert summary["累计欠费本金"][2] == Decimal("1223000")  # the accounts as they stand
    assert summary["立案"][2] == 1  # =HYPERLINK… on 10-15
    note = next(r[0] for r in rows(october["汇总"]) if r[0] and r[0].startswith("说明"))
    assert "不是 2026年10月31日 的期末余额" in note
    lines, _ = table(october["回收明细"])
    assert [r[3] for r in lines] == ["壶关县丙公司"]


def test_same_moment_same_bytes(dataset):
    assert build_monthly(month=date(2026, 11, 1)) == build_monthly(month=date(2026, 11, 1))


def test_command_writes_the_report(dataset, tmp_path):
    output = tmp_path / "月报.xlsx"
    call_command("monthly_report", "--month", "2026-11", "--output", str(output))
    assert output.read_bytes() == build_monthly(month=date(2026, 11, 1))
    assert read(output.read_bytes()).sheetnames == SHEETS
    from core.models import AuditEntry

    assert AuditEntry.objects.filter(action="export", detail__step="command").exists()


@pytest.mark.parametrize("month", ["2026-13", "202611", "2027-01"])
def test_command_refuses_a_bad_month(db, tmp_path, month):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("monthly_report", "--month", month, "--output", str(tmp_path / "x.xlsx"))


def test_empty_county_still_makes_a_report(db):
    book = read(build_monthly(month=date(2026, 11, 1)))
    lines, total = table(book["欠费单位明细"])
    assert lines == [] and total[7] == 0
