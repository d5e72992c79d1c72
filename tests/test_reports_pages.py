"""The reports page in the browser's terms: who may see it, making a report in the background
and watching it, downloading the archived file (the same bytes, audited)."""

import hashlib
from datetime import date

import pytest
from django.urls import reverse

from core import roles
from core.models import AuditEntry, Job
from reports import archive as reports
from reports.models import ReportArchive, ReportKind
from tests.factories import UserFactory
from tests.test_reports_monthly import make_dataset, read


@pytest.fixture
def people(db):
    dataset = make_dataset()
    dataset.supervisor = UserFactory(username="ducha", role=roles.SUPERVISOR)
    return dataset


def _generate(client, capture, **data):
    with capture(execute=True):
        response = client.post(reverse("reports:generate"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_supervisor_makes_a_monthly_report_and_downloads_it(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people.supervisor)
    page = client.get(reverse("reports:index")).content.decode()
    assert "生成月报" in page and "还没有存档的报表" in page
    assert 'value="2026-10"' in page  # last month by default
    job = _generate(client, django_capture_on_commit_callbacks, kind="monthly", month="2026-11")
    job.refresh_from_db()
    assert job.status == "done" and job.created_by == people.supervisor
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "已生成并存档" in page and "清欠月报_2026-11.xlsx" in page
    archive = ReportArchive.objects.get()
    assert archive.created_by == people.supervisor and archive.kind == ReportKind.MONTHLY
    response = client.get(reverse("reports:download", args=[archive.pk]))
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == archive.sha256
    assert content == archive.file.open("rb").read()
    assert "attachment" in response["Content-Disposition"]
    assert "%E6%B8%85%E6%AC%A0%E6%9C%88%E6%8A%A5_2026-11.xlsx" in response["Content-Disposition"]
    assert read(content).sheetnames[0] == "汇总"
    # A second download gives the very same bytes.
    again = b"".join(client.get(reverse("reports:download", args=[archive.pk])).streaming_content)
    assert again == content
    steps = list(
        AuditEntry.objects.filter(action="export", object_id=str(archive.pk))
        .order_by("pk")
        .values_list("detail__step", "actor")
    )
    assert steps == [("generate", people.supervisor.pk)] + [("download", people.supervisor.pk)] * 2
    listing = client.get(reverse("reports:index")).content.decode()
    assert "清欠月报_2026-11.xlsx" in listing and archive.sha256[:12] in listing
    assert "2026年11月" in listing


def test_every_kind_from_its_form(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.leader)
    forms = [
        {"kind": "ten_day", "month": "2026-11", "part": "2"},
        {"kind": "bulletin", "year": "2026", "quarter": "3"},
        {"kind": "exposure_list", "start": "2026-01-01", "end": "2026-11-22"},
    ]
    for data in forms:
        job = _generate(client, django_capture_on_commit_callbacks, **data)
        job.refresh_from_db()
        assert job.status == "done", job.message
    assert sorted(ReportArchive.objects.values_list("file_name", flat=True)) == sorted(
        [
            "清欠旬报_2026-11_中旬.xlsx",
            "征缴情况公布_2026年第三季度.xlsx",
            "曝光名单_2026-01-01至2026-11-22.xlsx",
            "曝光名单_2026-01-01至2026-11-22.pdf",
        ]
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "monthly", "month": "2026-12"}, "尚未开始"),
        ({"kind": "monthly"}, "月份：请填写"),
        ({"kind": "exposure_list", "start": "2026-05-01", "end": "2026-04-01"}, "截止日不能早于"),
        ({"kind": "nonsense"}, "未能生成"),
    ],
)
def test_a_bad_request_shows_why_and_queues_nothing(client, people, data, message):
    client.force_login(people.supervisor)
    response = client.post(reverse("reports:generate"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.filter(kind=reports.JOB_KIND).exists()


def test_job_page_polls_while_running(client, people):
    client.force_login(people.supervisor)
    job = Job.objects.create(
        kind=reports.JOB_KIND,
        created_by=people.supervisor,
        status="running",
        total=100,
        result={"kind": "monthly", "start": "2026-11-01", "end": "2026-11-30", "label": "月报"},
    )
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "hx-get" in page and "progress-bar" in page and "<html" in page
    fragment = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "正在生成" in client.get(reverse("reports:index")).content.decode()
    # Another person's job is not found, even by someone who may make reports.
    client.force_login(people.leader)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404


def test_caseworker_gets_403_everywhere(client, people):
    [archive] = reports.report_generate(
        kind="bulletin", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
    )
    job = Job.objects.create(kind=reports.JOB_KIND, created_by=people.caseworker, status="done")
    client.force_login(people.caseworker)
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.post(reverse("reports:generate"), {"kind": "monthly"}).status_code == 403
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 403
    assert client.get(reverse("reports:download", args=[archive.pk])).status_code == 403
    assert not AuditEntry.objects.filter(detail__step="download").exists()


def test_a_damaged_archive_is_not_served(client, people):
    [archive] = reports.report_generate(
        kind="bulletin", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31)
    )
    archive.file.storage.delete(archive.file.name)
    client.force_login(people.supervisor)
    response = client.get(reverse("reports:download", args=[archive.pk]), follow=True)
    assert "已拒绝下载" in response.content.decode()


def test_auto_made_reports_say_so(client, people):
    reports.monthly_archive_scheduled(on=date(2026, 11, 1))
    client.force_login(people.supervisor)
    page = client.get(reverse("reports:index") + "?kind=monthly").content.decode()
    assert "按计划自动生成" in page and "2026年10月" in page
