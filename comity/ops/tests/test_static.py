"""Static files fingerprinted, pre-compressed and cached for long in production; pages and API answers compressed,
downloads of stored files left as they are."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from comity.files import services as file_services
from comity.files.demo import demo_pdf
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.testing import sign_in

PRODUCTION_STATIC = {
    **django_settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_production_settings_use_the_compressed_manifest_storage_and_whitenoise():
    from comity.config.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    position = {name: index for index, name in enumerate(base.MIDDLEWARE)}
    # WhiteNoise right after SecurityMiddleware (static answers get its headers, skip everything else); compression
    # outside every middleware that writes the body or sets cookies.
    assert position["whitenoise.middleware.WhiteNoiseMiddleware"] == (
        position["django.middleware.security.SecurityMiddleware"] + 1
    )
    assert (
        position["whitenoise.middleware.WhiteNoiseMiddleware"]
        < position["comity.config.compression.CompressionMiddleware"]
        < position["django.contrib.sessions.middleware.SessionMiddleware"]
    )


@pytest.fixture
def collected(tmp_path, settings):
    """collectstatic with the production storage into a fresh STATIC_ROOT, then DEBUG off as in production."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = PRODUCTION_STATIC
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", verbosity=0)
    return json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]


def test_static_files_are_fingerprinted_compressed_and_cached_for_a_year(collected, settings, db):
    hashed = collected["core/comity.css"]
    assert re.fullmatch(r"core/comity\.[0-9a-f]{12}\.css", hashed)
    assert (settings.STATIC_ROOT / f"{hashed}.gz").exists()

    page = Client().get("/en/accounts/login/")
    assert page.status_code == 200
    assert f'href="/static/{hashed}"' in page.content.decode()

    client = Client()
    response = client.get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert gzip.decompress(body) == (settings.STATIC_ROOT / hashed).read_bytes()

    plain = client.get(f"/static/{hashed}")
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == (settings.STATIC_ROOT / hashed).read_bytes()


def test_pages_and_api_answers_are_compressed_when_the_client_accepts_gzip(users):
    client = Client()
    page = client.get("/en/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert b"<!doctype html>" in gzip.decompress(page.content)

    api = client.get("/api/v1/countries/", HTTP_ACCEPT_ENCODING="gzip")
    assert api.status_code == 200
    assert api["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(api.content))["results"]) == 3  # Brazil, Indonesia, France
    plain = client.get("/en/accounts/login/")
    assert "Content-Encoding" not in plain


def test_static_files_are_served_without_collectstatic_in_development_and_tests(db):
    response = Client().get("/static/core/comity.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"/*")


def test_downloads_of_stored_files_are_not_compressed(users, tmp_path, settings):
    settings.COMITY_FILE_ROOT = tmp_path / "files"
    space = forum_services.space_create(actor=users["member"], kind=SpaceKind.PRIVATE, name="Compression")
    content = demo_pdf(lines=("plain text compresses well " * 40,))
    attachment = file_services.attachment_create(
        actor=users["member"], space=space, filename="a.pdf", content=[content]
    )
    client = sign_in(Client(), users["member"])
    response = client.get(f"/en/files/{attachment.pk}/download/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200, response.status_code
    assert "Content-Encoding" not in response
    assert response["Content-Length"] == str(len(content))
    assert b"".join(response.streaming_content) == content
