"""Benchmark settings: development settings on a separate SQLite file (var/bench.sqlite3), so a benchmark
never touches the development database. COMITY_BENCH_DATABASE_URL points it at PostgreSQL instead."""

from comity.config.env import env_str
from comity.config.settings.dev import *  # noqa: F403
from comity.config.settings.dev import REST_FRAMEWORK, VAR_DIR

DEBUG = False  # DEBUG keeps every query in memory and renders slower error pages; measure the real thing
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The API throttles anonymous clients at 120 requests a minute; a benchmark is not an abuser.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000/min", "user": "1000000/min"}}

_URL = env_str("COMITY_BENCH_DATABASE_URL", "")
if _URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("COMITY_BENCH_DB", str(VAR_DIR / "bench.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
