"""Ability to pay (DESIGN §3.6) with the reason shown."""

from datetime import date

import pytest

from enforcement.classification import classification_refresh
from enterprises.classification import classify
from enterprises.models import Evidence

ARREARS = [date(2025, m, 1) for m in range(1, 10)]  # 2025-01 … 2025-09


def test_evidence_during_the_arrears_period_makes_an_enterprise_able_to_pay():
    result = classify(
        status="normal",
        evidence={
            "wages": [date(2025, m, 1) for m in range(3, 9)],
            "housing_fund": [date(2025, 5, 1)],
        },
        arrears_months=ARREARS,
    )
    assert result.ability == "able"
    assert result.reason == "2025年3月至8月发放工资，2025年5月缴纳住房公积金"


def test_runs_across_years_and_gaps_are_written_out():
    result = classify(
        status="normal",
        evidence={
            "tax": [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 4, 1)]
        },
        arrears_months=[date(2024, 10, 1), date(2025, 6, 1)],
    )
    assert result.reason == "2024年11月至2025年1月、2025年4月申报或缴纳税款"


def test_evidence_outside_the_period_does_not_count():
    result = classify(
        status="normal",
        evidence={"wages": [date(2024, 12, 1), date(2025, 10, 1)]},
        arrears_months=ARREARS,
    )
    assert result.ability == "to_verify"
    assert "需实地核实" in result.reason


@pytest.mark.parametrize(
    "status, label", [("suspended", "停产"), ("dormant", "歇业"), ("bankrupt", "破产宣告")]
)
def test_no_evidence_and_shut_down_is_unable_to_pay(status, label):
    result = classify(status=status, evidence={}, arrears_months=ARREARS)
    assert result.ability == "unable"
    assert result.reason == f"欠费期间（2025年1月至9月）无工资、税款、公积金记录，企业{label}"


def test_refresh_uses_the_unpaid_months_of_the_ledger(county):
    # The fixture's enterprise owes January and February 2025 (January partly paid).
    Evidence.objects.create(
        enterprise=county.enterprise, month=date(2025, 2, 1), kind="contributions"
    )
    Evidence.objects.create(
        enterprise=county.other_enterprise, month=date(2024, 1, 1), kind="wages"
    )
    assert (
        classification_refresh(enterprise_ids=[county.enterprise.pk, county.other_enterprise.pk])
        == 2
    )
    county.enterprise.refresh_from_db()
    county.other_enterprise.refresh_from_db()
    assert (county.enterprise.ability, county.enterprise.ability_reason) == (
        "able",
        "2025年2月缴纳当期社会保险费",
    )
    assert county.other_enterprise.ability == "to_verify"


def test_evidence_import_reclassifies_and_rejects_bad_rows(county, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from tests.xlsx import make_xlsx

    headers = ["统一社会信用代码", "所属期", "证据类型", "金额", "来源"]
    code = county.enterprise.credit_code
    bad = make_xlsx(
        tmp_path / "bad.xlsx",
        [[code, "2025-13", "工资", "1"], [code, "2025-02", "彩票", "1"]],
        headers=headers,
    )
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_evidence", str(bad), stdout=out)
    assert out.getvalue().splitlines() == [
        "row 2, column 所属期: 所属期 2025年13月 不存在或超出范围",
        "row 3, column 证据类型: 应为 发放工资、申报或缴纳税款、缴纳住房公积金、缴纳当期社会保险费 之一",
    ]
    assert not Evidence.objects.exists()
    good = make_xlsx(
        tmp_path / "good.xlsx",
        [
            [code, "2025年1月", "发放工资", "86,000", "税务局"],
            [code, "202502", "公积金", None, "公积金中心"],
        ],
        headers=headers,
    )
    out = StringIO()
    call_command("import_evidence", str(good), stdout=out)
    assert out.getvalue().strip() == "imported 2 rows, reclassified 1 enterprises"
    county.enterprise.refresh_from_db()
    assert county.enterprise.ability_reason == "2025年1月发放工资，2025年2月缴纳住房公积金"
