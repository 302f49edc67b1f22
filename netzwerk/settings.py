"""Netzwerk settings: one module, production behaviour switched by environment variables.

Every value that differs between a laptop and a deployment is read from the environment
(see `.env.example`); unset variables give a working local set-up with no servers.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
import django_stubs_ext
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from netzwerk.observability import init_sentry, logging_config

# Lets ModelForm[Contact] and QuerySet[Contact] be written at run time, as mypy reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_positive_int(name: str, default: int) -> int:
    value = int(os.environ.get(name) or default)
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, not {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# ---------------------------------------------------------------- GENERAL
DEBUG = env_bool("DJANGO_DEBUG", False)
DATA_DIR = Path(os.environ.get("NETZWERK_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set unless DJANGO_DEBUG=true.")
    SECRET_KEY = "insecure-local-development-key-not-for-production-use-0123456789"
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [urlsplit(SITE_URL).hostname or "localhost"]
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]
SITE_IS_HTTPS = SITE_URL.startswith("https://")

# ---------------------------------------------------------------- APPS
INSTALLED_APPS = [
    "netzwerk.accounts.admin_apps.StaffAdminConfig",  # django.contrib.admin, without coaches
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "netzwerk.accounts",
    "contacts",
    "touchpoints",
    "reminders",
    "privacy",
    "coaching",
    "imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "netzwerk.http.PermissionsPolicyMiddleware",
    "netzwerk.http.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "netzwerk.http.NoStoreForSignedInMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "netzwerk.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # after allauth's: coaches and staff enrol a second factor before anything else opens
    "netzwerk.accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "netzwerk.urls"
WSGI_APPLICATION = "netzwerk.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

FORM_RENDERER = "netzwerk.forms.FormRenderer"

# ---------------------------------------------------------------- DATABASES
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "netzwerk.sqlite3"),
            # IMMEDIATE takes the write lock when a transaction starts, so the roster
            # lock (select_for_update is a no-op on SQLite) still serialises promotions.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

# ---------------------------------------------------------------- CACHE AND CELERY
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # allauth keeps rate limits in the cache: it must be shared by every process.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "netzwerk_cache",
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = DATA_DIR / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }

CELERY_TIMEZONE = "UTC"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
HEARTBEAT_SECONDS = float(os.environ.get("NETZWERK_HEARTBEAT_SECONDS", "60"))
# /healthz fails when beat's heartbeat is older than this (beat or every worker is down).
HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS = float(
    os.environ.get("NETZWERK_HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS", str(max(300.0, 3 * HEARTBEAT_SECONDS)))
)
DIGEST_SWEEP_SECONDS = float(os.environ.get("NETZWERK_DIGEST_SWEEP_SECONDS", "300"))
# A digest claimed this long ago and still unsent was abandoned (its worker died): claim it again.
DIGEST_CLAIM_TIMEOUT_SECONDS = float(os.environ.get("NETZWERK_DIGEST_CLAIM_TIMEOUT_SECONDS", "600"))
# A digest queued this long and not yet begun is queued again (its task may be lost: a flushed
# broker); a duplicate task finds the claim taken and sends nothing. Above Celery's retry backoff.
DIGEST_REQUEUE_SECONDS = float(os.environ.get("NETZWERK_DIGEST_REQUEUE_SECONDS", "120"))
# Retention: how long what nobody needs any more is kept (shown under Settings → Your data).
RETAIN_ACCESS_LOG_MONTHS = env_positive_int("NETZWERK_RETAIN_ACCESS_LOG_MONTHS", 13)
RETAIN_DIGEST_RUNS_DAYS = env_positive_int("NETZWERK_RETAIN_DIGEST_RUNS_DAYS", 90)
# Days after a snooze ended or a done birthday passed (reminders.retention); at least 1.
RETAIN_REMINDER_STATES_DAYS = env_positive_int("NETZWERK_RETAIN_REMINDER_STATES_DAYS", 30)
RETAIN_ABANDONED_IMPORTS_DAYS = env_positive_int("NETZWERK_RETAIN_ABANDONED_IMPORTS_DAYS", 7)
RETENTION_SWEEP_SECONDS = float(os.environ.get("NETZWERK_RETENTION_SWEEP_SECONDS", "3600"))
# The deletion ledger's copy outside the database (privacy.ledger): one JSON line per erased
# account, read by `manage.py reapply_erasures` after a backup is restored. Keep it on storage
# that a database restore does not roll back (docs/backups.md).
ERASURE_LEDGER_PATH = Path(
    os.environ.get("NETZWERK_ERASURE_LEDGER_PATH", DATA_DIR / "ledger" / "erasures.jsonl")
)
# The export of a user's data (privacy.jobs): how long a prepared ZIP may be downloaded, and how
# many a user may ask for in 24 hours (each is a full read of the account, done by a worker).
RETAIN_EXPORTS_HOURS = env_positive_int("NETZWERK_RETAIN_EXPORTS_HOURS", 24)
EXPORTS_PER_DAY = env_positive_int("NETZWERK_EXPORTS_PER_DAY", 3)
EXPORT_SWEEP_SECONDS = float(os.environ.get("NETZWERK_EXPORT_SWEEP_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {
    # every minute: proves that beat ticks and a worker consumes
    "heartbeat": {"task": "reminders.tasks.heartbeat", "schedule": HEARTBEAT_SECONDS},
    # every five minutes: claims and enqueues the digests whose local hour has come
    "digest-sweep": {"task": "reminders.tasks.sweep_digests", "schedule": DIGEST_SWEEP_SECONDS},
    # every quarter hour: imports whose reading was lost are queued again, a day's uploads dropped
    "import-sweep": {"task": "imports.tasks.sweep", "schedule": 900.0},
    # every hour: each deletes a bounded batch of what is past its period; a backlog drains over runs
    "forget-access-log-and-sessions": {
        "task": "netzwerk.accounts.tasks.forget_old",
        "schedule": RETENTION_SWEEP_SECONDS,
    },
    "forget-digest-runs-and-reminder-states": {
        "task": "reminders.tasks.forget_old",
        "schedule": RETENTION_SWEEP_SECONDS,
    },
    "forget-abandoned-imports": {
        "task": "imports.tasks.forget_abandoned",
        "schedule": RETENTION_SWEEP_SECONDS,
    },
    "forget-expired-exports": {"task": "privacy.tasks.forget_expired", "schedule": RETENTION_SWEEP_SECONDS},
    # every five minutes: exports whose task was lost are queued again, or given up after a few tries
    "export-sweep": {"task": "privacy.tasks.sweep", "schedule": EXPORT_SWEEP_SECONDS},
}

# ---------------------------------------------------------------- EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Netzwerk <netzwerk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def mailer_from_url(url: str) -> dict[str, object]:
    """`smtp://user:pass@host:port?tls=true`, `console://` or `file:///path` to a MAILERS entry."""
    if not url or url.startswith("console:"):
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": parts.path or str(DATA_DIR / "mail")},
        }
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL scheme must be smtp, smtps, console or file: {url!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": query.get("tls", "false").lower() == "true",
            # Django's SMTP backend otherwise waits forever on a stuck server.
            "timeout": 20,
        },
    }


MAILERS = {"default": mailer_from_url(EMAIL_URL)}

# ---------------------------------------------------------------- AUTH
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reminders:today"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Netzwerk: "  # as the digest's subject: one way for every mail
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_IS_HTTPS else "http"
ACCOUNT_ADAPTER = "netzwerk.accounts.adapter.AccountAdapter"
# Coaches and staff must enrol a second factor (RequireMFAMiddleware); any user may.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_ADAPTER = "netzwerk.accounts.adapter.MFAAdapter"  # secrets encrypted at rest
MFA_TOTP_ISSUER = "Netzwerk"
MFA_TOTP_TOLERANCE = 0
# Browsers allow WebAuthn on http://localhost only; a deployment serves https.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))

# A coach refused more reads of others' data than this in one window is probing ids: the
# coach site answers 429 to the next refusals of the window (refusals of the coach's own clients,
# which their access log shows, do not count).
COACH_REFUSALS_LIMIT = 20
COACH_REFUSALS_WINDOW = timedelta(minutes=10)

# ---------------------------------------------------------------- I18N
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- STATIC
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# ---------------------------------------------------------------- SECURITY
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SITE_IS_HTTPS
# The language cookie (set_language, when signed out) as the others: no script reads it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if SITE_IS_HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # compose's healthcheck asks over plain HTTP inside the container
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from any peer. gunicorn
    # believes it from the proxy's address only (FORWARDED_ALLOW_IPS, gunicorn.conf.py) and
    # passes the result as wsgi.url_scheme, which Django reads when the setting is unset.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Netzwerk uses no camera, microphone, location, payment or device access; security keys only,
# for the second factor (allauth.mfa's WebAuthn), on its own origin.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
} | {"publickey-credentials-get": ["self"], "publickey-credentials-create": ["self"]}
# Flash messages live in the session, not in a cookie of their own: they may name a contact, and
# a signed cookie is readable by anyone holding it; the session cookie is already `__Host-` and
# Secure under https. (Django's default, FallbackStorage, writes a `messages` cookie first.)
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# ---------------------------------------------------------------- LOGGING
# Production: one JSON object per line on stderr, for the operator's log collector; a developer
# reads plain lines. gunicorn's own lines follow the same rule (gunicorn.conf.py).
LOGGING = logging_config(json_lines=not DEBUG, level=os.environ.get("DJANGO_LOG_LEVEL", "INFO"))
LOGGING["loggers"] = {"django.db.backends": {"level": "INFO"}}

# Unhandled errors and ERROR log records go to Sentry when a DSN is set, without personal data.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    init_sentry(SENTRY_DSN)
