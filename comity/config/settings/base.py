"""Settings shared by every environment. Secure values are the defaults; dev and test relax them."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from comity.config.env import env_bool, env_int, env_list, env_str
from comity.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = BASE_DIR / "comity"
VAR_DIR = Path(env_str("COMITY_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY: str = env_str("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    "comity.core.apps.ComityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "comity.core",
    "comity.reference",
    "comity.audit",
    "comity.mail",
    "comity.accounts",
    "comity.directory",
    "comity.legalprofiles",
    "comity.treaties",
    "comity.forum",
    "comity.files",
    "comity.library",
    "comity.notifications",
    "comity.meetings",
    "comity.planner",
    "comity.teams",
    "comity.requests",
    "comity.portal",
    "comity.ops",
    "comity.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (fingerprinted, pre-compressed, cached for a year) are answered here, before the rest runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers are compressed (downloads of stored files are not: see comity/config/compression.py).
    "comity.config.compression.CompressionMiddleware",
    "comity.core.middleware.RequestContextMiddleware",
    "comity.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comity.accounts.middleware.OTPMiddleware",
    "comity.accounts.middleware.SessionLifetimeMiddleware",
    "comity.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "comity.config.urls"
WSGI_APPLICATION = "comity.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Django's form renderer, with the plain widgets written without the template engine (comity/core/formrender.py).
FORM_RENDERER = "comity.core.formrender.FormRenderer"
# Django's model backend, with the signed-in user's row kept between requests (comity/accounts/kept.py).
AUTHENTICATION_BACKENDS = ["comity.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "comity.core.jinja2env.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "comity.core.context_processors.site",
            ],
        },
    },
    {
        # The Django template language is kept for the admin and library templates only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "comity.sqlite3"),
            # IMMEDIATE makes concurrent writers queue instead of failing; the audit chain relies on it.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, rate limits ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "comity",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "comity"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Idle timeout: a session ends 30 minutes after the last activity recorded. Activity is recorded at most once a
# minute (accounts/middleware.py), so a page view does not write the session: it is saved only when it changes.
SESSION_IDLE_TIMEOUT = env_int("COMITY_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("COMITY_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sensitive actions ask for the password and a code again when the last check is older than this.
REAUTH_MAX_AGE = env_int("COMITY_REAUTH_SECONDS", 10 * 60)

# --- Passwords (NIST SP 800-63B: length, blocklist, no composition rules) --------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "comity.accounts.validators.ContextSpecificPasswordValidator"},
    {"NAME": "comity.accounts.validators.MaximumLengthValidator"},
]
PASSWORD_RESET_TIMEOUT = env_int("COMITY_PASSWORD_RESET_SECONDS", 60 * 60)
INVITATION_VALIDITY_DAYS = 7
RECOVERY_CODE_COUNT = 10
API_TOKEN_DEFAULT_DAYS = env_int("COMITY_API_TOKEN_DAYS", 90)

# Sign-in throttling: after LOGIN_FREE_ATTEMPTS failures the key is locked for a delay that doubles.
LOGIN_FREE_ATTEMPTS = env_int("COMITY_LOGIN_FREE_ATTEMPTS", 5)
LOGIN_BASE_LOCK_SECONDS = env_int("COMITY_LOGIN_BASE_LOCK_SECONDS", 60)
LOGIN_MAX_LOCK_SECONDS = env_int("COMITY_LOGIN_MAX_LOCK_SECONDS", 60 * 60)
# Higher than the per-account budget: one person's typos must not lock out everyone behind one address.
LOGIN_IP_FREE_ATTEMPTS = env_int("COMITY_LOGIN_IP_FREE_ATTEMPTS", 50)
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("COMITY_PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_IP_LIMIT = env_int("COMITY_PASSWORD_RESET_IP_LIMIT", 20)
PASSWORD_RESET_LIMIT_WINDOW = env_int("COMITY_PASSWORD_RESET_LIMIT_SECONDS", 3600)

OTP_TOTP_ISSUER = "Comity"

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("zh-hans", _("Simplified Chinese")),
    ("ar", _("Arabic")),
    ("pt", _("Portuguese")),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "comity_language"
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Directory ---------------------------------------------------------------------------------------
# Records are due for confirmation after this many days; reminders after 0 and 14 days, escalation at 30.
DIRECTORY_CONFIRMATION_DAYS = env_int("COMITY_DIRECTORY_CONFIRMATION_DAYS", 182)
DIRECTORY_SECOND_REMINDER_DAYS = 14
DIRECTORY_ESCALATION_DAYS = 30

# --- Background tasks (django-tasks, database backend: `manage.py db_worker`) ---------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# --- Secure file exchange (encrypted at rest; see docs/files-protocol.md) -------------------------------------
COMITY_FILE_ROOT = Path(env_str("COMITY_FILE_ROOT", str(VAR_DIR / "media" / "files")))
COMITY_MAX_UPLOAD_BYTES = env_int("COMITY_MAX_UPLOAD_BYTES", 2 * 1024**3)
COMITY_UPLOAD_EXPIRY_HOURS = env_int("COMITY_UPLOAD_EXPIRY_HOURS", 72)
# Refuse (415) files with active content (JavaScript or a launch action in a PDF, HTML markup) instead of
# accepting them with a warning to everyone who downloads them.
COMITY_FILES_REFUSE_ACTIVE_CONTENT = env_bool("COMITY_FILES_REFUSE_ACTIVE_CONTENT", False)

# --- Forum --------------------------------------------------------------------------------------------
# A LibreTranslate-compatible service; empty turns the "translate" action off. Nothing from an AMBER or RED
# thread is sent unless the service is marked self-hosted.
COMITY_TRANSLATE_URL = env_str("COMITY_TRANSLATE_URL", "")
COMITY_TRANSLATE_API_KEY = env_str("COMITY_TRANSLATE_API_KEY", "")
COMITY_TRANSLATE_SELF_HOSTED = env_bool("COMITY_TRANSLATE_SELF_HOSTED", False)
COMITY_TRANSLATE_TIMEOUT = env_int("COMITY_TRANSLATE_TIMEOUT", 10)
FORUM_QUESTION_REMINDER_BUSINESS_DAYS = env_int("COMITY_QUESTION_REMINDER_BUSINESS_DAYS", 3)

# --- Reverse proxies ------------------------------------------------------------------------------
# How many reverse proxies in front of Comity append to X-Forwarded-For. 0 (default) trusts no header and
# uses the socket address; behind one nginx, set 1 so that rate limits and audit see the real client IP.
TRUSTED_PROXY_COUNT = env_int("COMITY_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COMITY_TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Static files (all self-hosted) --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("COMITY_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Production: `manage.py collectstatic` writes every file under a name with its content hash (comity.3f2a...css),
# plus .gz copies; WhiteNoise serves them with a one-year, immutable cache lifetime, and templates link the hashed
# names, so an upgrade never serves stale CSS or JavaScript. Development and tests use the plain storage (dev.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A reference in CSS to a file that does not exist fails collectstatic instead of shipping a broken link.
WHITENOISE_MANIFEST_STRICT = True
MEDIA_ROOT = VAR_DIR / "media"

# --- E-mail ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL: str = env_str("DEFAULT_FROM_EMAIL", "Comity <no-reply@comity.invalid>")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
COMITY_BASE_URL: str = env_str("COMITY_BASE_URL", "http://127.0.0.1:8000")

# --- Web security (production values; dev/test relax a few) ---------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-comity_session"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-comity_csrf"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Encryption at rest -----------------------------------------------------------------------------
# Base64 of 32 random bytes; wraps per-object keys (AES-256-GCM). Required in production.
COMITY_MASTER_KEY = env_str("COMITY_MASTER_KEY", "")

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "comity.accounts.api.authentication.BearerTokenAuthentication",
        "comity.accounts.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["comity.core.api.permissions.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "comity.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "comity.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("COMITY_API_ANON_RATE", "120/min"),
        "user": env_str("COMITY_API_USER_RATE", "600/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Comity API",
    "DESCRIPTION": "Directory, legal portal and cooperation network of competent national authorities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "comity.core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TlpEnum": "comity.forum.api.serializers.TLP_CHOICES",
        "SpaceKindEnum": "comity.forum.api.serializers.SPACE_KIND_CHOICES",
        "ThreadKindEnum": "comity.forum.api.serializers.THREAD_KIND_CHOICES",
        "CooperationTypeEnum": "comity.legalprofiles.choices.CooperationType",
        "InstrumentKindEnum": "comity.treaties.models.Kind",
        "DocumentKindEnum": "comity.library.models.DocumentKind",
        "LegalHitKindEnum": "comity.library.search.HIT_KINDS",
    },
}


# Which kind of deployment this is; demo data is refused in production.
COMITY_ENVIRONMENT = "production"
DEMO_PASSWORD = env_str("COMITY_DEMO_PASSWORD", "Brasilia-to-Jakarta-2026")
DEMO_TOTP_SECRET = env_str("COMITY_DEMO_TOTP_SECRET", "JBSWY3DPEHPK3PXP")

# --- Operations (issue 14): the worker, object storage, logs, readiness and metrics ---------------------------
# Logs: one JSON object per line (production) or readable text (dev and test set "text").
COMITY_LOG_FORMAT = env_str("COMITY_LOG_FORMAT", "json")
if COMITY_LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COMITY_LOG_FORMAT must be json or text.")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = logging_config(log_format=COMITY_LOG_FORMAT, level=LOG_LEVEL)
# Where encrypted files live: "local" (COMITY_FILE_ROOT, the default) or "s3" (any S3-compatible object store).
COMITY_FILE_STORE = env_str("COMITY_FILE_STORE", "local")
COMITY_S3_BUCKET = env_str("COMITY_S3_BUCKET", "")
COMITY_S3_PREFIX = env_str("COMITY_S3_PREFIX", "comity/")
COMITY_S3_ENDPOINT_URL = env_str("COMITY_S3_ENDPOINT_URL", "")
COMITY_S3_REGION = env_str("COMITY_S3_REGION", "us-east-1")
COMITY_S3_ACCESS_KEY_ID = env_str("COMITY_S3_ACCESS_KEY_ID", "")
COMITY_S3_SECRET_ACCESS_KEY = env_str("COMITY_S3_SECRET_ACCESS_KEY", "")
if COMITY_FILE_STORE not in {"local", "s3"} or (COMITY_FILE_STORE == "s3" and not COMITY_S3_BUCKET):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("COMITY_FILE_STORE must be local, or s3 with COMITY_S3_BUCKET set.")
# The worker (`manage.py worker`): alerts (a broken audit chain) go to the log and to these addresses.
COMITY_ALERT_EMAILS = env_list("COMITY_ALERT_EMAILS", [])
# /readyz: a worker must have reported within this many seconds, no queued task may wait longer than the
# second limit, and at most this many outbox rows may have failed for good.
COMITY_READY_HEARTBEAT_SECONDS = env_int("COMITY_READY_HEARTBEAT_SECONDS", 60)
COMITY_READY_TASK_AGE_SECONDS = env_int("COMITY_READY_TASK_AGE_SECONDS", 300)
COMITY_READY_FAILED_OUTBOX = env_int("COMITY_READY_FAILED_OUTBOX", 0)
# /metrics (Prometheus): open to a bearer token, or to addresses in these networks; closed when both are empty.
COMITY_METRICS_TOKEN = env_str("COMITY_METRICS_TOKEN", "")
COMITY_METRICS_ALLOWED_NETWORKS = env_list("COMITY_METRICS_ALLOWED_NETWORKS", [])
# Each process adds its request counts to the shared rows at most this often (at the end of a request).
COMITY_METRICS_FLUSH_SECONDS = 5
MIDDLEWARE.insert(
    MIDDLEWARE.index("comity.accounts.middleware.OTPMiddleware") + 1, "comity.ops.middleware.AccessMiddleware"
)
