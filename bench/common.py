"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, Django, and a report line.

Run from the repository root with DATABASE_URL pointing at a PostgreSQL server (for example
the one `scripts/services.sh start` prints); the benchmark creates and drops its own database
next to it, `<name>_bench`, so nothing else is touched.

Every script also has a small mode, `--check`: a few thousand rows, its results checked for
sense (counts, the fast path equal to the baseline on a sample), nothing written to
docs/benchmarks.md. The test suite runs each script that way (tests/test_bench_scripts.py).
"""

import base64
import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# An already migrated database to copy instead of migrating: the test suite runs every script
# in its small mode and migrates once for all of them, not once each.
TEMPLATE_ENV = "BENCH_TEMPLATE_DATABASE"


def setup_django(fresh: bool = True) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("benchmarks need DATABASE_URL to point at PostgreSQL")
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    # A child process inherits the URL already pointing at the benchmark database.
    bench_name = name if name.endswith("_bench") else name + "_bench"
    template = os.environ.get(TEMPLATE_ENV, "")
    if fresh:
        import psycopg2

        admin = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
            cursor.execute(
                f'CREATE DATABASE "{bench_name}"' + (f' TEMPLATE "{template}"' if template else "")
            )
        admin.close()
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{bench_name}"))
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    # Production settings require the key that encrypts ID and account numbers (core.crypto);
    # a server the benchmark starts (bench/load.py) inherits the same one.
    os.environ.setdefault(
        "FIELD_ENCRYPTION_KEY", base64.urlsafe_b64encode(b"benchmark-only".ljust(64, b"-")).decode()
    )
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()
    if fresh and not template:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def require(condition: bool, message: str) -> None:
    """A check of the small mode; unlike assert it survives `python -O`."""
    if not condition:
        sys.exit(f"check failed: {message}")


def create_enterprises(count: int, name_format: str = "基准企业{n}") -> list:
    """`count` enterprises with valid credit codes in one township, built through the ORM so
    that every column gets its model default — raw INSERTs here once missed a NOT NULL column
    added later, and the benchmarks crashed on a fresh database."""
    from enterprises.codes import uscc_check_char
    from enterprises.models import Enterprise, Region

    region = Region.objects.create(name="基准镇", code="000000000")
    enterprises = []
    for n in range(1, count + 1):
        first17 = f"9114{n:013d}"
        enterprises.append(
            Enterprise(
                credit_code=first17 + uscc_check_char(first17),
                name=name_format.format(n=n),
                region=region,
                industry="C",
                ownership="limited",
            )
        )
    return Enterprise.objects.bulk_create(enterprises, batch_size=5000)


def insert_select(model, computed: dict[str, str], source: str, params: list) -> int:
    """INSERT INTO the model's table SELECT … FROM `source`, for tables too big for the ORM.

    `computed` maps columns to SQL expressions over `source`; every other column gets what the
    ORM would give it: its default, now() for auto_now(_add), NULL when nullable. A NOT NULL
    column with none of these stops the benchmark naming it, before any row is written.
    """
    from django.db import connection
    from django.db.models import NOT_PROVIDED
    from django.db.models.fields import AutoFieldMixin

    columns, expressions, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in computed:
            expression = computed[field.column]
        elif (
            field.generated
            or isinstance(field, AutoFieldMixin)
            or field.db_default is not NOT_PROVIDED
        ):
            continue  # the database fills these itself
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expression = "now()"
        elif field.has_default():
            expression = "%s"
            defaults.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            continue
        else:
            sys.exit(
                f"{model.__name__}.{field.name} is NOT NULL without a default: "
                "the benchmark must compute it (insert_select's `computed`)"
            )
        columns.append(f'"{field.column}"')
        expressions.append(expression)
    unknown = set(computed) - {field.column for field in model._meta.concrete_fields}
    if unknown:
        sys.exit(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults + list(params))
        return cursor.rowcount


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
        text = text[:start] + body + ("\n" + text[end + 1 :] if end != -1 else "")
    path.write_text(text)
    print(body)


def stamp() -> str:
    return f"Run {datetime.now():%Y-%m-%d %H:%M} on {machine()}."
