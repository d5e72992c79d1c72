# Production image: the same code as the demo, run by gunicorn, Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings

# CJK fonts for the official notices (Noto Serif/Sans CJK SC; HanaMin for the rare characters
# of CJK Extensions B–F that Noto lacks) and HarfBuzz's subsetter, without which WeasyPrint
# embeds whole fonts and takes seconds per page.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
        libpq5 postgresql-client-15 shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY . .
RUN pip install -c requirements.lock . \
    && useradd --system --home /app qingqian \
    && mkdir -p /app/var && chown -R qingqian /app/var

# collectstatic needs settings but no database or secrets of the deployment: every variable the
# production settings require is given a stand-in here (tests/test_deployment_files.py runs it).
RUN SECRET_KEY=collectstatic-only FIELD_ENCRYPTION_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/x.db REDIS_URL=redis://unused:6379/0 \
    python manage.py collectstatic --noinput

USER qingqian
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4"]
