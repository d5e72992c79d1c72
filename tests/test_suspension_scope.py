"""A suspension stops the fee only on the items it covers (DESIGN §3.4), and there is no waiver
(社会保险法 第六十条)."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from arrears.accrual import accrue_all
from arrears.models import LedgerItem, Suspension
from arrears.services import (
    enterprise_rebuild,
    payment_post,
    suspension_decide,
    suspension_request,
)
from arrears.verify import enterprise_differences
from tests.factories import EnterpriseFactory, item_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _approved(county, enterprise, **fields):
    suspension = suspension_request(
        actor=county.caseworker, enterprise=enterprise, reason="r", document="d", **fields
    )
    return suspension_decide(actor=county.group_leader, suspension=suspension, approve=True)


def test_a_deferral_leaves_the_months_falling_due_during_it_charged(county, frozen):
    frozen.move_to(datetime(2027, 5, 1, 10, tzinfo=SHANGHAI))
    enterprise = EnterpriseFactory()
    old = item_of(enterprise, date(2026, 1, 1))  # due Saturday 2026-02-28, a make-up working day
    current = item_of(enterprise, date(2027, 2, 1), "2271.42")  # due Wednesday 2027-03-31
    _approved(
        county,
        enterprise,
        kind="deferral",
        start=date(2027, 1, 15),
        end=date(2027, 12, 31),
        due_before=date(2027, 1, 15),  # the arrears of the agreement's day
    )
    # February 2027 paid with its fee on 2027-04-09: 04-01 … 04-09 = 9 days (the payment day
    # counted) × 2271.42 × 0.0005 = 10.221390 → 10.22. Before scopes it was 0.00.
    payment_post(
        actor=None,
        enterprise=enterprise,
        amount=D("2281.64"),
        paid_on=date(2027, 4, 9),
        method="self",
        external_ref="APR",
        periods=[date(2027, 2, 1)],
    )
    current.refresh_from_db()
    assert (current.principal_paid, current.fee_accrued, current.fee_paid) == (
        D("2271.42"),
        D("10.22"),
        D("10.22"),
    )
    # The old arrears stop at the agreement: 2026-03-01 … 2027-01-14 = 320 days × 0.50 = 160.00.
    old.refresh_from_db()
    assert old.fee_accrued == D("160.00")
    assert enterprise_differences(enterprise.pk, as_of=date(2027, 5, 1)) == []


def test_a_bankruptcy_covers_what_fell_due_before_the_acceptance_only(county):
    enterprise = EnterpriseFactory()
    before = item_of(enterprise, date(2026, 4, 1))  # due Sunday 2026-05-31 → Monday 06-01
    after = item_of(enterprise, date(2026, 6, 1))  # due Friday 2026-07-31
    _approved(county, enterprise, kind="bankruptcy", start=date(2026, 6, 15), end=None)
    # The replay and the nightly accrual (set-based for the uncovered item) agree.
    for refresh in (
        lambda: enterprise_rebuild(enterprise_id=enterprise.pk),
        lambda: accrue_all(as_of=date(2026, 11, 22)),
    ):
        LedgerItem.objects.update(fee_accrued=0, accrued_through=None)
        refresh()
        before.refresh_from_db()
        after.refresh_from_db()
        # 06-02 … 06-14 = 13 days × 0.50 = 6.50, then nothing (破产法司法解释(三) 第三条).
        assert before.fee_accrued == D("6.50")
        # Due after the acceptance: the administrator's current debt, 08-01 … 11-22 = 114 days.
        assert after.fee_accrued == D("57.00")


def test_a_bankruptcy_covers_every_item_due_before_whatever_the_form_said(county):
    suspension = suspension_request(
        actor=county.caseworker,
        enterprise=county.enterprise,
        kind="bankruptcy",
        start=date(2026, 6, 15),
        end=None,
        reason="法院受理破产申请",
        document="（2026）晋0427破申1号",
        insurance_type="medical",
        period_to=date(2020, 1, 1),
    )
    assert (suspension.insurance_type, suspension.period_to, suspension.due_before) == (
        "",
        None,
        date(2026, 6, 15),
    )
    assert suspension.scope_text == "全部险种，2026年06月15日前到期的欠费"


def test_a_deferral_must_name_its_items(county):
    with pytest.raises(ValidationError) as error:
        suspension_request(
            actor=county.caseworker,
            enterprise=county.enterprise,
            kind="deferral",
            start=date(2026, 12, 1),
            end=date(2027, 5, 31),
            reason="缓缴",
            document="晋人社函〔2026〕1号",
        )
    assert "当期社会保险费仍须按时缴纳" in str(error.value)


def test_a_waiver_cannot_be_requested(county):
    with pytest.raises(ValidationError) as error:
        suspension_request(
            actor=county.caseworker,
            enterprise=county.enterprise,
            kind="waiver",
            start=date(2026, 1, 1),
            end=date(2026, 3, 31),
            reason="减免",
            document="批复",
        )
    assert "第六十条" in str(error.value)


def test_an_old_waiver_stays_on_record_and_stops_nothing(county, client):
    enterprise = county.enterprise
    enterprise_rebuild(enterprise_id=enterprise.pk)
    before = list(LedgerItem.objects.filter(enterprise=enterprise).values_list("fee_accrued"))
    Suspension.objects.create(
        enterprise=enterprise,
        kind="waiver",
        start=date(2025, 1, 1),
        reason="旧系统批准减免",
        document="壶社保〔2024〕9号",
        requested_by=county.caseworker,
        status="approved",
        decided_by=county.group_leader,
    )
    enterprise_rebuild(enterprise_id=enterprise.pk)
    after = list(LedgerItem.objects.filter(enterprise=enterprise).values_list("fee_accrued"))
    assert after == before and any(fee > 0 for (fee,) in after)
    client.force_login(county.caseworker)
    page = client.get(f"/arrears/enterprise/{enterprise.pk}/").content.decode()
    assert "减免（无法律依据，已停用）" in page and "不停止计收（减免无法律依据）" in page
    form = client.get(f"/arrears/enterprise/{enterprise.pk}/suspensions/new/").content.decode()
    assert 'value="waiver"' not in form


def test_the_request_form_asks_for_the_scope_and_the_approval_lists_show_it(county, client):
    client.force_login(county.caseworker)
    response = client.post(
        f"/arrears/enterprise/{county.enterprise.pk}/suspensions/new/",
        {
            "kind": "deferral",
            "start": "2026-12-01",
            "end": "2027-05-31",
            "insurance_type": "pension",
            "period_from": "2025-01",
            "period_to": "2025-06",
            "reason": "不可抗力，经省级批准缓缴",
            "document": "晋人社函〔2026〕8号",
        },
    )
    assert response.status_code == 302
    made = Suspension.objects.get(document="晋人社函〔2026〕8号")
    assert (made.period_from, made.period_to, made.insurance_type) == (
        date(2025, 1, 1),
        date(2025, 6, 1),
        "pension",
    )
    client.force_login(county.group_leader)
    approvals = client.get("/cases/approvals/").content.decode()
    assert "养老，所属期2025年01月至2025年06月" in approvals
    today = client.get("/cases/today/").content.decode()
    assert "台账事项待我审批" in today and "停止计收：批准缓缴 / 延期缴费" in today
    # The outsider's township is not the leader's: its request is not listed.
    assert county.other_enterprise.name not in approvals


def test_rejecting_a_request_needs_a_reason(county, client):
    client.force_login(county.group_leader)
    client.post(
        f"/arrears/suspensions/{county.suspension.pk}/decide/",
        {"decision": "reject", "next": "/cases/approvals/"},
    )
    county.suspension.refresh_from_db()
    assert county.suspension.status == "pending"
    response = client.post(
        f"/arrears/suspensions/{county.suspension.pk}/decide/",
        {"decision": "reject", "comment": "缺少批准文件原件", "next": "https://evil.example/"},
    )
    county.suspension.refresh_from_db()
    assert county.suspension.status == "rejected"
    assert response["Location"] == f"/arrears/enterprise/{county.enterprise.pk}/"
