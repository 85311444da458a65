"""The production settings refuse to start with a missing or insecure value (issue 10, section 8).

Each case imports `comity.config.settings.prod` in a fresh interpreter with a controlled environment (only
what the case sets, plus the interpreter's path), so that nothing from the developer's shell leaks in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

GOOD = {
    "SECRET_KEY": "k3N9vQ2xL7pR4tW8yB1cF6hJ0mS5dG2aZ7eU4iO9nX3qV8wT1rY6uP0sD5fH2jK",
    "ALLOWED_HOSTS": "comity.example.org",
    "COMITY_MASTER_KEY": "q7F1Jt3sVb9w0cYfLmN2pR5uX8zA4dG6hK1eT3yW0iQ=",
    "DATABASE_URL": "postgres://comity@127.0.0.1:5432/comity",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789"
TEST_SECRET_KEY = "test-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DEV_MASTER_KEY = "ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE="
TEST_MASTER_KEY = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="

PRINT_VALUES = (
    "import json, comity.config.settings.prod as s;"
    "print(json.dumps({'debug': s.DEBUG, 'cache': s.CACHES['default']['BACKEND'],"
    " 'location': s.CACHES['default']['LOCATION'], 'sessions': s.SESSION_ENGINE,"
    " 'hosts': s.ALLOWED_HOSTS, 'engine': s.DATABASES['default']['ENGINE']}))"
)


def _import_prod(code: str = "import comity.config.settings.prod", **overrides: str | None):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )


def test_starts_with_its_secrets_and_uses_the_shared_store():
    result = _import_prod(PRINT_VALUES)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "cache": "django.core.cache.backends.redis.RedisCache",
        "location": "redis://127.0.0.1:6379/0",
        "sessions": "django.contrib.sessions.backends.cache",
        "hosts": ["comity.example.org"],
        "engine": "django.db.backends.postgresql",
    }


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": None}, "The environment variable SECRET_KEY is required in production."),
        ({"SECRET_KEY": "   "}, "The environment variable SECRET_KEY is required in production."),
        ({"SECRET_KEY": "a-short-key-0123456789"}, "SECRET_KEY must be at least 50 random characters"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY must be at least 50 random characters"),
        ({"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY must be at least 50 random characters"),
        ({"SECRET_KEY": TEST_SECRET_KEY}, "SECRET_KEY must be at least 50 random characters"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list the site's host names; '*' is refused."),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list the site's host names; '*' is refused."),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list the site's host names; '*' is refused."),
        ({"ALLOWED_HOSTS": "comity.example.org,*"}, "ALLOWED_HOSTS must list the site's host names; '*' is refused."),
        ({"COMITY_MASTER_KEY": None}, "The environment variable COMITY_MASTER_KEY is required in production."),
        ({"COMITY_MASTER_KEY": DEV_MASTER_KEY}, "COMITY_MASTER_KEY is a development key."),
        ({"COMITY_MASTER_KEY": TEST_MASTER_KEY}, "COMITY_MASTER_KEY is a development key."),
        ({"COMITY_MASTER_KEY": "bm90IDMyIGJ5dGVz"}, "COMITY_MASTER_KEY must decode to exactly 32 bytes (AES-256)."),
        ({"COMITY_MASTER_KEY": "%%%"}, "COMITY_MASTER_KEY must be base64."),
        ({"DATABASE_URL": None}, "The environment variable DATABASE_URL is required in production."),
        ({"DATABASE_URL": "sqlite:///var/comity.sqlite3"}, "DATABASE_URL must point at PostgreSQL in production."),
        ({"DATABASE_URL": "mysql://comity@db/comity"}, "DATABASE_URL must point at PostgreSQL in production."),
        ({"REDIS_URL": None}, "The environment variable REDIS_URL is required in production."),
        ({"REDIS_URL": ""}, "The environment variable REDIS_URL is required in production."),
        ({"REDIS_URL": "memcached://127.0.0.1:11211"}, "REDIS_URL must point at Redis"),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else None,
)
def test_refuses_a_missing_or_insecure_value(override, message):
    result = _import_prod(**override)
    assert result.returncode == 1
    assert "django.core.exceptions.ImproperlyConfigured: " + message in result.stderr
