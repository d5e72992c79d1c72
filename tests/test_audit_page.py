"""The audit page and its export read as Chinese: what was done, to what, and the details in
words — never model names or Python dicts (issue 13 §1)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from arrears.services import payment_post
from core.audit import log_action
from core.models import AuditEntry


@pytest.fixture
def history(county):
    """A contact change of a user, a payment, a case moved on and a refused page."""
    # As core.services.user_update writes it.
    log_action(
        actor=county.sysadmin,
        action="update",
        obj=county.caseworker,
        detail={"changes": {"phone": ["", "0355-1234567"], "roles": [["经办人"], ["组长"]]}},
    )
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=Decimal("1234.5"),
        paid_on=date(2026, 11, 20),
        method="bank_transfer",
        external_ref="HG-0001",
    )
    log_action(
        actor=county.caseworker,
        action="transition",
        obj=county.enterprise,
        detail={"from": "demand", "to": "rectification", "document": "壶人社催告〔2026〕3号"},
    )
    return county


def _page(client, user, **params):
    client.force_login(user)
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_entries_read_in_words(client, history):
    page = _page(client, history.auditor)
    # A user's field by its label, the change as before → after.
    assert "联系电话：（空） → 0355-1234567" in page
    assert "角色：经办人 → 组长" in page
    assert "金额：1,234.50" in page
    assert "方式：银行划拨" in page
    assert "原阶段：催缴" in page
    assert "新阶段：催告" in page
    assert "文书：壶人社催告〔2026〕3号" in page
    # The object's kind by its Chinese name, not its model label.
    assert f'<span class="text-muted small">用户</span> {history.caseworker}' in page
    assert (
        '<span class="text-muted small">缴款</span> 壶关县鑫源机械制造有限公司 2026-11-20 1,234.50 元'
        in page
    )
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    for code in ("core.user", "arrears.payment", "{&#x27;", "&#x27;changes&#x27;", "bank_transfer"):
        assert code not in table


def test_the_auditor_filters_by_object_type(client, history):
    page = _page(client, history.auditor, object_type="core.user")
    assert "联系电话：（空） → 0355-1234567" in page
    assert "金额：" not in page
    assert '<option value="core.user" selected>用户</option>' in page


def test_the_export_is_the_filtered_log_in_words_and_is_itself_logged(client, history):
    client.force_login(history.auditor)
    response = client.get("/audit/export/", {"action": "post_money"})
    assert response.status_code == 200
    assert "%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97_2026-11-22.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "时间", "用户名", "姓名", "操作", "对象类型", "对象", "结果", "IP 地址", "详情", "链序号"
    )  # fmt: skip
    body = rows[1:]
    # The newest first: this payment, then the two the county's ledger was set up with.
    assert [(row[1], row[3], row[4], row[6]) for row in body] == [
        ("jingban", "记账", "缴款", "成功"),
        ("系统", "记账", "缴款", "成功"),
        ("系统", "记账", "缴款", "成功"),
    ]
    assert body[0][8].startswith("金额：1,234.50；方式：银行划拨；缴费日期：2026-11-20")
    assert body[0][0] == "2026-11-22 10:00:00"  # Asia/Shanghai, to the second
    export = AuditEntry.objects.filter(action="export", actor=history.auditor).get()
    assert export.detail["export"] == "审计日志"
    assert export.detail["filters"] == {"action": "post_money"}


@pytest.mark.parametrize("who", ["caseworker", "leader", "sysadmin"])
def test_only_the_auditor_reads_or_exports_the_log(client, history, who):
    client.force_login(getattr(history, who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403


def test_the_user_filter_is_the_user_not_every_name_that_contains_it(client, history):
    log_action(actor=history.outsider, action="export")  # jingban2
    page = _page(client, history.auditor, username="jingban", action="export")
    assert "jingban2" not in page
    page = _page(client, history.auditor, username=history.outsider.full_name)
    assert "jingban2" in page
