import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-key-with-enough-entropy-0123456789",
    # 64 bytes, base64 (a key of another length is refused by the checks: qingqian.E001).
    "FIELD_ENCRYPTION_KEY": "cHJvZHVjdGlvbi1maWVsZC1rZXktLS0tLS0tLS0tLS0tLS0t"
    "LS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLS0tLQ==",
    "DATABASE_URL": "postgres://qingqian:secret@db:5432/qingqian",
    "REDIS_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": "qingqian.example.gov.cn",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_field_encryption_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "FIELD_ENCRYPTION_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY 未设置" in result.stderr


def test_production_refuses_a_field_encryption_key_of_the_wrong_length():
    wrong = base64.urlsafe_b64encode(b"sixty-seven bytes".ljust(67, b"-")).decode()
    result = _manage("check", env={**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEY": wrong})
    assert result.returncode != 0
    assert "qingqian.E001" in result.stderr and "32、48 或 64 字节" in result.stderr


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_database_or_redis(missing):
    # It fell back to the demo's SQLite file and in-process tasks with DEBUG off.
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} 未设置" in result.stderr


def test_migrations_can_be_checked_without_production_secrets():
    result = _manage(
        "makemigrations", "--check", "--dry-run", env={"DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_demo_generates_and_keeps_its_secret_key(tmp_path):
    env = {
        "DEBUG": "1",
        "QINGQIAN_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    assert _manage("check", env=env).returncode == 0
    key = (tmp_path / "demo_secret_key").read_text()
    assert len(key) >= 50
    assert _manage("check", env=env).returncode == 0
    assert (tmp_path / "demo_secret_key").read_text() == key


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.X_FRAME_OPTIONS == "DENY"
