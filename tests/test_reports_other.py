"""The ten-day report, the quarterly bulletin, the exposure list and the archive, on the county
of tests/test_reports_monthly.py (figures worked out by hand there; the clock stands at
2026-11-22 10:00)."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from core.models import AuditEntry, Job
from enforcement.models import Case, CaseEvent
from notices.models import Document
from notices.services import document_issue
from reports import archive as reports
from reports.bulletin import build_bulletin
from reports.exposure_list import build_exposure_pdf, build_exposure_xlsx, exposure_html
from reports.models import ReportArchive, ReportKind
from reports.ten_day import build_ten_day, ten_day_bounds
from tests.test_reports_monthly import NAUGHTY, by_label, make_dataset, read, table


@pytest.fixture
def dataset(db):
    return make_dataset()


# ---- ten-day report ---------------------------------------------------------------------------


def test_ten_day_bounds():
    assert ten_day_bounds(date(2026, 11, 1), 1) == (date(2026, 11, 1), date(2026, 11, 10))
    assert ten_day_bounds(date(2026, 11, 1), 2) == (date(2026, 11, 11), date(2026, 11, 20))
    assert ten_day_bounds(date(2026, 2, 1), 3) == (date(2026, 2, 21), date(2026, 2, 28))
    assert ten_day_bounds(date(2024, 2, 1), 3) == (date(2024, 2, 21), date(2024, 2, 29))


def test_ten_day_report(dataset):
    # 上旬 of November: 甲 4,000 on the 5th and 丁 1,000 on the 10th; the month so far the same;
    # the year also 丙's 2,000 in October.
    book = read(build_ten_day(month=date(2026, 11, 1), part=1))
    assert book.sheetnames == ["汇总", "分乡镇", "回收明细"]
    assert book["汇总"]["A1"].value == "壶关县社会保险费清欠工作旬报（2026年11月上旬）"
    summary = by_label(book["汇总"])
    assert summary["回收合计"][2:5] == [Decimal("5000"), Decimal("5000"), Decimal("7000")]
    assert summary["累计欠费本金"][2] == Decimal("1223000")
    lines, total = table(book["回收明细"])
    assert len(lines) == 2 and total[11] == Decimal("5000")
    # 中旬: nothing paid (the 500 of the 12th was reversed); the month so far 5,000.
    book = read(build_ten_day(month=date(2026, 11, 1), part=2))
    summary = by_label(book["汇总"])
    assert summary["回收合计"][2:5] == [0, Decimal("5000"), Decimal("7000")]
    townships, township_total = table(book["分乡镇"])
    named = {r[0]: r for r in townships}
    # 乡镇, 组, 户, 本金, 滞纳金, 合计, 当年新增, 本旬, 本月累计, 本年累计, 目标, 完成率, 征缴率
    assert named["店上镇"][7:10] == [0, Decimal("1000"), Decimal("3000")]
    assert township_total[8] == Decimal("5000")
    assert book["分乡镇"].print_title_rows == "$2:$3"


# ---- bulletin -----------------------------------------------------------------------------------


def test_bulletin_has_aggregates_only(dataset):
    book = read(build_bulletin(year=2026, quarter=4))
    assert book.sheetnames == ["征缴情况", "分乡镇"]
    assert book["征缴情况"]["A1"].value == "壶关县社会保险费征缴情况公布（2026年第四季度）"
    figures = by_label(book["征缴情况"])
    # Periods 2026-10 and 2026-11: due 甲 20,000 + 丁 3,000; paid 4,000 + 1,000. The year adds
    # 戊 1,200,000 (2026-08) and 丙 2,000 (2026-09, paid).
    assert figures["应缴本金"][2:4] == [Decimal("23000"), Decimal("1225000")]
    assert figures["已缴本金"][2:4] == [Decimal("5000"), Decimal("7000")]
    assert figures["征缴率"][2:4] == pytest.approx([0.2174, 0.0057])
    # Recovered in the quarter (October 1 – today): 2,000 + 4,000 + 1,000 = the year's 7,000.
    assert figures["回收合计"][2:4] == [Decimal("7000"), Decimal("7000")]
    assert figures["欠费单位数"][2] == 4
    townships, total = table(book["分乡镇"])
    assert [r[0] for r in townships] == ["龙泉镇", "百尺镇", "店上镇"]
    assert total[4] == Decimal("7000") and total[7] == Decimal("1223000")
    text = " ".join(
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
    )
    for name in ("甲公司", "丁公司", "HYPERLINK", "张三"):  # no enterprise, no person
        assert name not in text


# ---- exposure list --------------------------------------------------------------------------------


def _expose(case: Case, actor, *, moved=True):
    document = document_issue(
        from_case=True,
        actor=actor,
        doc_type="exposure_notice",
        enterprise=case.enterprise,
        extra={"decision_number": "壶社保限〔2026〕3号", "handling": "逾期未缴纳。"},
        render=False,
    )
    if moved:
        CaseEvent.objects.create(
            case=case, kind="moved", from_stage="court", to_stage="discipline", text="→ 联合惩戒"
        )
    CaseEvent.objects.create(case=case, kind="document", document=document, text="出具曝光公告")
    return document


@pytest.fixture
def exposed(dataset):
    """=HYPERLINK… exposed (principal 5,000 at publication and now); 丁 exposed, then its
    notice voided; 甲 with a notice but no move to 联合惩戒 (not approved)."""
    cases = {c.enterprise_id: c for c in Case.objects.filter(closed_at__isnull=True)}
    published = _expose(cases[dataset.naughty.pk], dataset.caseworker)
    voided = _expose(cases[dataset.ding.pk], dataset.caseworker)
    Document.objects.filter(pk=voided.pk).update(status="voided", void_reason="错发")
    _expose(cases[dataset.jia.pk], dataset.caseworker, moved=False)
    return published


def test_exposure_list_xlsx(exposed):
    book = read(build_exposure_xlsx(start=date(2026, 1, 1), end=date(2026, 11, 22)))
    sheet = book["曝光名单"]
    lines, total = table(sheet)
    assert len(lines) == 1
    line = lines[0]
    assert line[1] == exposed.number_text and line[3] == NAUGHTY
    assert sheet.cell(row=4, column=4).data_type == "s"  # the name stays text
    assert line[7:10] == [Decimal("5000"), Decimal("5000"), "仍欠缴"]
    assert total[7] == Decimal("5000")
    assert sheet.print_title_rows == "$2:$3" and sheet.page_setup.orientation == "landscape"
    # Before its day nothing was published.
    book = read(build_exposure_xlsx(start=date(2026, 1, 1), end=date(2026, 11, 21)))
    assert table(book["曝光名单"])[0] == []


def test_exposure_list_pdf(exposed):
    html = exposure_html(start=date(2026, 1, 1), end=date(2026, 11, 22))
    assert '<td class="num">5,000.00</td>' in html
    assert "=HYPERLINK(&quot;" in html  # escaped, as any text
    assert "壶关县人力资源和社会保障局" in html and "2026年11月22日" in html
    pdf = build_exposure_pdf(start=date(2026, 1, 1), end=date(2026, 11, 22))
    reader = PdfReader(__import__("io").BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "曝光名单" in text and "5,000.00" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297  # A4


def test_long_exposure_list_never_cuts_an_amount(dataset):
    """Forty lines over two pages: every amount whole on one line of one page."""
    from tests.factories import EnterpriseFactory, LedgerItemFactory

    cases = []
    for n in range(40):
        enterprise = EnterpriseFactory(
            name=f"壶关县第{n}号名称很长很长很长很长很长很长很长很长的有限责任公司",
            region=dataset.regions[0],
        )
        LedgerItemFactory(
            enterprise=enterprise, unit_amount=Decimal("1234567.89"), individual_amount=0
        )
        from arrears.services import enterprise_rebuild
        from enforcement.services import case_open

        enterprise_rebuild(enterprise_id=enterprise.pk)
        cases.append(case_open(actor=dataset.caseworker, enterprise=enterprise))
    for case in cases:
        _expose(case, dataset.caseworker)
    pdf = build_exposure_pdf(start=date(2026, 1, 1), end=date(2026, 11, 22))
    reader = PdfReader(__import__("io").BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("1,234,567.89") == 40
    assert "单位名称" in reader.pages[1].extract_text()  # the header repeats


# ---- archive --------------------------------------------------------------------------------------


def test_archive_keeps_the_file_with_its_checksum(dataset):
    [archive] = reports.report_generate(
        kind=ReportKind.MONTHLY,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        created_by=dataset.leader,
    )
    content = archive.file.open("rb").read()
    assert archive.file_name == "清欠月报_2026-11.xlsx"
    assert archive.sha256 == hashlib.sha256(content).hexdigest() and archive.size == len(content)
    assert reports.archive_read(archive) == content
    again = reports.archive_download(archive=archive, actor=dataset.leader)
    assert again == content
    entries = AuditEntry.objects.filter(action="export", object_id=str(archive.pk))
    assert {e.detail["step"] for e in entries} == {"generate", "download"}
    assert all(e.actor == dataset.leader for e in entries)


def test_a_changed_file_is_refused_and_logged(dataset):
    [archive] = reports.report_generate(
        kind=ReportKind.BULLETIN, period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
    )
    with open(archive.file.path, "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(reports.ArchiveDamaged):
        reports.archive_download(archive=archive, actor=dataset.leader)
    assert AuditEntry.objects.filter(object_id=str(archive.pk), result="failure").exists()


def test_exposure_list_archives_two_files(exposed):
    archives = reports.report_generate(
        kind=ReportKind.EXPOSURE_LIST, period_start=date(2026, 1, 1), period_end=date(2026, 11, 22)
    )
    assert [a.file_name for a in archives] == [
        "曝光名单_2026-01-01至2026-11-22.xlsx",
        "曝光名单_2026-01-01至2026-11-22.pdf",
    ]
    assert reports.content_type(archives[1]) == "application/pdf"


def test_report_periods():
    period = reports.report_period
    assert period("monthly", day=date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period("ten_day", day=date(2026, 11, 1), part=3) == (
        date(2026, 11, 21),
        date(2026, 11, 30),
    )
    assert period("bulletin", day=date(2026, 8, 1)) == (date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(ValidationError):
        period("monthly", day=date(2026, 12, 1))  # not begun
    with pytest.raises(ValidationError):
        period("exposure_list", day=date(2026, 5, 1), end=date(2026, 4, 1))
    assert reports.period_label("ten_day", date(2026, 11, 11), date(2026, 11, 20)) == (
        "2026年11月中旬"
    )


def test_monthly_beat_runs_once_a_month(dataset):
    from reports.tasks import monthly_report_scheduled

    first = monthly_report_scheduled.delay().get()
    assert len(first) == 1
    archive = ReportArchive.objects.get(pk=first[0])
    # Today is 2026-11-22: "last month" is October, archived with no user.
    assert (archive.period_start, archive.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert archive.created_by is None
    assert monthly_report_scheduled.delay().get() == []  # a second run makes nothing
    entry = AuditEntry.objects.get(object_id=str(archive.pk))
    assert entry.actor_username == "系统"


def test_generate_task_runs_a_job_once(dataset, django_capture_on_commit_callbacks):
    from core.jobs import job_create
    from reports.tasks import generate_report

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(
            kind=reports.JOB_KIND,
            task=reports.GENERATE_TASK,
            created_by=dataset.leader,
            total=100,
            result={"kind": "ten_day", "start": "2026-11-11", "end": "2026-11-20", "label": "x"},
        )
    job.refresh_from_db()
    assert job.status == "done"
    [archive] = ReportArchive.objects.filter(pk__in=job.result["archives"])
    assert archive.file_name == "清欠旬报_2026-11_中旬.xlsx"
    assert generate_report(job.pk) == "skipped"  # delivered twice: run once
    assert ReportArchive.objects.count() == 1
    assert Job.objects.get(pk=job.pk).result["archives"] == [archive.pk]
