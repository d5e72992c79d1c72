"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, Django, and a report line.

Run from the repository root with DATABASE_URL pointing at a PostgreSQL server (for example
the one `scripts/services.sh start` prints); the benchmark creates and drops its own database
next to it, `<name>_bench`, so nothing else is touched.
"""

import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(fresh: bool = True) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("benchmarks need DATABASE_URL to point at PostgreSQL")
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    # A child process inherits the URL already pointing at the benchmark database.
    bench_name = name if name.endswith("_bench") else name + "_bench"
    if fresh:
        import psycopg2

        admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
            cursor.execute(f'CREATE DATABASE "{bench_name}"')
        admin.close()
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{bench_name}"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}, {pg}"


def record(section: str, lines: list[str]) -> None:
    """Replace this benchmark's section in docs/benchmarks.md and print it."""
    path = ROOT / "docs" / "benchmarks.md"
    header = "# Benchmarks\n\nFigures from the scripts in `bench/`, each with its baseline from the same run.\n"
    text = path.read_text() if path.exists() else header
    body = f"## {section}\n\n" + "\n".join(lines) + "\n"
    start = text.find(f"## {section}\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    path.write_text(text)
    print(body)


def stamp() -> str:
    return f"Run {datetime.now():%Y-%m-%d %H:%M} on {machine()}."
