"""Every script in bench/ runs in its small mode (`--check`) with the suite.

The benchmarks are run by hand, rarely; they once crashed on a fresh database for a long time
unnoticed, because a raw INSERT missed a NOT NULL column added after them. Here each script
runs as its own process against its own database, the way a person runs it, and checks its
results; a script found in bench/ without a small mode fails.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
HELPERS = {"common.py"}
SCRIPTS = sorted(path.name for path in BENCH.glob("*.py") if path.name not in HELPERS)
# Read by bench/common.py: copy this migrated database instead of migrating in every script.
TEMPLATE_ENV = "BENCH_TEMPLATE_DATABASE"
# A small run takes seconds; this only stops a hung script from hanging the suite.
TIMEOUT_SECONDS = 600


def server_url(database: str) -> str:
    return urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{database}"))


def name_prefix() -> str:
    """Unique per suite run and xdist worker, like pytest-django's test database: two runs
    against different databases of one server never drop each other's."""
    name = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"test_{name}" + (f"_{worker}" if worker else "")


def drop_database(name: str) -> None:
    admin = psycopg2.connect(server_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture(scope="module")
def migrated_template():
    name = f"{name_prefix()}_bench_template"
    drop_database(name)
    admin = psycopg2.connect(server_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    try:
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": server_url(name),
                "DJANGO_SETTINGS_MODULE": "config.settings",
            },
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        assert migrated.returncode == 0, migrated.stderr[-4000:]
        yield name
    finally:
        drop_database(name)


def test_bench_holds_scripts():
    assert SCRIPTS, f"no benchmark script found in {BENCH}"


# Every script, and each of its modes that builds other figures (load.py's office day).
RUNS = [(script, ()) for script in SCRIPTS] + [("load.py", ("--day",))]


@pytest.mark.parametrize(("script", "mode"), RUNS)
def test_bench_script_small_run_passes_its_checks(script, mode, migrated_template):
    figures = ROOT / "docs" / "benchmarks.md"
    figures_before = figures.read_bytes() if figures.exists() else None
    database = f"{name_prefix()}_{Path(script).stem}{''.join(m.strip('-') for m in mode)}"
    try:
        run = subprocess.run(
            [sys.executable, str(BENCH / script), "--check", *mode],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": server_url(database),
                TEMPLATE_ENV: migrated_template,
            },
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    finally:
        drop_database(f"{database}_bench")  # the name bench/common.py gives it
    assert "unrecognized arguments: --check" not in run.stderr, (
        f"bench/{script} has no small mode: give it --check (see bench/README.md)"
    )
    assert run.returncode == 0, (
        f"bench/{script} --check failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    )
    figures_after = figures.read_bytes() if figures.exists() else None
    assert figures_after == figures_before, f"bench/{script} --check rewrote {figures.name}"
