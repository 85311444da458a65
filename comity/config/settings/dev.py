"""Local development: `make serve`. Insecure conveniences are confined to this file."""

from comity.config.env import env_list, env_str
from comity.config.settings.base import *  # noqa: F403
from comity.config.settings.base import VAR_DIR
from comity.core.logging import logging_config

DEBUG = True
COMITY_ENVIRONMENT = "development"
SECRET_KEY = env_str("SECRET_KEY", "") or "dev-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# A fixed development key (base64 of 32 bytes) so that encrypted demo data survives restarts.
COMITY_MASTER_KEY = env_str("COMITY_MASTER_KEY", "") or "ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE="

# Static files straight from the apps' folders, without collectstatic: WhiteNoise finds them through the finders and
# looks again on every request (tests too, which run with DEBUG off). Production: base.py.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# The __Host- prefix requires Secure; plain names over http://127.0.0.1.
SESSION_COOKIE_NAME = "comity_session"
CSRF_COOKIE_NAME = "comity_csrf"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Operations (issue 14): readable logs in a terminal -----------------------------------------------------------
COMITY_LOG_FORMAT = env_str("COMITY_LOG_FORMAT", "text")
LOGGING = logging_config(log_format=COMITY_LOG_FORMAT, level=LOG_LEVEL)  # noqa: F405
