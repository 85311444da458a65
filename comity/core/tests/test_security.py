import os
import subprocess
import sys

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_security_headers(client):
    response = client.get("/en/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response["X-Request-ID"]


def test_pages_reference_no_other_origin(client):
    body = client.get("/en/accounts/login/").content.decode()
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in body
    assert "<script>" not in body and "onclick=" not in body and "style=" not in body


def test_request_id_is_kept_when_well_formed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-trace")
    assert response["X-Request-ID"] == "abc12345-trace"
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>"


def test_csrf_is_enforced(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/accounts/login/", {"email": users["member"].email, "password": "x"})
    assert response.status_code == 403


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_api_unknown_endpoint_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@override_settings(DEBUG=False)
def test_server_error_page_never_leaks(client, monkeypatch):
    from comity.reference import selectors

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "portal_stats", boom)
    client.raise_request_exception = False
    response = client.get("/en/")
    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    assert "Something went wrong" in response.content.decode()


PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "comity.config.settings.prod",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-value-0123456789",
    "ALLOWED_HOSTS": "comity.example.org",
    "COMITY_MASTER_KEY": "q7F1Jt3sVb9w0cYfLmN2pR5uX8zA4dG6hK1eT3yW0iQ=",
    "DATABASE_URL": "postgres://comity@127.0.0.1:5432/comity",
}


def _prod_check(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in PROD_ENV}
    env.update(PROD_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )


def test_production_starts_with_its_secrets():
    result = _prod_check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": "*"}, "'*' is refused"),
        ({"COMITY_MASTER_KEY": None}, "COMITY_MASTER_KEY is required"),
        ({"COMITY_MASTER_KEY": "bm90IDMyIGJ5dGVz"}, "exactly 32 bytes"),
        ({"COMITY_MASTER_KEY": "%%%"}, "must be base64"),
        ({"DATABASE_URL": None}, "DATABASE_URL is required"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "must point at PostgreSQL"),
    ],
)
def test_production_refuses_insecure_configuration(override, message):
    result = _prod_check(**override)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_cookie_and_transport_defaults():
    from comity.config.settings import base

    assert base.SESSION_COOKIE_NAME.startswith("__Host-")
    assert base.CSRF_COOKIE_NAME.startswith("__Host-")
    assert base.SESSION_COOKIE_SECURE and base.CSRF_COOKIE_SECURE and base.SECURE_SSL_REDIRECT
    assert base.SECURE_HSTS_SECONDS >= 31536000


def test_client_ip_behind_trusted_proxy(rf, settings):
    from comity.core.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"


def test_client_ip_ignores_malformed_addresses(rf, settings):
    from comity.core.middleware import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.5:4431", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", REMOTE_ADDR="not-an-ip")) is None
