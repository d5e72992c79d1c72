"""A real worker process on the real Redis broker picks up a queued task and returns its result."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from core.tasks import echo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker():
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "-Q",
            "celery",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.services
def test_worker_runs_a_queued_task_end_to_end(worker):
    assert settings.REDIS_URL.startswith("redis://"), "make test provides a real Redis"
    app.conf.task_always_eager = False
    try:
        token = uuid.uuid4().hex
        result = echo.delay(token)
        assert result.get(timeout=60)["token"] == token
    finally:
        app.conf.task_always_eager = True
    assert result.successful()
