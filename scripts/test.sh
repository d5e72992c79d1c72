#!/usr/bin/env bash
# The whole suite on real PostgreSQL and Redis: lint, migrations check, pytest.
# Uses DATABASE_URL and REDIS_URL when both are given; otherwise starts throwaway servers.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh packages
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    trap 'scripts/services.sh stop' EXIT
    while IFS= read -r line; do export "${line?}"; done < <(scripts/services.sh start)
fi
export DJANGO_SETTINGS_MODULE=config.settings_test

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== makemigrations --check"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "== pytest"
# One worker per core (pytest-xdist), each with its own databases; a file's tests stay together.
.venv/bin/pytest -n "${QQ_TEST_WORKERS:-auto}" --dist loadfile "$@"
