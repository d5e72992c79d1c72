"""Money on the pages: summed in Python as Decimal, shown by the one `yuan` filter.

A template's `add` filter turns decimals into integers (合计应缴 1,467,228.00 instead of
1,467,228.70); a figure printed without the filter shows as `100000 元` or as a 6-place
intermediate such as `11630.369520`. These tests read the figures from the rendered HTML.
"""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from arrears.services import enterprise_rebuild
from enforcement.models import Approval, Case, CaseEvent, Deferral
from enforcement.services import approval_decide, case_move, case_open
from enforcement.stages import Stage
from notices.models import Document
from notices.services import document_issue
from tests.factories import EnterpriseFactory, LedgerItemFactory


def _card(page: str, label: str) -> str:
    """The figure of one of the summary cards above the ledger, as the reader sees it."""
    match = re.search(rf"<div[^>]*>{label}</div><div[^>]*>(.*?)</div>", page)
    assert match, f"no card {label} on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def big_debtor(county):
    """Arrears whose principal and fee both have fen.

    September 2026, 123,456.78 due 2026-10-22 (a Thursday), unpaid: the ledger's fee on
    2026-11-22 is 31 days (10-23 … 11-22, the day counted) × 0.0005 → 1,913.580090 → 1,913.58.
    October 2026, 1,341,920.07 due 2026-11-30: no fee yet.
    合计应缴 = 1,465,376.85 + 1,913.58 = 1,467,290.43 (the `add` filter dropped the fen).
    """
    enterprise = EnterpriseFactory(region=county.region_a, name="壶关县宏达铸造有限公司")
    overdue = LedgerItemFactory(
        enterprise=enterprise,
        period=date(2026, 9, 1),
        unit_amount=D("86419.75"),
        individual_amount=D("37037.03"),
        due_date=date(2026, 10, 22),
    )
    LedgerItemFactory(
        enterprise=enterprise,
        period=date(2026, 10, 1),
        unit_amount=D("939344.05"),
        individual_amount=D("402576.02"),
    )
    enterprise_rebuild(enterprise_id=enterprise.pk)
    overdue.refresh_from_db()
    assert overdue.fee_accrued == D("1913.58")
    return enterprise, overdue


def test_ledger_total_due_keeps_the_fen(login, county, big_debtor):
    enterprise, _ = big_debtor
    page = login(county.caseworker).get(f"/arrears/enterprise/{enterprise.pk}/").content.decode()
    assert _card(page, "合计应缴") == "1,467,290.43 元"
    assert _card(page, "欠费本金") == "1,465,376.85 元"
    assert _card(page, "滞纳金（截至今日）") == "1,913.58 元"


def test_ledger_total_due_is_a_decimal_sum(big_debtor):
    from arrears.selectors import enterprise_ledger

    totals = enterprise_ledger(big_debtor[0]).totals
    assert totals["total_outstanding"] == D("1467290.43")
    assert isinstance(totals["total_outstanding"], D)


def test_fee_segments_show_fen_not_the_six_place_intermediate(login, county, big_debtor):
    _, overdue = big_debtor
    page = (
        login(county.caseworker)
        .get(f"/arrears/items/{overdue.pk}/segments/", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "1913.580090" not in page
    assert '<td class="num">1,913.58</td>' in page


def test_calculator_segments_show_fen_not_the_six_place_intermediate(login, county):
    # DESIGN §3.3: 1141.87 due 2016-05-31 paid 2016-07-10, the payment day counted (the
    # default): 40 days → 22.837400 → 22.84.
    page = (
        login(county.caseworker)
        .get(
            "/arrears/calculator/",
            {
                "principal": "1141.87",
                "due_date": "2016-05-31",
                "as_of": "2016-07-10",
                "payments": "",
                "suspensions": "",
            },
        )
        .content.decode()
    )
    assert "22.837400" not in page
    assert '<td class="num">22.84</td>' in page


@pytest.fixture
def deferral(county):
    """An approved three-month agreement on 14,045.67 of principal (1,700.00 from the county's
    ledger and 12,345.67 more): 4,681.89 a month, due on the 25th."""
    LedgerItemFactory(
        enterprise=county.enterprise,
        period=date(2026, 3, 1),
        unit_amount=D("10000.00"),
        individual_amount=D("2345.67"),
    )
    enterprise_rebuild(enterprise_id=county.enterprise.pk)
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    order = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="reminder",
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=order.pk).update(
        served_on=date(2026, 10, 1), deadline=date(2026, 10, 15)
    )
    Case.objects.filter(pk=case.pk).update(stage=Stage.RECTIFICATION, current_document=order)
    case.refresh_from_db()
    CaseEvent.objects.create(case=case, kind="inquiry_short", text="账户查询结果：余额不足")
    approval = case_move(
        actor=county.caseworker,
        case=case,
        to_stage=Stage.DEFERRAL,
        reason="账户余额不足，申请分期",
        payload={
            "months": "3",
            "guarantee_kind": "mortgage",
            "guarantee_value": "20000.00",
            "guarantee_document": "抵押合同 壶抵〔2026〕18号",
        },
    )
    assert isinstance(approval, Approval)
    approval_decide(actor=county.group_leader, approval=approval, approve=True, comment="同意")
    return Deferral.objects.get(case=case)


def test_today_lists_an_instalment_due_with_the_money_filter(login, county, deferral, frozen):
    first = deferral.instalments.order_by("number").first()
    assert (first.due_on, first.amount) == (date(2026, 12, 25), D("4681.89"))
    frozen.move_to("2026-12-20T02:00:00Z")  # the first instalment is due within 7 days
    page = login(county.caseworker).get("/cases/today/").content.decode()
    assert "第 1 期 4,681.89 元" in page
    assert "4681.89" not in page


@pytest.mark.parametrize(
    "value, shown",
    [
        (D("11630.369520"), "11,630.37"),
        (D("0.125"), "0.13"),  # half-up, not the half-even of Python's own formatting
        (D("22.265"), "22.27"),
        (D("100000"), "100,000.00"),
        (100000, "100,000.00"),
        (None, ""),
    ],
)
def test_yuan_filter_rounds_half_up_to_the_fen(value, shown):
    rendered = Template("{% load qq %}{{ v|yuan }}").render(Context({"v": value}))
    assert rendered == shown


def test_yuan_filter_refuses_floats():
    with pytest.raises(TypeError):
        Template("{% load qq %}{{ v|yuan }}").render(Context({"v": 0.1 + 0.2}))
