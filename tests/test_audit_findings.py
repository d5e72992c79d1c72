"""The audit's findings in figures (issue 11 §7): the audited months, headcount and contribution
base found against declared, and the contributions under-declared — kept on the record, refused
when impossible, and stated by the 稽核意见书 / 稽核情况告知书, also when the ledger owed nothing."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enforcement.audits import audit_record, findings_extra
from enforcement.models import AuditRecord, Case
from enforcement.models.audits import FINDINGS_FIELDS
from enforcement.services import case_open
from enforcement.stages import Stage
from notices.models import Document
from notices.rendering import render_html
from notices.services import document_issue
from tests.factories import EnterpriseFactory

FINDINGS_SENTENCE = (
    "稽核期间2026年5月至2026年8月，核实参保人数 23 人（申报 20 人），"
    "核实缴费基数 92,000.00 元（申报 80,000.00 元），"
    "少缴社会保险费 2,880.00 元（大写：人民币贰仟捌佰捌拾元整）。"
)
NOTHING_UNDER_DECLARED = (
    "稽核期间2026年1月至2026年10月，核实参保人数 20 人（申报 20 人），"
    "核实缴费基数 80,000.00 元（申报 80,000.00 元），未发现少报、少缴社会保险费。"
)


def _audit_case(county, enterprise, **open_kwargs):
    """A case in the audit stage whose 稽核通知书 was served on 10 November."""
    case = case_open(actor=county.caseworker, enterprise=enterprise, **open_kwargs)
    notice = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="audit_notice",
        enterprise=enterprise,
        render=False,
    )
    Document.objects.filter(pk=notice.pk).update(served_on=date(2026, 11, 10))
    Case.objects.filter(pk=case.pk).update(stage=Stage.AUDIT, current_document=notice)
    case.refresh_from_db()
    return case


@pytest.fixture
def audit_case(county):
    return _audit_case(county, county.enterprise)


@pytest.fixture
def audit_case_without_arrears(county):
    """An enterprise with nothing in the ledger, audited on a lead (its arrears unknown)."""
    enterprise = EnterpriseFactory(region=county.region_a, name="壶关县晋通物流有限公司")
    return _audit_case(county, enterprise, origin="稽核线索：少报人数")


def _record(county, case, **overrides):
    values = {
        "actor": county.caseworker,
        "case": case,
        "audited_on": date(2026, 11, 18),
        "auditor_1": county.caseworker,
        "auditor_2": county.group_leader,
        "credentials": "稽核证 壶稽001、壶稽002",
        "period_from": date(2026, 5, 1),
        "period_to": date(2026, 8, 1),
        "headcount_found": 23,
        "headcount_declared": 20,
        "base_found": D("92000.00"),
        "base_declared": D("80000.00"),
        "shortfall": D("2880.00"),
        "findings": "工资表所列 3 人未参保",
        "violation": True,
        "signature": "signed",
    }
    return audit_record(**(values | overrides))


NOTHING_FOUND = {
    "violation": False,
    "period_from": date(2026, 1, 1),
    "period_to": date(2026, 10, 1),
    "headcount_found": 20,
    "headcount_declared": 20,
    "base_found": D("80000.00"),
    "base_declared": D("80000.00"),
    "shortfall": D("0"),
    "findings": "工资表与申报一致",
}


def _html(document: Document) -> str:
    return render_html(doc_type=document.doc_type, content=document.content)


def test_the_findings_are_stored(county, audit_case):
    record = _record(county, audit_case, period_from=date(2026, 5, 17))
    record.refresh_from_db()
    assert (record.period_from, record.period_to) == (date(2026, 5, 1), date(2026, 8, 1))
    assert (record.headcount_found, record.headcount_declared) == (23, 20)
    assert (record.base_found, record.base_declared) == (D("92000.00"), D("80000.00"))
    assert record.shortfall == D("2880.00")
    assert record.findings == "工资表所列 3 人未参保"  # the remark beside the figures
    event = audit_case.events.filter(text__startswith="稽核记录").get()
    assert "稽核期间2026年5月至2026年8月" in event.text and "少缴 2,880.00 元" in event.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"period_from": None}, "period_from", "请填写稽核起始月份"),
        ({"period_to": None}, "period_to", "请填写稽核截止月份"),
        ({"period_from": date(2026, 9, 1)}, "period_from", "起始月份不能晚于截止月份"),
        ({"period_to": date(2026, 12, 1)}, "period_to", "截止月份不能晚于稽核日期所在的2026年11月"),
        ({"headcount_found": None}, "headcount_found", "请填写核实参保人数"),
        ({"headcount_found": -1}, "headcount_found", "核实参保人数不能为负数"),
        ({"headcount_declared": -1}, "headcount_declared", "申报参保人数不能为负数"),
        ({"base_found": None}, "base_found", "请填写核实缴费基数"),
        ({"base_found": D("-0.01")}, "base_found", "核实缴费基数不能为负数"),
        ({"base_declared": D("-5")}, "base_declared", "申报缴费基数不能为负数"),
        ({"shortfall": None}, "shortfall", "请填写少缴金额（元）；没有的填 0"),
        ({"shortfall": D("-1.00")}, "shortfall", "少缴金额不能为负数"),
        ({"shortfall": D("1.005")}, "shortfall", "少缴金额最多保留两位小数"),
        ({"shortfall": D("1e20")}, "shortfall", "少缴金额超出范围"),
        # A 告知书 says nothing was wrong: figures showing under-declaring need a 意见书.
        ({**NOTHING_FOUND, "headcount_found": 21}, "headcount_found", "属少报人数"),
        ({**NOTHING_FOUND, "base_found": D("80000.01")}, "base_found", "属少报缴费基数"),
        ({**NOTHING_FOUND, "shortfall": D("0.01")}, "shortfall", "应勾选“存在违法行为”"),
    ],
)
def test_each_invalid_figure_is_refused_on_its_field(county, audit_case, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        _record(county, audit_case, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not AuditRecord.objects.exists()
    assert not Document.objects.filter(doc_type__in=["audit_opinion", "audit_result"]).exists()


def test_money_never_passes_through_float(county, audit_case):
    with pytest.raises(TypeError):
        _record(county, audit_case, shortfall=2880.0)


def test_the_existing_guards_still_speak_first(county, audit_case):
    with pytest.raises(ValidationError) as refused:
        _record(county, audit_case, auditor_2=county.caseworker, period_from=None)
    assert "两名以上不同的稽核人员" in refused.value.message_dict["auditor_2"][0]
    assert "period_from" in refused.value.message_dict


def test_the_opinion_states_the_findings_beside_the_arrears(county, audit_case):
    record = _record(county, audit_case)
    opinion = record.result_document
    assert opinion.doc_type == "audit_opinion"
    assert opinion.content["extra"]["audit_findings"]["shortfall"] == "2,880.00"
    html = _html(opinion)
    assert FINDINGS_SENTENCE in html
    assert "稽核发现：工资表所列 3 人未参保。" in html
    # The ledger's arrears stay in their table, and the order covers both.
    assert "应补缴情况如下" in html and "<table>" in html
    assert "补缴少缴的社会保险费，足额补缴上述欠缴款项" in html


def test_an_opinion_on_a_ledger_without_arrears_states_the_findings_and_no_empty_table(
    county, audit_case
):
    """The opinion's text when the ledger owed nothing at issue: the findings, what to pay
    (the shortfall) and how, and no table of 0.00."""
    content = _record(county, audit_case).result_document.content
    content |= {"items": [], "totals": {}}
    html = render_html(doc_type="audit_opinion", content=content)
    assert FINDINGS_SENTENCE in html
    assert "<table>" not in html and "应补缴情况如下" not in html
    assert "补缴少缴的社会保险费。" in html and "户名：" in html
    content["extra"]["audit_findings"] = findings_extra(
        AuditRecord(**{name: NOTHING_FOUND[name] for name in FINDINGS_FIELDS})
    )
    html = render_html(doc_type="audit_opinion", content=content)
    assert NOTHING_UNDER_DECLARED in html
    assert "内予以改正。" in html and "补缴" not in html and "户名：" not in html


def test_without_arrears_the_opinion_still_states_the_findings(county, audit_case_without_arrears):
    record = _record(county, audit_case_without_arrears)
    html = _html(record.result_document)
    assert record.result_document.content["items"] == []
    assert FINDINGS_SENTENCE in html
    assert "<table>" not in html and "应补缴情况如下" not in html  # no empty 0.00 table
    assert "补缴少缴的社会保险费。" in html and "户名：" in html  # how to pay it


def test_without_arrears_an_opinion_with_nothing_under_declared_says_so(
    county, audit_case_without_arrears
):
    record = _record(
        county,
        audit_case_without_arrears,
        **{**NOTHING_FOUND, "violation": True, "findings": "未按规定备存工资台账"},
    )
    html = _html(record.result_document)
    assert NOTHING_UNDER_DECLARED in html
    assert "内予以改正。" in html and "补缴" not in html and "户名：" not in html


def test_the_result_notice_states_the_findings_without_arrears(county, audit_case_without_arrears):
    record = _record(county, audit_case_without_arrears, **NOTHING_FOUND)
    assert record.result_document.doc_type == "audit_result"
    html = _html(record.result_document)
    assert NOTHING_UNDER_DECLARED in html
    assert "未发现你单位存在违反社会保险法律、法规的行为" in html
    assert "稽核发现：工资表与申报一致。" in html


def test_documents_issued_before_the_figures_still_render(county, audit_case):
    """An opinion and a notice frozen before the figures existed: their old text, unchanged."""
    opinion = _record(county, audit_case).result_document
    content = opinion.content
    del content["extra"]["audit_findings"]
    html = render_html(doc_type="audit_opinion", content=content)
    assert (
        "经稽核，你单位存在未按时足额缴纳社会保险费的行为，稽核发现：工资表所列 3 人未参保。"
        in html
    )
    assert "稽核期间" not in html and "<table>" in html
    html = render_html(doc_type="audit_result", content=content)
    assert "稽核期间" not in html and "经稽核，未发现你单位存在违反" in html


def test_a_record_from_before_the_figures_may_have_none(county, audit_case):
    """Rows migrated from before these columns have no figures (NULL); that stays valid."""
    record = _record(county, audit_case)
    AuditRecord.objects.filter(pk=record.pk).update(
        period_from=None,
        period_to=None,
        headcount_found=None,
        headcount_declared=None,
        base_found=None,
        base_declared=None,
        shortfall=None,
    )
    record.refresh_from_db()
    assert record.shortfall is None and record.period_from is None


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"period_from": date(2026, 9, 1)}, "audit_period_in_order"),
        ({"period_to": date(2026, 8, 15)}, "audit_period_months"),
        ({"headcount_found": -1}, "audit_findings_non_negative"),
        ({"headcount_declared": -1}, "audit_findings_non_negative"),
        ({"base_found": D("-0.01")}, "audit_findings_non_negative"),
        ({"base_declared": D("-1")}, "audit_findings_non_negative"),
        ({"shortfall": D("-0.01")}, "audit_findings_non_negative"),
        ({"shortfall": None}, "audit_findings_complete"),
    ],
)
def test_the_database_refuses_impossible_findings(county, audit_case, change, constraint):
    record = _record(county, audit_case)
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(**change)


def test_the_database_refuses_a_bad_row_created_directly(county, audit_case):
    record = _record(county, audit_case)
    with pytest.raises(IntegrityError, match="audit_period_in_order"), transaction.atomic():
        AuditRecord.objects.create(
            case=record.case,
            audited_on=record.audited_on,
            auditor_1=county.caseworker,
            auditor_2=county.group_leader,
            credentials="稽核证",
            period_from=date(2026, 8, 1),
            period_to=date(2026, 5, 1),
            headcount_found=1,
            headcount_declared=1,
            base_found=D("0"),
            base_declared=D("0"),
            shortfall=D("0"),
            findings="x",
            violation=False,
            signature="signed",
            result_document=record.result_document,
            recorded_by=county.caseworker,
        )


def test_the_case_page_takes_the_figures(client, county, audit_case):
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{audit_case.pk}/").content.decode()
    for label in ("稽核起始月份", "核实参保人数（人）", "申报缴费基数（元）", "少缴金额（元）"):
        assert label in page
    assert 'name="period_from"' in page and 'type="month"' in page
    form = {
        "audited_on": "2026-11-18",
        "auditor_1": county.caseworker.pk,
        "auditor_2": county.group_leader.pk,
        "credentials": "稽核证 001、002",
        "period_from": "2026-08",
        "period_to": "2026-05",
        "headcount_found": "23",
        "headcount_declared": "20",
        "base_found": "92,000",
        "base_declared": "80000",
        "shortfall": "2880",
        "violation": "on",
        "findings": "少报 3 人",
        "signature": "signed",
    }
    page = client.post(f"/cases/{audit_case.pk}/audit/", form, follow=True).content.decode()
    assert "起始月份不能晚于截止月份" in page
    page = client.post(
        f"/cases/{audit_case.pk}/audit/", {**form, "period_from": "2026年13月"}, follow=True
    ).content.decode()
    assert "稽核起始月份：" in page and "不存在或超出范围" in page
    client.post(
        f"/cases/{audit_case.pk}/audit/", {**form, "period_from": "2026-05", "period_to": "2026-08"}
    )
    record = AuditRecord.objects.get()
    assert (record.period_from, record.period_to) == (date(2026, 5, 1), date(2026, 8, 1))
    assert record.base_found == D("92000.00")
    page = client.get(f"/cases/{audit_case.pk}/").content.decode()
    assert "稽核期间 2026-05 至 2026-08" in page and "少缴 2,880.00 元" in page
