"""Documents say what the fee figure covers (DESIGN §3.3): the true last fee day, the rate that
really applies, the items it does not apply to, and the part above the principal."""

import re
from datetime import date
from decimal import Decimal as D

from arrears.models import LateFeePolicy
from arrears.services import enterprise_rebuild, suspension_decide, suspension_request
from notices.rendering import render_html
from notices.services import document_issue
from tests.factories import EnterpriseFactory, item_of


def _text(document) -> str:
    html = render_html(doc_type=document.doc_type, content=document.content)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def _ledger(county):
    enterprise = EnterpriseFactory(region=county.region_a)
    item_of(enterprise, date(1998, 11, 1))  # due 1998-12-31: before the 征缴条例
    item_of(enterprise, date(2005, 1, 1), "100.00")  # 21 years of fees: above the principal
    item_of(enterprise, date(2026, 6, 1))  # due 2026-07-31, under a deferral since 2026-09-01
    suspension = suspension_request(
        actor=county.caseworker,
        enterprise=enterprise,
        kind="deferral",
        start=date(2026, 9, 1),
        end=date(2027, 2, 28),
        period_from=date(2026, 6, 1),
        period_to=date(2026, 6, 1),
        reason="延期缴费协议",
        document="壶社保延〔2026〕2号",
    )
    suspension_decide(actor=county.group_leader, suspension=suspension, approve=True)
    enterprise_rebuild(enterprise_id=enterprise.pk)
    return enterprise


def test_the_deadline_notice_states_the_last_fee_day_the_rate_and_the_exceptions(county):
    enterprise = _ledger(county)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=enterprise,
        render=False,
    )
    text = _text(document)
    # Issued 2026-11-22 with the payment day counted: the fee runs through that day.
    # 2005-01 (100.00, due Monday 2005-02-28): 2005-03-01 … 2011-06-30 = 2313 days × 0.20 =
    # 462.60, then 2011-07-01 … 2026-11-22 = 5624 days × 0.05 = 281.20; 743.80 is 643.80 above
    # the principal. 2026-06 (1000.00, due 2026-07-31): 08-01 … 08-31 = 31 days = 15.50, then
    # suspended. 1998-11: none. Total 759.30.
    assert (
        "滞纳金759.30元计至2026年11月22日（其中超过欠缴本金的部分643.80元）；"
        "自次日起按日加收万分之五的滞纳金，至缴清之日止" in text
    )
    assert "标注“暂停计收”的欠费在停止计收期间不加收" in text
    assert "1999年1月22日前到期" in text and "滞纳金按当地规定" in text
    rows = {row["period"]: row for row in document.content["items"]}
    assert rows["2005年1月"]["fee_note"].startswith("其中超过本金")
    assert rows["2026年6月"]["fee_note"] == "暂停计收"
    assert rows["1998年11月"]["fee_note"] == "滞纳金按当地规定"
    assert rows["1998年11月"]["fee"] == "0.00"


def test_without_the_payment_day_the_fee_runs_through_the_day_before(county):
    LateFeePolicy.objects.filter(pk=1).update(count_payment_day=False)
    enterprise = EnterpriseFactory(region=county.region_a)
    item_of(enterprise, date(2026, 6, 1))
    enterprise_rebuild(enterprise_id=enterprise.pk)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="statement",
        enterprise=enterprise,
        render=False,
    )
    text = _text(document)
    assert "计至2026年11月21日" in text and "暂停计收" not in text
    # 08-01 … 11-21 = 113 days × 1000 × 0.0005 = 56.50.
    assert document.content["totals"]["fee"] == "56.50"


def test_a_document_issued_before_keeps_its_sentence(county):
    old = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="deadline_notice",
        enterprise=county.enterprise,
        render=False,
    )
    content = {**old.content, "totals": {**old.content["totals"]}}
    for key in ("fee_through", "rate_text", "any_suspended", "any_local_rule", "above_principal"):
        content["totals"].pop(key)
    html = render_html(doc_type=old.doc_type, content=content)
    assert "此后按日加收万分之五，至缴清之日止" in html
    assert D(old.content["totals"]["principal_raw"]) > 0
