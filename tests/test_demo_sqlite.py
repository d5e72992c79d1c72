"""`make run` promises the demo on SQLite. SQLite sums decimals as binary floats, so a rule that
holds on PostgreSQL can fail there (the ageing buckets summed to -1.36E-12 and the demo would
not start): the demo is set up on SQLite as `make run` does it, in a process of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_demo_sets_up_on_sqlite_and_its_ledger_verifies(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for args in (("migrate", "--noinput"), ("seed_demo", "--enterprises", "120")):
        done = _manage(*args, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    assert "演示数据已就绪" in done.stdout
    verified = _manage("verify_ledger", env=env)
    assert verified.returncode == 0, verified.stdout[-3000:] + verified.stderr[-3000:]
    # Every demo user's pages answer on SQLite too (the menu's UNION once failed there only).
    pages = _manage("shell", "-c", PAGES, env=env)
    assert pages.returncode == 0, pages.stdout[-3000:] + pages.stderr[-3000:]
    assert "pages: ok" in pages.stdout, pages.stdout[-3000:]


PAGES = """
from django.test import Client
from core.models import User

PATHS = ["/", "/dashboard/", "/cases/today/", "/cases/", "/cases/approvals/", "/arrears/",
         "/enterprises/", "/notices/", "/reports/", "/audit/", "/users/"]
failed = []
for user in User.objects.all():
    client = Client()
    client.force_login(user)
    for path in PATHS:
        status = client.get(path, follow=True).status_code
        if status not in (200, 403):
            failed.append((user.username, path, status))
print("pages:", failed or "ok")
"""
