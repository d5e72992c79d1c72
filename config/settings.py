"""Settings for 清欠, read from the environment.

Two ways to run one code base (DESIGN §2):
- demo (`make run`): DEBUG=1, SQLite file, Celery tasks run eagerly, no service needed;
- production: DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS from the environment,
  PostgreSQL, Redis, Celery workers and one beat process.
"""

import base64
import hashlib
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("QINGQIAN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

VERSION = "0.1.0"

DEBUG = env.bool("DEBUG", default=False)

# What production must be given; docker-compose.yml is checked against this list by a test.
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
)


def _demo_secret_key() -> str:
    # The demo keeps one generated key on disk so sessions survive a restart of `make run`.
    path = VAR_DIR / "demo_secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = _demo_secret_key()
    elif sys.argv[1:2] == ["makemigrations"]:
        # makemigrations only reads the models and signs nothing: a checkout can check its
        # migrations without production secrets. Every other command refuses below.
        SECRET_KEY = "makemigrations-only-" + secrets.token_urlsafe(32)
    else:
        raise ImproperlyConfigured("SECRET_KEY 未设置：生产环境必须通过环境变量提供。")

# The key that encrypts ID card and bank account numbers in the database (core.crypto): from
# the environment only, so that a dump or a backup alone reveals no number. The demo derives
# one from its own secret key; production must be given one and keep it safe apart from the
# backups: `python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(64)).decode())"`.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Keys replaced by a rotation (comma-separated): they decrypt what `manage.py rotate_field_key`
# has not encrypted again yet, and encrypt nothing. Empty once the rotation has run.
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
if not FIELD_ENCRYPTION_KEY:
    if DEBUG or sys.argv[1:2] == ["makemigrations"]:
        _digest = hashlib.sha512(b"qingqian-demo-field-key:" + SECRET_KEY.encode()).digest()
        FIELD_ENCRYPTION_KEY = base64.urlsafe_b64encode(_digest).decode()
    else:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY 未设置：生产环境必须提供加密身份证号、银行账号的密钥。"
        )

# Production never falls back to the demo's SQLite file and in-process tasks: with DEBUG off a
# missing DATABASE_URL or REDIS_URL is a deployment mistake, refused at start.
if not DEBUG and sys.argv[1:2] != ["makemigrations"]:
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            f"{'、'.join(_missing)} 未设置：生产环境必须连接 PostgreSQL 和 Redis，不能退回演示用的 "
            "SQLite 和进程内任务。"
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The reverse proxies in front of the application (their addresses as they reach it): only
# from these is X-Forwarded-For read, for the client's address in the audit log.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # Two-factor login (TOTP and one-time recovery codes); enforced by core.middleware.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Ours, in the order of the dependency table in DESIGN §2: each may import only those above it.
    "core",
    "enterprises",
    "arrears",
    "notices",
    "enforcement",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "core.middleware.LoginStepsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.RefusedAccessAuditMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.BusyMiddleware",
]

# How long a writer waits for a row another writer holds (core.locks) before the user is told
# to try again: long enough for a payment or a case move, far shorter than a request timeout.
LOCK_TIMEOUT_MS = env.int("LOCK_TIMEOUT_MS", default=10_000)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'demo.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is checked before a request uses it: after PostgreSQL restarted, the first
# request of each worker thread gets a new connection instead of a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The role the web and the workers connect as, which owns nothing (core.db_roles); the owner
# role runs the migrations and `manage.py grant_app_role`.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="qingqian_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.backends.RoleModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.passwords.PasswordPolicyValidator",
        "OPTIONS": {"min_length": 8, "min_classes": 3},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Not the user name nor the name, in characters, pinyin or initials (张三: zhangsan, zs).
    {"NAME": "core.passwords.PasswordNameValidator"},
    {"NAME": "core.passwords.PasswordHistoryValidator"},
]
# None of the last N passwords (the current one included) may come back.
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
# A password older than this must be changed at the next login; 0 = passwords never expire.
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=90)
# 三员分立: who confirms a change to an administrator's or auditor's account (roles, password
# reset, unlock, deactivation, 2FA reset): "security_admin" (a 安全管理员, as 等保 level 3
# separates the duties) or "second_sysadmin" (another 系统管理员). Never the requester himself,
# never the account's holder.
ADMIN_CHANGE_CONFIRMED_BY = env.str("ADMIN_CHANGE_CONFIRMED_BY", default="security_admin")
if ADMIN_CHANGE_CONFIRMED_BY not in ("security_admin", "second_sysadmin"):
    raise ImproperlyConfigured(
        "ADMIN_CHANGE_CONFIRMED_BY 只能是 security_admin（安全管理员确认）或 second_sysadmin"
        "（另一位系统管理员确认）。"
    )
# Two-factor login (TOTP): required for these roles, optional for the others. The demo (DEBUG)
# relaxes it so that its accounts log in with the printed password; OTP_REQUIRED=1 restores it.
# A user who has a device is asked for the code either way.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_REQUIRED_ROLES = ["专班领导", "系统管理员", "安全管理员", "审计管理员"] if OTP_REQUIRED else []
OTP_TOTP_ISSUER = "清欠"
OTP_RECOVERY_CODES = 10
# One session per user: a new login ends the previous one (core.middleware.LoginStepsMiddleware).
SINGLE_SESSION = env.bool("SINGLE_SESSION", default=True)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after 5 failures per username (DESIGN §5); an administrator can lift it earlier.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOCKOUT_MINUTES", default=30))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 403
AXES_VERBOSE = False
# axes.W006 advises locking by IP address too. A county office reaches the server through one
# NAT address, so five mistakes by one person would lock out the whole office: we lock by
# username only, as DESIGN §5 asks.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Session limits: 30 minutes idle, 12 hours at most (core.middleware.SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The demo serves static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: spreadsheets are read from disk, never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=400 * 1024 * 1024)
# A township whose outstanding principal grew by more than this from last month is flagged on
# the dashboard (DESIGN §3.10).
GROWTH_WARNING_PERCENT = env.int("GROWTH_WARNING_PERCENT", default=5)
# Dashboard figures are kept this long: every figure is one aggregate, but twenty leaders opening
# the dashboard at once should not run them twenty times.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
# Exports with more rows than this are built by a worker with a progress bar (core.exports).
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=5000)

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker (the demo) tasks run in-process as they are queued.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Results are kept in the database (Job), never in the broker: a task sent while Redis is down
# must not also wait on the result store, whose client gives up for good after its retries.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ROUTES = {
    "notices.tasks.*": {"queue": "pdf"},
    "reports.tasks.*": {"queue": "reports"},
}
CELERY_BEAT_SCHEDULE = {
    "accrue-late-fees": {
        "task": "arrears.tasks.accrue_late_fees_nightly",
        "schedule": crontab(hour=0, minute=30),
    },
    # After the accrual, so that "paid off" and "still owed" use tonight's fees.
    "sweep-cases": {
        "task": "enforcement.tasks.sweep_cases_nightly",
        "schedule": crontab(hour=1, minute=0),
    },
    # Jobs whose worker died or that never reached the broker (core.jobs), and documents still
    # without their PDF (the broker was down when they were issued).
    "recover-jobs": {"task": "core.tasks.recover_jobs", "schedule": timedelta(minutes=3)},
    # Audit entries are sealed right after their work commits; this catches whatever a crash
    # between the commit and the seal left behind (core.audit_chain).
    "seal-audit": {"task": "core.tasks.seal_audit_log", "schedule": timedelta(minutes=1)},
    "render-missing-pdfs": {
        "task": "notices.tasks.render_missing_pdfs",
        "schedule": timedelta(minutes=5),
    },
    # Each township's balance for this month, for the dashboard's growth warning; after the
    # accrual, so that the month's last night leaves the month-end figure.
    "region-balances": {
        "task": "reports.tasks.region_balances_nightly",
        "schedule": crontab(hour=1, minute=30),
    },
    # Last month's report on the 1st, after the accrual and the sweep: its stocks are the
    # month-end balances (reports.monthly).
    "monthly-report": {
        "task": "reports.tasks.monthly_report_scheduled",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            # With Redis down, pages still work (core.cache); they give up on it within 0.5 s.
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy without 'unsafe-inline' (django-csp): scripts and styles come only
# from our own static files; no template carries a script, a handler or a style attribute
# (tests/test_csp.py). The one inline style allowed, by its hash, is the official documents'
# stylesheet, which a document preview carries inside its sandboxed iframe (notices.screen).
_DOCUMENT_CSS = (BASE_DIR / "static" / "notices" / "document.css").read_bytes()
DOCUMENT_CSS_HASH = f"'sha256-{base64.b64encode(hashlib.sha256(_DOCUMENT_CSS).digest()).decode()}'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, DOCUMENT_CSS_HASH],
        # Bootstrap draws its select arrows and check marks as data: SVG.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the office's reverse proxy, which must set X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The collecting office as it appears on screens; documents get their own settings later.
OFFICE_NAME = env.str("OFFICE_NAME", default="壶关县社会保险中心")
