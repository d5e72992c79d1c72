"""The life cycle of background jobs (core.jobs): claimed once, never left running, failures
shown to the user with the traceback in the log, and nothing lost when the broker is down."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core import jobs
from core.models import Job, JobStatus
from core.tasks import CHECK_IMPORT, check_import
from tests.factories import make_uscc
from tests.imports_web import confirm, page, upload
from tests.xlsx import ENTERPRISE_HEADERS, make_xlsx

CODE = make_uscc(880002)


def _queued_import(county, tmp_path, rows=None) -> Job:
    path = make_xlsx(
        tmp_path / "e.xlsx",
        rows or [[county.enterprise.credit_code, "新名字", "龙泉镇"]],
        headers=ENTERPRISE_HEADERS[:3],
    )
    return Job.objects.create(
        kind="import:enterprises",
        task=CHECK_IMPORT,
        created_by=county.caseworker,
        file_name="e.xlsx",
        file_path=str(path),
    )


@pytest.fixture
def checks():
    """Count how often the enterprise importer's check really runs."""
    from core.imports import IMPORTERS

    importer, calls = IMPORTERS["enterprises"], []
    original = importer.check

    def counted(path, **kwargs):
        calls.append(path)
        return original(path, **kwargs)

    object.__setattr__(importer, "check", counted)  # a frozen dataclass, patched for the test
    yield calls
    object.__setattr__(importer, "check", original)


def test_a_task_delivered_twice_runs_once(county, tmp_path, checks):
    job = _queued_import(county, tmp_path)
    assert check_import(job.pk) == JobStatus.READY
    assert check_import(job.pk) == "skipped"  # acks-late redelivery of the same message
    assert len(checks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.attempts == 1


def test_a_redelivered_task_takes_over_a_job_whose_worker_died(county, tmp_path, checks):
    job = _queued_import(county, tmp_path)
    # The worker claimed it a minute ago and died: no heartbeat any more.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, claimed_at=timezone.now() - timedelta(minutes=1), attempts=1
    )
    assert check_import(job.pk) == JobStatus.READY
    job.refresh_from_db()
    assert job.attempts == 2 and len(checks) == 1


def test_a_job_another_worker_is_running_is_left_alone(county, tmp_path, checks):
    job = _queued_import(county, tmp_path)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, claimed_at=timezone.now())
    with jobs.heartbeat(job.pk):
        assert check_import(job.pk) == "skipped"
    assert checks == []


def test_recovery_fails_a_running_job_nobody_took_over(county, tmp_path):
    job = _queued_import(county, tmp_path)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert jobs.jobs_recover()["lost"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "意外中断" in job.message


def test_any_exception_ends_the_job_failed_with_a_message_and_the_traceback_logged(
    county, tmp_path, monkeypatch, caplog, client
):
    job = _queued_import(county, tmp_path)
    from enterprises import imports as enterprise_imports

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(enterprise_imports, "parse_enterprise_file", broken)
    with caplog.at_level(logging.ERROR, logger="core.jobs"):
        assert check_import(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert f"任务编号 {job.pk}" in job.message
    record = next(r for r in caplog.records if r.name == "core.jobs")
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError
    client.force_login(county.caseworker)
    shown = page(client, job)
    assert job.message in shown and "hx-get" not in shown  # ended: the page stops polling


def test_a_double_click_on_confirm_queues_one_import(
    client, county, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(county.caseworker)
    path = make_xlsx(
        tmp_path / "e.xlsx", [[CODE, "新公司", "龙泉镇"]], headers=ENTERPRISE_HEADERS[:3]
    )
    _, job = upload(client, django_capture_on_commit_callbacks, "enterprises", path)
    sent = []
    monkeypatch.setattr(jobs, "_send", lambda task, job_id: sent.append((task, job_id)))
    confirm(client, django_capture_on_commit_callbacks, job)
    confirm(client, django_capture_on_commit_callbacks, job)
    assert sent == [("core.tasks.apply_import", job.pk)]


def test_polling_does_not_count_as_activity(client, county, frozen):
    job = Job.objects.create(
        kind="import:ledger",
        task=CHECK_IMPORT,
        created_by=county.caseworker,
        status=JobStatus.RUNNING,
        claimed_at=timezone.now(),
    )
    client.force_login(county.caseworker)
    assert client.get("/cases/today/").status_code == 200
    for minute in (10, 20, 29):  # the progress page polls by itself while the user is away
        frozen.move_to(timezone.now() + timedelta(minutes=10 if minute != 29 else 9))
        assert client.get(f"/imports/job/{job.pk}/", headers={"X-QQ-Poll": "1"}).status_code == 200
    frozen.move_to(timezone.now() + timedelta(minutes=2))  # 31 minutes since the last click
    response = client.get("/cases/today/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _fresh_connections(app):
    # Connections are pooled per broker URL: forget them so the next send uses the URL set now.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


class TestBrokerDown:
    """Production mode with Redis stopped: nothing the user did is lost or answered with a 500."""

    @pytest.fixture
    def broker_down(self, settings, monkeypatch):
        from celery import current_app

        app = current_app._get_current_object()
        # Nothing listens there: to the client that is exactly a stopped Redis.
        for key, value in (
            ("task_always_eager", False),
            ("broker_url", "redis://127.0.0.1:1/0"),
            ("broker_transport_options", {"max_retries": 0}),
        ):
            monkeypatch.setitem(app.conf, key, value)
        _fresh_connections(app)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }
        yield
        monkeypatch.undo()
        _fresh_connections(app)

    def test_an_upload_is_kept_and_queued_again_when_the_broker_returns(
        self, client, county, tmp_path, django_capture_on_commit_callbacks, broker_down, settings
    ):
        client.force_login(county.caseworker)
        path = make_xlsx(
            tmp_path / "e.xlsx", [[CODE, "新公司", "龙泉镇"]], headers=ENTERPRISE_HEADERS[:3]
        )
        response, job = upload(client, django_capture_on_commit_callbacks, "enterprises", path)
        assert response.status_code == 302
        assert "排队等待后台处理" in page(client, job)
        job.refresh_from_db()
        assert job.status == JobStatus.QUEUED

    def test_a_document_keeps_its_number_and_gets_its_pdf_later(
        self, client, county, django_capture_on_commit_callbacks, broker_down
    ):
        from notices.models import Document

        client.force_login(county.caseworker)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/notices/enterprise/{county.enterprise.pk}/issue/",
                {"doc_type": "statement", "confirm": "1"},
            )
        assert response.status_code == 302
        document = Document.objects.filter(doc_type="statement").get()
        assert document.number_text and not document.pdf


def test_after_the_broker_returns_queued_jobs_and_missing_pdfs_are_caught_up(county, tmp_path):
    from notices.models import Document
    from notices.services import document_issue
    from notices.tasks import render_missing_pdfs

    job = _queued_import(county, tmp_path)
    Job.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(minutes=5))
    document = document_issue(
        from_case=True,
        actor=county.caseworker,
        doc_type="statement",
        enterprise=county.enterprise,
        render=False,
    )
    assert jobs.jobs_recover()["requeued"] == 1  # eager in tests: it ran at once
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert render_missing_pdfs() >= 1
    assert Document.objects.get(pk=document.pk).pdf


def test_a_job_whose_file_is_gone_is_refused_with_a_reason(county, tmp_path):
    job = _queued_import(county, tmp_path)
    Path(job.file_path).unlink()
    assert check_import(job.pk) == JobStatus.REFUSED
    job.refresh_from_db()
    assert job.result["file_error"] == "上传的文件已不存在，请重新上传。"
