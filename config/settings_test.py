"""Test settings: the production settings with what a test run needs changed, nothing more.

The database is the real PostgreSQL given by DATABASE_URL (`make test` starts one).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A fixed key, so that what one test run encrypted another still reads.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEY",
    "dGVzdC1vbmx5LWZpZWxkLWtleS0uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLg==",
)
os.environ.setdefault("DATABASE_URL", "postgres://qingqian@127.0.0.1:54329/qingqian")

# Parallel workers (pytest-xdist) each get their own Redis database, as pytest-django gives
# each its own PostgreSQL database: one worker's lockout counters, cache and queued tasks must
# never reach another's. Once only: a Celery worker the suite starts inherits the environment
# already moved, and must use the same database as the test that queues to it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL") and not os.environ.get("QQ_REDIS_PER_WORKER"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    _index = (int(_db or 0) + 1 + int(_worker.removeprefix("gw"))) % 16
    os.environ["REDIS_URL"] = f"{_base}/{_index}"
    os.environ["QQ_REDIS_PER_WORKER"] = "1"

from .settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The server's clock is frozen in tests while the browser's is the machine's: a cookie with an
# expiry date computed from the frozen clock could already be past for the browser.
CSRF_COOKIE_AGE = None
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files come from the app folders directly in tests and the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The live server thread of the browser tests must not keep a connection to the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
