import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"bearerToken", "sessionCookie"}


def test_docs_are_self_hosted(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    assert "https://" not in body
    assert "<script>" not in body.replace(" ", "")


def test_error_shape_for_unauthenticated(client):
    response = client.get("/api/v1/me/")
    body = response.json()
    assert response.status_code == 401
    assert set(body) == {"error"}
    assert body["error"]["status"] == response.status_code
    assert body["error"]["code"] == "not_authenticated"


def test_throttling(users, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    client = Client()
    statuses = [client.get("/api/v1/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    import json

    body = json.loads(client.get("/api/v1/schema/?format=json").content)
    assert body["error"]["code"] == "throttled"
    assert body["error"]["retry_after_seconds"] >= 1
