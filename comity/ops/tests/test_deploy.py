"""deploy/: the systemd units pass `systemd-analyze verify` (and the nginx site `nginx -t`, where nginx is installed),
and the example environment names the variables production requires, each one documented in the README."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(settings.BASE_DIR)
VENV = Path(sys.prefix)
needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed (Debian package systemd)"
)


def run_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        [str(REPO / "deploy" / "check"), str(VENV)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_systemd
def test_the_systemd_units_and_the_nginx_site_pass_their_checks():
    done = run_check()
    assert done.returncode == 0, done.stderr
    assert "deploy/check: 4 systemd units verified" in done.stdout


@needs_systemd
def test_the_check_fails_on_a_unit_with_a_mistake(tmp_path):
    unit = (REPO / "deploy" / "systemd" / "comity-worker.service").read_text()
    (tmp_path / "comity-worker.service").write_text(unit.replace("Restart=always", "Restart=sometimes"))
    done = run_check(COMITY_UNITS_DIR=str(tmp_path))
    assert done.returncode == 1
    assert "Failed to parse service restart specifier" in done.stderr
    assert "systemd-analyze verify found problems" in done.stderr


def test_the_units_run_gunicorn_with_its_config_and_the_worker_command():
    web = (REPO / "deploy" / "systemd" / "comity-web.service").read_text()
    worker = (REPO / "deploy" / "systemd" / "comity-worker.service").read_text()
    assert "gunicorn -c python:comity.config.gunicorn comity.config.wsgi" in web
    assert "manage.py collectstatic --noinput" in web
    assert "--worker-class" not in "".join(line for line in web.splitlines() if not line.startswith("#"))
    assert "ExecStart=/opt/comity/.venv/bin/python manage.py worker\n" in worker
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/comity/comity.env" in unit
        assert "User=comity" in unit


def test_the_example_environment_names_every_required_variable_and_only_documented_ones():
    example = (REPO / "deploy" / "comity.env.example").read_text()
    names = re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, flags=re.MULTILINE)
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "COMITY_MASTER_KEY", "DATABASE_URL", "REDIS_URL"} <= set(names)
    assert re.search(r"^DJANGO_SETTINGS_MODULE=comity\.config\.settings\.prod$", example, flags=re.MULTILINE)
    readme = (REPO / "README.md").read_text()
    undocumented = [name for name in names if f"`{name}`" not in readme]
    assert undocumented == []
