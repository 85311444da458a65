"""Test settings: the suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

from comity.config.settings.dev import *  # noqa: F403

DEBUG = False
COMITY_ENVIRONMENT = "test"
SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
COMITY_MASTER_KEY = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="
# Fast hashing keeps the suite quick; production uses argon2id (tested separately).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not REDIS_URL:  # noqa: F405 - with REDIS_URL (CI's third run) the production cache and cache sessions are used
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min"}}  # noqa: F405
if not DATABASE_URL:  # noqa: F405
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:", "TEST": {"NAME": ":memory:"}}}
# django-otp adds its own per-device delay after a failure; our limiter is tested instead.
OTP_TOTP_THROTTLE_FACTOR = 0
# Tasks run at once in tests (the database worker is exercised by its own test).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Encrypted test files go to a throw-away folder, never into var/.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

COMITY_FILE_ROOT = Path(tempfile.mkdtemp(prefix="comity-test-files-"))

# --- Operations (issue 14) -----------------------------------------------------------------------------------------
# Request metrics reach the database only when /metrics is read, so that query counts stay exact.
COMITY_METRICS_FLUSH_SECONDS = 0
