"""The case page's stage actions and the bulk step, as a caseworker, a teammate approving and an
outsider of another township see them."""

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from core.models import Job
from enforcement.models import Approval, Case, CaseEvent, Deferral
from enforcement.services import case_open
from enforcement.stages import Stage
from enterprises.models import Enterprise
from notices.models import Document
from notices.services import document_issue
from tests.factories import EnterpriseFactory, item_of


def _at(county, stage, doc_type="reminder", served=date(2026, 10, 1), order_served=None):
    """A case at `stage` whose current document was served; with `order_served`, the decision
    the 催告书 enforces (a 限期补缴通知书 stating the remedies) was served that day."""
    case = case_open(actor=county.caseworker, enterprise=county.enterprise)
    if order_served:
        order = document_issue(
            from_case=True,
            actor=county.caseworker,
            doc_type="deadline_notice",
            enterprise=county.enterprise,
            render=False,
        )
        Document.objects.filter(pk=order.pk).update(served_on=order_served)
        Case.objects.filter(pk=case.pk).update(order=order)
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type=doc_type,
        enterprise=county.enterprise,
        render=False,
    )
    Document.objects.filter(pk=document.pk).update(
        served_on=served, deadline=date(2026, 10, 15) if served else None
    )
    Case.objects.filter(pk=case.pk).update(stage=stage, current_document=document)
    case.refresh_from_db()
    return case


def test_deferral_asked_on_the_page_and_approved_by_the_group_leader(client, county):
    case = _at(county, Stage.RECTIFICATION)
    # The inquiry found the balance short: what allows a deferral (社会保险法 第六十三条).
    CaseEvent.objects.create(case=case, kind="inquiry_short", text="账户查询结果：余额不足")
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "分 6 期" in page and "担保价值" in page
    assert '<option value="surety">' not in page  # only a mortgage or a pledge
    response = client.post(
        f"/cases/{case.pk}/move/",
        {
            "to_stage": "deferral",
            "months": "4",
            "guarantee_kind": "surety",
            "guarantee_value": "abc",
            "guarantee_document": "",
            "reason": "资金困难",
        },
        follow=True,
    )
    assert "担保价值须为大于 0 的金额" in response.content.decode()
    assert not Approval.objects.exists()
    client.post(
        f"/cases/{case.pk}/move/",
        {
            "to_stage": "deferral",
            "months": "4",
            "guarantee_kind": "pledge",
            "guarantee_value": "20000",
            "guarantee_document": "质押合同 2026-3",
            "reason": "资金困难",
        },
    )
    approval = Approval.objects.get()
    client.force_login(county.group_leader)
    client.post(
        f"/cases/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": "同意"}
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert Deferral.objects.get().instalments.count() == 4
    assert "延期缴费协议" in page and "第 4 期" in page and "质押合同 2026-3" in page


def test_audit_record_from_the_page(client, county):
    case = _at(county, Stage.AUDIT, doc_type="audit_notice", served=date(2026, 11, 10))
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "登记稽核记录并出具结论文书" in page
    form = {
        "audited_on": "2026-11-18",
        "auditor_1": county.caseworker.pk,
        "auditor_2": county.caseworker.pk,
        "credentials": "稽核证 001、002",
        "findings": "少报 2 人",
        "period_from": "2026-05",
        "period_to": "2026-08",
        "headcount_found": "22",
        "headcount_declared": "20",
        "base_found": "88000",
        "base_declared": "80000",
        "shortfall": "1920",
        "violation": "on",
        "signature": "signed",
    }
    page = client.post(f"/cases/{case.pk}/audit/", form, follow=True).content.decode()
    assert "两名以上不同的稽核人员" in page
    client.post(f"/cases/{case.pk}/audit/", {**form, "auditor_2": county.group_leader.pk})
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "稽核意见书" in page and "少报 2 人" in page


def test_tracking_review_sets_the_next_date(client, county):
    case = _at(county, Stage.TRACKING)
    client.force_login(county.caseworker)
    client.post(f"/cases/{case.pk}/review/", {"note": "仍停产，厂房已抵押"})
    case.refresh_from_db()
    assert case.review_due == date(2027, 2, 20)  # 90 days, the default interval
    assert "仍停产" in client.get(f"/cases/{case.pk}/").content.decode()


def test_write_off_needs_bankruptcy_and_every_document(client, county):
    case = _at(county, Stage.TRACKING)
    client.force_login(county.caseworker)
    page = client.post(
        f"/cases/{case.pk}/write-off/", {"bankruptcy_ruling": "x"}, follow=True
    ).content.decode()
    assert "只有已宣告破产或已注销的企业才能核销" in page
    Enterprise.objects.filter(pk=county.enterprise.pk).update(status="deregistered")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "提交核销审批" in page
    page = client.post(
        f"/cases/{case.pk}/write-off/", {"bankruptcy_ruling": "（2026）晋0427破1号"}, follow=True
    ).content.decode()
    assert "请填写财政部门复核意见的文号和日期" in page
    documents = {
        "bankruptcy_ruling": "（2026）晋0427破1号",
        "termination_ruling": "（2026）晋0427破1号之三",
        "liquidation_report": "清算报告 2026-06",
        "distribution_plan": "分配方案 2026-07",
        "labour_review": "壶人社函〔2026〕5号",
        "finance_review": "壶财函〔2026〕9号",
        "government_approval": "壶政函〔2026〕12号",
    }
    client.post(f"/cases/{case.pk}/write-off/", documents)
    approval = Approval.objects.get(closing_reason="write_off")
    assert approval.capability == "approve_high_risk" and approval.payload == documents
    client.force_login(county.leader)
    client.post(
        f"/cases/approvals/{approval.pk}/decide/", {"decision": "approve", "comment": "同意核销"}
    )
    case.refresh_from_db()
    assert case.closing_reason == "write_off"


def test_generic_close_form_refuses_a_write_off_without_documents(client, county):
    case = _at(county, Stage.TRACKING)
    client.force_login(county.caseworker)
    page = client.post(
        f"/cases/{case.pk}/close/", {"reason": "write_off", "note": "x"}, follow=True
    ).content.decode()
    assert "核销须填写破产文书和审批文件" in page


def test_bulk_step_from_the_list(client, county, django_capture_on_commit_callbacks):
    ready = _at(county, Stage.DEMAND, doc_type="deadline_notice")
    other = case_open(actor=county.outsider, enterprise=county.other_enterprise)
    client.force_login(county.caseworker)
    page = client.get("/cases/", {"stage": "demand"}).content.decode()
    assert "批量出具" in page and "转入催告并出具文书" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cases/bulk/", {"to_stage": "rectification", "case": [ready.pk, other.pk]}
        )
    job = Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.status == "done" and len(job.result["documents"]) == 1  # the outsider's is ignored
    ready.refresh_from_db()
    assert ready.stage == Stage.RECTIFICATION
    assert ready.current_document.doc_type == "reminder"
    merged = b"".join(client.get(f"/notices/batch/{job.pk}/pdf/").streaming_content)
    assert len(PdfReader(BytesIO(merged)).pages) >= 1


def test_bulk_skips_a_case_whose_guard_refuses(client, county, django_capture_on_commit_callbacks):
    not_yet = _at(county, Stage.DEMAND, doc_type="deadline_notice", served=None)
    client.force_login(county.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cases/bulk/", {"to_stage": "rectification", "case": [not_yet.pk]})
    job = Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.result["documents"] == [] and "尚未送达" in job.result["skipped"][0]["reason"]


def test_bulk_refuses_moves_that_need_approval(client, county):
    case = _at(county, Stage.RECTIFICATION)
    client.force_login(county.caseworker)
    page = client.post(
        "/cases/bulk/", {"to_stage": "bank", "case": [case.pk]}, follow=True
    ).content.decode()
    assert (
        "不需审批的下一步" in page
        and not Job.objects.filter(kind="notice_batch").exclude(pk=county.batch_job.pk).exists()
    )


def test_case_list_filters_by_assignee_group_and_amount_band(client, county):
    mine = case_open(actor=county.caseworker, enterprise=county.enterprise)  # 1,700.00 owed
    client.force_login(county.leader)
    other = case_open(actor=county.outsider, enterprise=county.other_enterprise)
    page = client.get("/cases/", {"assignee": county.caseworker.pk}).content.decode()
    assert county.enterprise.name in page and county.other_enterprise.name not in page
    page = client.get("/cases/", {"group": county.group_b.pk}).content.decode()
    assert county.other_enterprise.name in page and county.enterprise.name not in page
    page = client.get("/cases/", {"band": "10k-100k"}).content.decode()
    assert county.enterprise.name not in page and "没有案件" in page
    page = client.get("/cases/", {"band": "lt10k"}).content.decode()
    assert county.enterprise.name in page
    assert mine.pk != other.pk


def test_worklist_shows_reviews_due_and_broken_deferrals(client, county):
    case = _at(county, Stage.TRACKING)
    Case.objects.filter(pk=case.pk).update(review_due=date(2026, 11, 20))
    client.force_login(county.caseworker)
    page = client.get("/cases/today/").content.decode()
    assert "跟踪关注到期复查" in page and "11月20日 应复查" in page


def test_case_list_counts_by_class(client, county):
    Enterprise.objects.filter(pk=county.enterprise.pk).update(ability="able")
    case_open(actor=county.caseworker, enterprise=county.enterprise)
    client.force_login(county.caseworker)
    page = client.get("/cases/").content.decode()
    assert "重点清欠对象 1" in page and "待核实 0" in page


def test_case_list_counts_the_unclassified_cases_too(client, county):
    # The paginator takes its count from the counts by class, which must include the cases of
    # enterprises not classified yet (the batch offers "all N cases" from that count).
    Enterprise.objects.filter(pk=county.enterprise.pk).update(ability="able")
    opened = case_open(actor=county.caseworker, enterprise=county.enterprise)
    unclassified = EnterpriseFactory(region=county.region_a)
    item_of(unclassified, date(2025, 3, 1))
    case_open(actor=county.caseworker, enterprise=unclassified)
    client.force_login(county.caseworker)
    page = client.get("/cases/", {"stage": opened.stage}).content.decode()
    assert "重点清欠对象 1" in page and "或全部 2 个符合条件的案件" in page


def test_classification_follows_the_ledger(county):
    from decimal import Decimal

    from arrears.services import payment_post
    from enforcement.classification import classification_refresh
    from enterprises.models import Evidence

    Evidence.objects.create(enterprise=county.enterprise, month=date(2025, 2, 1), kind="wages")
    classification_refresh(enterprise_ids=[county.enterprise.pk])
    county.enterprise.refresh_from_db()
    assert county.enterprise.ability == "able"  # wages paid in an unpaid month
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=Decimal("100000.00"),
        paid_on=date(2026, 11, 22),
        method="self",
        external_ref="ALL",
    )
    county.enterprise.refresh_from_db()
    assert county.enterprise.ability == "to_verify"  # no arrears period left to show evidence in


def test_case_page_lists_its_documents_and_payments(client, county):
    from decimal import Decimal

    from arrears.services import payment_post

    case = _at(county, Stage.RECTIFICATION)
    payment_post(
        actor=county.caseworker,
        enterprise=county.enterprise,
        amount=Decimal("50.00"),
        paid_on=date(2026, 11, 20),
        method="self",
        external_ref="PART-7",
    )
    client.force_login(county.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert case.current_document.number_text in page and "2026-10-01 送达" in page
    assert "PART-7" in page and "50.00 元" in page
    # An outsider of the other township does not find the case at all.
    client.force_login(county.outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_court_window_is_reminded_before_three_months_after_the_time_to_sue(client, county):
    # 限期补缴通知书 (stating the remedies) served 2026-03-01: time to sue ends 2026-09-01, the
    # court window 2026-12-01 — within the 30 days' notice on 2026-11-22.
    case = _at(county, Stage.BANK, order_served=date(2026, 3, 1))
    from enforcement.selectors import court_last_day

    assert court_last_day(case) == date(2026, 12, 1)
    client.force_login(county.caseworker)
    page = client.get("/cases/today/").content.decode()
    assert "申请法院强制执行期限将届满" in page and "应于 2026年12月1日 前申请" in page
    Document.objects.filter(pk=case.order_id).update(served_on=date(2026, 6, 1))
    page = client.get("/cases/today/").content.decode()
    assert "应于 2027年3月1日" not in page  # more than 30 days away: not yet on the list


def test_sweep_notes_a_review_due_once(county):
    from io import StringIO

    from django.core.management import call_command

    case = _at(county, Stage.TRACKING)
    Case.objects.filter(pk=case.pk).update(review_due=date(2026, 11, 20))
    for _ in range(2):
        out = StringIO()
        call_command("sweep_cases", "--as-of", "2026-11-22", stdout=out)
    assert "0 reviews due" in out.getvalue()  # the second run adds nothing
    assert case.events.filter(text__startswith="复查到期：2026年11月20日").count() == 1


def test_bulk_can_take_every_case_the_filter_finds(
    client, county, django_capture_on_commit_callbacks
):
    ready = _at(county, Stage.DEMAND, doc_type="deadline_notice")
    client.force_login(county.caseworker)
    page = client.get("/cases/", {"stage": "demand"}).content.decode()
    assert "或全部 1 个符合条件的案件" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cases/bulk/?stage=demand", {"to_stage": "rectification", "all": "1"}
        )
    job = Job.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert job.result["case_ids"] == [ready.pk] and len(job.result["documents"]) == 1


def test_the_court_window_ends_on_a_working_day(county):
    # Served 2026-02-28: the time to sue ends Friday 2026-08-28; three months later is Saturday
    # 2026-11-28, so the last day to apply is Monday 2026-11-30 (民法典 第二百零三条).
    from enforcement.selectors import court_last_day

    case = _at(county, Stage.BANK, order_served=date(2026, 2, 28))
    assert court_last_day(case) == date(2026, 11, 30)


def test_a_decision_without_remedies_gives_the_party_a_year(county):
    # A decision served 2025-11-03 that did not state the remedies: the time to sue runs a year,
    # to Tuesday 2026-11-03; the three months to apply then end Wednesday 2027-02-03.
    from enforcement.selectors import court_last_day

    case = _at(county, Stage.BANK, order_served=date(2025, 11, 3))
    order = Document.objects.get(pk=case.order_id)
    order.content["states_remedies"] = False
    order.save(update_fields=["content"])
    assert court_last_day(case) == date(2027, 2, 3)
