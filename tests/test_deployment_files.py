"""Docker cannot run here, so the compose file is checked by reading it: every command must
point at something that exists, and every variable the settings require must be set."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import get_commands
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def test_compose_describes_web_worker_beat_postgres_and_redis():
    services = COMPOSE["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis"}
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_every_app_service_has_every_required_variable():
    for name in APP_SERVICES:
        environment = COMPOSE["services"][name]["environment"]
        for variable in settings.REQUIRED_IN_PRODUCTION:
            assert environment.get(variable), f"{name} lacks {variable}"
        assert environment["DEBUG"] == "0"


def _module_and_attribute(target: str):
    module, _, attribute = target.partition(":")
    return importlib.import_module(module), attribute


def test_only_the_web_port_is_published_and_only_on_loopback():
    # The reverse proxy is the way in; nothing is published on every interface.
    published = {name: s.get("ports", []) for name, s in COMPOSE["services"].items()}
    assert {name for name, ports in published.items() if ports} == {"web"}
    assert all(port.startswith("127.0.0.1:") for port in published["web"])


def test_gunicorn_points_at_the_wsgi_application():
    command = COMPOSE["services"]["web"]["command"]
    assert command[0] == "gunicorn"
    module, attribute = _module_and_attribute(command[1])
    assert callable(getattr(module, attribute))


def test_celery_commands_point_at_the_celery_app_and_known_queues():
    for name in ("worker", "beat"):
        command = COMPOSE["services"][name]["command"]
        assert command[:3] == ["celery", "-A", "config"]
        assert hasattr(importlib.import_module(command[2]), "celery_app")
    worker = COMPOSE["services"]["worker"]["command"]
    queues = set(worker[worker.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {"celery"} <= queues


def test_management_commands_in_compose_exist():
    command = COMPOSE["services"]["migrate"]["command"]
    assert command[:2] == ["sh", "-c"]
    steps = [step.split() for step in command[2].split("&&")]
    assert [step[:3] for step in steps] == [
        ["python", "manage.py", "migrate"],
        ["python", "manage.py", "grant_app_role"],
    ]
    assert all(step[2] in get_commands() for step in steps)


def _database_user(service: str) -> str:
    # Not urlparse: the password is a ${VAR:?message} placeholder, with a "?" in it.
    url = COMPOSE["services"][service]["environment"]["DATABASE_URL"]
    return url.removeprefix("postgres://").split(":", 1)[0]


def test_the_application_connects_as_the_role_that_owns_nothing():
    """Migrations run as the owner; the web and the workers as the application role, which the
    database's first start creates without any power over the audit log (core/db_roles.py)."""
    assert _database_user("migrate") == "qingqian_owner"
    for name in ("web", "worker", "beat"):
        assert _database_user(name) == "qingqian_app"
        assert COMPOSE["services"][name]["environment"]["DATABASE_APP_ROLE"] == "qingqian_app"
        assert COMPOSE["services"][name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    db = COMPOSE["services"]["db"]
    assert db["environment"]["POSTGRES_USER"] == "postgres"
    mounted = {volume.split(":")[0] for volume in db["volumes"]}
    assert "./deploy/postgres/10-roles.sh" in mounted
    script = (ROOT / "deploy/postgres/10-roles.sh").read_text()
    assert "CREATE ROLE qingqian_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" in script
    assert "CREATE DATABASE qingqian OWNER qingqian_owner" in script


def test_dockerfile_installs_cjk_fonts_and_the_harfbuzz_subsetter():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-noto-cjk" in dockerfile
    assert "libharfbuzz-subset0" in dockerfile
    assert "requirements.lock" in dockerfile
    # pg_dump and pg_restore of the server's version, for `make backup` inside the image.
    assert "postgresql-client-15" in dockerfile


def test_the_database_plans_as_the_planner_file_says_in_production_and_in_the_tests(db):
    # The benchmarks run on the test database: it must plan as production does, and both as
    # deploy/postgres/planner.conf says.
    lines = (ROOT / "deploy/postgres/planner.conf").read_text().splitlines()
    wanted = [line for line in lines if line and not line.startswith("#")]
    assert "random_page_cost=1.1" in wanted
    command = COMPOSE["services"]["db"]["command"]
    assert command[0] == "postgres"
    assert command[1::2] == ["-c"] * len(wanted) and command[2::2] == wanted
    assert "deploy/postgres/planner.conf" in (ROOT / "scripts/services.sh").read_text()
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_gunicorn_workers_freeze_the_loaded_application_out_of_the_collectors_sight():
    import gc

    from config import gunicorn

    for command in (
        COMPOSE["services"]["web"]["command"],
        _dockerfile_cmd(),
    ):
        at = command.index("--config")
        assert command[at + 1] == "python:config.gunicorn"
    assert "python:config.gunicorn" in (ROOT / "bench/load.py").read_text()
    try:
        gunicorn.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000  # Django and the application, not a handful
    finally:
        gc.unfreeze()


def _dockerfile_cmd() -> list[str]:
    import json

    line = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    return json.loads(line.removeprefix("CMD").strip())


def test_the_images_collectstatic_step_runs_with_what_the_dockerfile_gives_it(tmp_path):
    """The image is built without the deployment's secrets: its collectstatic step must start
    with the stand-ins on its RUN line and the image's ENV alone (it once lacked
    FIELD_ENCRYPTION_KEY, which the production settings require, and no image could be built)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    step = next(
        line for line in text.splitlines() if line.startswith("RUN") and "collectstatic" in line
    )
    given = dict(re.findall(r"(\w+)=(\S+)", step.split("python manage.py")[0]))
    for variable in settings.REQUIRED_IN_PRODUCTION:
        assert given.get(variable), f"the collectstatic step lacks {variable}"
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings",  # the image's ENV
            "STATIC_ROOT": str(tmp_path / "static"),  # not the checkout's own var/
            "QINGQIAN_VAR_DIR": str(tmp_path / "var"),
            **given,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert (tmp_path / "static" / "staticfiles.json").exists()
