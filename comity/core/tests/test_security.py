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
    response = client.get("/en/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="password"' in body  # the page itself, not an error page
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


# The production settings' refusals are tested in comity/config/tests/test_prod_settings.py.


def test_production_cookie_and_transport_defaults():
    from comity.config.settings import base

    assert base.SESSION_COOKIE_NAME.startswith("__Host-")
    assert base.CSRF_COOKIE_NAME.startswith("__Host-")
    assert base.SESSION_COOKIE_SECURE and base.CSRF_COOKIE_SECURE and base.SECURE_SSL_REDIRECT
    assert base.SECURE_HSTS_SECONDS == 63072000  # two years, as the HSTS preload list asks for at least one


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
