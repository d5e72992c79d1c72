# 清欠 — the two set-up commands of the README.
#   make run    demo on SQLite with eager tasks and the demo county, at http://127.0.0.1:8000
#   make test   the whole suite on real PostgreSQL and Redis (started and stopped by itself)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
DEMO_ENV := DEBUG=1

.PHONY: run test venv lint format clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

run: venv
	scripts/services.sh runtime
	$(DEMO_ENV) $(VENV)/bin/python manage.py migrate --noinput
	$(DEMO_ENV) $(VENV)/bin/python manage.py seed_demo
	@echo "清欠演示版：请用浏览器打开 http://127.0.0.1:8000 ，用上面列出的演示账号登录。按 Ctrl+C 停止。"
	$(DEMO_ENV) $(VENV)/bin/python manage.py runserver 127.0.0.1:8000

test: venv
	scripts/test.sh $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) *.egg-info var

# Backups (docs/operations.md), as the database's owner role: DATABASE_OWNER_URL, else
# DATABASE_URL; the media folder is MEDIA_ROOT.
#   make backup [BACKUP_DIR=…]                a new folder qingqian-YYYYMMDD-HHMMSS under BACKUP_DIR
#   make verify-backup BACKUP=folder          check its SHA-256 checksums, change nothing
#   make restore BACKUP=folder [REPLACE=yes]  check, then restore; REPLACE=yes over a non-empty database
BACKUP_DIR ?= var/backups

.PHONY: backup verify-backup restore

backup:
	BACKUP_DIR="$(BACKUP_DIR)" scripts/backup.sh create

verify-backup:
	scripts/backup.sh verify "$(BACKUP)"

restore:
	scripts/backup.sh restore "$(BACKUP)" $(if $(filter yes,$(REPLACE)),--replace)
