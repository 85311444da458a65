"""`manage.py check --deploy` passes under the production settings with the environment CI uses, and the
production settings refuse to start without SECRET_KEY or REDIS_URL, naming the missing variable.

The child interpreter keeps the COVERAGE_* variables of this process, so coverage measures the settings module.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _ci_env() -> dict[str, str]:
    """The variables .ci/run sets for its `check --deploy` step (fresh random secrets, as there)."""
    return {
        "SECRET_KEY": "ci-throwaway-" + secrets.token_urlsafe(48).replace("-", "a").replace("_", "b"),
        "ALLOWED_HOSTS": "comity.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "COMITY_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DJANGO_SETTINGS_MODULE": "comity.config.settings.prod",
    }


def _manage(*args: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    env.update({k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")})
    env.update(_ci_env())
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_passes_with_the_ci_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "REDIS_URL"])
def test_refuses_to_start_without_a_required_variable(missing):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **{missing: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} is required in production." in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "REDIS_URL"])
def test_refuses_a_blank_required_variable(missing):
    result = _manage("check", **{missing: "   "})
    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production." in result.stderr


def test_refuses_a_redis_url_that_is_not_redis():
    result = _manage("check", REDIS_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "REDIS_URL must point at Redis" in result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 random characters"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list the site's host names"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
        ({"COMITY_MASTER_KEY": "not base64!"}, "COMITY_MASTER_KEY must be base64."),
        ({"COMITY_MASTER_KEY": base64.b64encode(b"x" * 16).decode()}, "must decode to exactly 32 bytes"),
        (
            {"COMITY_MASTER_KEY": base64.b64encode(b"dev-only" + b"k" * 24).decode()},
            "COMITY_MASTER_KEY is a development key.",
        ),
    ],
)
def test_check_refuses_an_insecure_value(override, message):
    result = _manage("check", **override)
    assert result.returncode != 0
    assert message in result.stderr
