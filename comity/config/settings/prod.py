"""Production: refuses to start without its secrets or with an insecure value."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from comity.config.env import env_list, env_required
from comity.config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 16  # "x" * 50 is long but not random
    or "insecure" in SECRET_KEY
    or SECRET_KEY.startswith(("dev-only", "test-only"))
):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters and not a development key.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names; '*' is refused.")
COMITY_MASTER_KEY = env_required("COMITY_MASTER_KEY")
if not env_required("DATABASE_URL").startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
try:
    _master = base64.b64decode(COMITY_MASTER_KEY, validate=True)
except (binascii.Error, ValueError) as exc:
    raise ImproperlyConfigured("COMITY_MASTER_KEY must be base64.") from exc
if len(_master) != 32:
    raise ImproperlyConfigured("COMITY_MASTER_KEY must decode to exactly 32 bytes (AES-256).")
if _master.startswith((b"dev-only", b"test-only")):
    raise ImproperlyConfigured("COMITY_MASTER_KEY is a development key.")
# Sign-in limits, API throttles and sessions must be shared by every worker on every host (ADR 0010):
# a per-process cache would give an attacker a fresh budget per worker and forget it at each restart.
if not env_required("REDIS_URL").startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must point at Redis (redis://, rediss:// or unix://) in production.")
