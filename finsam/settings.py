"""Settings for finsam, read from the environment.

Development needs nothing set: SQLite in var/ and Celery on kombu's filesystem transport.
Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FINSAM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# pytest imports settings before any fixture can set the environment; tests get a throwaway key.
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY måste vara satt när DEBUG är av.")
    SECRET_KEY = "django-insecure-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "finsam",
    "forbund",
    "insatser",
    "ekonomi",
    "uppfoljning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "forbund.accounts.middleware.IdleSessionMiddleware",  # Django's, renewing idle sessions
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "finsam.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "forbund.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout flagged anywhere in the request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "finsam.urls"
WSGI_APPLICATION = "finsam.wsgi.application"
ASGI_APPLICATION = "finsam.asgi.application"

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
                "finsam.context_processors.navigation",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("DATABASE_URL måste vara satt när DEBUG är av (SQLite är för utveckling).")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'finsam.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "forbund.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before its password is checked.
    "forbund.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five wrong passwords lock the account, and separately the address,
# for 15 minutes; a right password resets the count. Tries during the lockout do not prolong it, so
# the page can say when it ends.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "forbund.accounts.views.lockout_response"  # Swedish, says when it lifts
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "forbund.accounts.backends.client_address"
# How many reverse proxies in front of the app append to X-Forwarded-For. Production runs behind the
# TLS proxy that docker-compose.yml asks for (1); without it every login would come from the proxy's
# address and five wrong passwords anywhere would lock everyone out.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0" if DEBUG or TESTING else "1"))

# Two-step verification (django-otp): required for samordnare, ekonom and platform administrators
# in production; the demo and the tests run without it (tests of it turn it on). A user who has set
# up a device is always asked for a code.
FINSAM_REQUIRE_2FA = env_bool("FINSAM_REQUIRE_2FA", default=not (DEBUG or TESTING))
OTP_TOTP_ISSUER = "finsam"

# Sessions: 8 hours idle, and gone when the browser closes unless "Kom ihåg mig" was ticked. Use
# renews a session at most once a minute (forbund.accounts.middleware.IdleSessionMiddleware) rather
# than with a database write on every request (SESSION_SAVE_EVERY_REQUEST).
SESSION_COOKIE_AGE = 8 * 3600
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
FINSAM_REMEMBER_ME_AGE = 7 * 24 * 3600

# Content Security Policy (django-csp): no inline script or style, nothing from other origins. The
# nonce is added only to pages whose template asks for `request.csp_nonce` (the minutes' print view,
# whose <style> WeasyPrint also reads); every other page gets plain 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Hashing strength is not what the tests are about; PBKDF2 would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["finsam.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads (finsam/uploads.py): no file larger than FILE_UPLOAD_MAX_BYTES is kept, the rest of it is
# read and dropped; spreadsheets are checked from the zip's directory before anything parses them.
# The proxy in front (client_max_body_size) should refuse far larger bodies before they reach Django.
FILE_UPLOAD_MAX_BYTES = int(os.environ.get("FILE_UPLOAD_MAX_BYTES", 25 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "finsam.uploads.LimitedUploadHandler",  # first: it stops chunks reaching the handlers after it
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields besides the files: 2.5 MB
XLSX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
XLSX_MAX_COMPRESSION_RATIO = 100
XLSX_MAX_SHEETS = 20
XLSX_MAX_ROWS = 100_000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "finsam <noreply@finsam.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the app is reached from outside, for links in e-mails sent without a request (reminders).
FINSAM_BASE_URL = os.environ.get("FINSAM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# `make bench` serves a bare view beside the pages to compare them with (finsam/management/commands/bench.py).
FINSAM_BENCH = env_bool("FINSAM_BENCH", default=False)

# The dashboard's table fragments ({% cache %}, keyed by forbund/aggregates.py's version) live in each
# process's memory: their keys carry the förbund's generation counter, so a change made through any
# process is seen by every process at once, and no cache server is needed. Room for every förbund's
# years in one installation, well beyond the default 300 entries.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which is a real
# cross-process broker that needs no server (the worker runs as its own process either way).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A page that queues work must not hang on an unreachable Redis (finsam/broker.py).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"socket_connect_timeout": 2}
else:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("processed", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
if TESTING:
    # Each pytest process (an xdist worker) has a queue of its own, which its worker tests empty
    # first: a worker started by one test never takes tasks queued by another process or by an
    # earlier test whose transaction was rolled back.
    CELERY_TASK_DEFAULT_QUEUE = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
# A job whose worker died is picked up again: acks_late redelivers it, and beat sweeps the rows
# (a running document whose worker stopped sending heartbeats is re-queued within about a minute).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-documents": {
        "task": "finsam.tasks.requeue_stale_documents",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    # What /halsa/ reads as the worker's heartbeat: proof that a worker takes tasks from the queue.
    "worker-heartbeat": {
        "task": "finsam.tasks.worker_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 30},
    },
    "publish-waiting-adoptions": {"task": "forbund.tasks.publish_waiting_adoptions", "schedule": 300.0},
    "remove-abandoned-ledger-uploads": {
        "task": "ekonomi.tasks.remove_abandoned_ledger_uploads",
        "schedule": 3600.0,
    },
    # Idempotent (each reminder is logged once), so it runs three times a working day in case beat
    # was down at one of them; reminders arrive in office hours.
    "send-report-reminders": {
        "task": "uppfoljning.tasks.send_report_reminders",
        "schedule": crontab(minute=0, hour="7,12,17"),
    },
    # Notifications whose e-mail task never reached the worker (the broker was down) go out here.
    "send-pending-notification-emails": {
        "task": "forbund.tasks.send_pending_notification_emails",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    "send-notification-digests": {
        "task": "forbund.tasks.send_notification_digests",
        "schedule": crontab(minute=0, hour=7),
    },
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SECURE_REDIRECT_EXEMPT = [r"^halsa/$"]  # the container healthcheck speaks plain HTTP
    SESSION_COOKIE_SECURE = not TESTING
    CSRF_COOKIE_SECURE = not TESTING
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs every layout step at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
