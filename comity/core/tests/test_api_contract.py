"""The API's shared contract: JSON errors in one shape everywhere (404s included), bad pagination is a 400, and
the schema documents the shared error answers of every operation."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from comity.accounts.models import ApiToken
from comity.accounts.services import api_token_create


@pytest.fixture
def member_token(users):
    _token, raw = api_token_create(user=users["member"], name="contract", scope=ApiToken.Scope.READ)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/uploads/0/", "/api/v1/threads/abc/"])
def test_unknown_api_urls_answer_json_404(client, member_token, path):
    response = client.get(path, HTTP_TUS_RESUMABLE="1.0.0", **member_token)  # the header tus endpoints require
    assert response.status_code == 404
    assert _error(response) == {"status": 404, "code": "not_found", "message": response.json()["error"]["message"]}
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=%C2%B2", "page"),  # "²" passes str.isdigit() but is not a page number
        ("page=999", "page"),  # past the last page
        ("page_size=0", "page_size"),
        ("page_size=x", "page_size"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/countries/", "/api/v1/spaces/", "/api/v1/notifications/"])
def test_bad_pagination_is_a_400_naming_the_parameter(client, member_token, brazil, path, query, parameter):
    response = client.get(f"{path}?{query}", **member_token)
    assert response.status_code == 400
    error = _error(response)
    assert (error["status"], error["code"]) == (400, "invalid")
    assert list(error["fields"]) == [parameter]


def test_good_pagination_still_works(client, member_token, brazil, indonesia, france):
    response = client.get("/api/v1/countries/?page=1&page_size=2", **member_token)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    last = client.get("/api/v1/countries/?page=last&page_size=2", **member_token)
    assert last.status_code == 200
    assert len(last.json()["results"]) == 1
    capped = client.get("/api/v1/countries/?page_size=5000", **member_token)
    assert capped.status_code == 200
    assert len(capped.json()["results"]) == 3


def test_wrong_method_answers_json_405(client, member_token):
    response = client.delete("/api/v1/countries/", **member_token)
    assert response.status_code == 405
    assert _error(response)["status"] == 405


def test_schema_documents_the_shared_errors_of_every_operation(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            expected = {"400", "401", "403", "404", "429"}
            expected |= {"503"} if method == "get" else set()
            expected |= {"409", "413", "415"} if method in {"post", "put", "patch"} else set()
            absent = expected - set(operation["responses"])
            if absent:
                missing.append(f"{method.upper()} {path}: {sorted(absent)}")
    assert missing == []


def test_schema_marks_nullable_relations_nullable(db):
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["Space"]["properties"]["network"]["nullable"] is True
    assert schemas["Thread"]["properties"]["accepted_post"]["nullable"] is True
    assert schemas["Post"]["properties"]["quote_of"]["nullable"] is True


def test_schema_generates_without_warnings(db, tmp_path):
    """drf-spectacular warnings (enum name collisions, duplicate operation ids) fail `check --deploy` in CI."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
