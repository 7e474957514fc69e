"""Settings, all from environment variables so one image serves demo, test and production.

DATABASE_URL defaults to an SQLite file under var/; PostgreSQL is the production database.
"""

import hashlib
import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("INNOREFORM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules
DEBUG = env_bool("DJANGO_DEBUG", False)
# The fallback key is only for local demo and tests; production must set DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-demo-key-" + "x" * 40)
# The audit chain's MAC key (core.audit_chain). Its own variable so that rotating
# DJANGO_SECRET_KEY does not make every existing link fail; by default derived from it.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or hashlib.sha256(
    ("innoreform-audit-chain:" + SECRET_KEY).encode()).hexdigest()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "innoreform.core",
    "innoreform.books",
    "innoreform.ledger",
    "innoreform.registry",
    "innoreform.credit",
    "innoreform.patents",
    "innoreform.financing",
    "innoreform.vouchers",
    "innoreform.pools",
    "innoreform.ipcases",
    "innoreform.biomed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "innoreform.core.middleware.RequestContextMiddleware",
    # The core.middleware wrappers run Django's session, auth, messages, HTMX and CSP
    # middleware for everything but bank API calls (X-API-Key, no cookies): see SkipOnBankApi.
    "innoreform.core.middleware.SessionMiddleware",
    "innoreform.core.middleware.PortalLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "innoreform.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's own, so `check --deploy` sees it; the bank API's views are CSRF-exempt (API keys).
    "django.middleware.csrf.CsrfViewMiddleware",
    "innoreform.core.middleware.AuthenticationMiddleware",
    "innoreform.core.middleware.ActorMiddleware",
    "innoreform.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "innoreform.core.middleware.HtmxMiddleware",
    "innoreform.core.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "innoreform.core.context_processors.portal",
            ],
        },
    }
]

# Two PostgreSQL roles (README, Operations; core.db_roles): DATABASE_URL is the application's
# role, which owns nothing, so it cannot TRUNCATE, disable triggers or skip them on the
# append-only tables; DATABASE_OWNER_URL, when set, is the owner role that `migrate` connects
# as (only migrate: every other command, the web server and the workers use DATABASE_URL).
_MIGRATING = len(sys.argv) > 1 and sys.argv[1] == "migrate"
DATABASES = {
    "default": dj_database_url.parse(
        (_MIGRATING and os.environ.get("DATABASE_OWNER_URL")) or os.environ.get("DATABASE_URL")
        or f"sqlite:///{VAR_DIR / 'innoreform.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and a long timeout: without them concurrent writers get
    # "database is locked" (a 500) instead of waiting their turn.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql") and os.environ.get("DB_SERVER_SIDE_BINDING", "1") != "0":
    # PostgreSQL binds parameters itself and keeps a statement prepared once it ran twice on a
    # connection, which saves the server's parsing and planning on every hot call (bench/NOTES.md).
    # Behind a transaction-pooling PgBouncer older than 1.21, set DB_SERVER_SIDE_BINDING=0.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
DATABASES["default"].setdefault("TEST", {})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if env_bool("INNOREFORM_FAST_HASHER", TESTING):
    # Tests only: argon2 is deliberately slow; the suite creates thousands of users.
    PASSWORD_HASHERS.insert(0, "django.contrib.auth.hashers.MD5PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: expire after inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 8)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", str(15 * 60)))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "innoreform" / "core" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    # S3-compatible storage when configured (needs django-storages[s3] installed in that deployment).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL"),
            "access_key": os.environ.get("S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY"),
        },
    }
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("DJANGO_SECURE", False):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "innoreform.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task state change drowns the console in demo runs; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}

# Ledger (transparency log) settings; see innoreform/ledger.
LEDGER_ORIGIN = os.environ.get("LEDGER_ORIGIN", "innoreform.example/ledger")
LEDGER_KEY_FILE = os.environ.get("LEDGER_KEY_FILE", str(VAR_DIR / "ledger.key"))
LEDGER_WITNESSES = env_list("LEDGER_WITNESSES")  # "name+keyid+base64=URL" items
LEDGER_QUORUM = int(os.environ.get("LEDGER_QUORUM", "0"))
TSA_URL = os.environ.get("TSA_URL", "")

DEMO_MODE = env_bool("INNOREFORM_DEMO", False)

PORTAL_TITLE = _("InnoReform")
