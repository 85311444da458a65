"""The library API: documents with their visibility, one document with its versions, the legal search with its
parameters, and the glossary."""

import datetime as dt

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from comity.core.search import SearchTimeout
from comity.core.search.hits import SearchHit
from comity.library import search
from comity.library.models import Visibility
from comity.library.tests.conftest import make_document
from comity.testing import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    return {"anonymous": APIClient(), "member": sign_in(APIClient(), users["member"])}


@pytest.fixture
def world(users, brazil):
    actor = users["secretariat"]
    return {
        "public": make_document(
            actor,
            title="Extradition guide",
            text="How extradition works.",
            group_key="extradition-guide",
            countries=[brazil],
            instruments=["untoc"],
            date=dt.date(2024, 5, 6),
        ),
        "members": make_document(
            actor,
            title="Guía de extradición",
            text="Solo para miembros: extradition.",
            language="es",
            group_key="extradition-guide",
            visibility=Visibility.MEMBERS,
        ),
    }


def test_documents_list_shows_visibility_and_hides_members_only(api, world):
    anonymous = api["anonymous"].get("/api/v1/documents/?q=extradition").json()
    assert (anonymous["count"], anonymous["count_capped"]) == (1, False)
    [row] = anonymous["results"]
    assert row == {
        "id": world["public"].pk,
        "kind": "guide",
        "title": "Extradition guide",
        "summary": "",
        "language": "en",
        "group_key": "extradition-guide",
        "date": "2024-05-06",
        "visibility": "public",
        "countries": ["BR"],
        "instruments": ["untoc"],
        "cooperation_types": [],
        "topics": [],
        "source": "",
        "filename": "doc.txt",
        "content_type": "text/plain; charset=utf-8",
        "size": 22,
        "sha256": world["public"].sha256,
        "text_note": "",
        "is_demo": False,
        "updated_at": row["updated_at"],
        "url": f"/en/legal/library/{world['public'].pk}/",
        "download_url": f"/en/legal/library/{world['public'].pk}/download/",
    }
    member = api["member"].get("/api/v1/documents/?q=extradition").json()
    assert sorted((r["id"], r["visibility"]) for r in member["results"]) == sorted(
        [(world["public"].pk, "public"), (world["members"].pk, "members")]
    )


def test_document_detail_lists_visible_versions_only(api, world):
    assert api["anonymous"].get(f"/api/v1/documents/{world['members'].pk}/").status_code == 404
    anonymous = api["anonymous"].get(f"/api/v1/documents/{world['public'].pk}/").json()
    assert anonymous["language_versions"] == []
    member = api["member"].get(f"/api/v1/documents/{world['public'].pk}/").json()
    assert member["language_versions"] == [
        {"id": world["members"].pk, "language": "es", "title": "Guía de extradición"}
    ]
    missing = api["anonymous"].get("/api/v1/documents/999999/")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


def test_documents_filters_and_bad_parameters(api, world):
    assert api["anonymous"].get("/api/v1/documents/?country=BR&instrument=untoc").json()["count"] == 1
    assert api["anonymous"].get("/api/v1/documents/?language=fr").json()["count"] == 0
    response = api["anonymous"].get("/api/v1/documents/?country=ZZ&kind=novel&colour=red")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"colour": ["Unknown parameter."]}
    response = api["anonymous"].get("/api/v1/documents/?country=ZZ&kind=novel")
    assert response.json()["error"]["fields"] == {
        "country": ["Unknown country."],
        "kind": ['"novel" is not a valid choice.'],
    }


def test_legal_search_merges_and_pages(api, world, fake_sources):
    fake_sources.instrument = [
        SearchHit(kind="instrument", key="untoc", title="UNTOC", url="/i/", text="extradition", score=1.0)
    ]
    body = api["anonymous"].get("/api/v1/legal-search/?q=extradition&page_size=1").json()
    assert (body["count"], body["count_capped"], body["page"], body["page_size"]) == (2, False, 1, 1)
    assert [(hit["kind"], hit["key"]) for hit in body["results"]] == [("document", str(world["public"].pk))]
    assert body["results"][0]["snippet"] == "How <mark>extradition</mark> works."
    assert body["results"][0]["visibility"] == "public"
    second = api["anonymous"].get("/api/v1/legal-search/?q=extradition&page_size=1&page=2").json()
    assert [(hit["kind"], hit["key"]) for hit in second["results"]] == [("instrument", "untoc")]
    member = api["member"].get("/api/v1/legal-search/?q=extradition").json()
    assert member["count"] == 3


def test_legal_search_bad_parameters_are_named(api):
    response = api["anonymous"].get(
        "/api/v1/legal-search/?q=x&country=ZZ&instrument=nope&type=gossip&language=xx&from=2024-13-01&to=yesterday&kind=cat"
    )
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == [
        "country",
        "from",
        "instrument",
        "kind",
        "language",
        "to",
        "type",
    ]
    swapped = api["anonymous"].get("/api/v1/legal-search/?from=2024-02-01&to=2024-01-01")
    assert swapped.json()["error"]["fields"] == {"to": ["The end date is before the start date."]}
    unknown = api["anonymous"].get("/api/v1/legal-search/?q=x&countri=BR")
    assert unknown.json()["error"]["fields"] == {"countri": ["Unknown parameter."]}


def test_legal_search_timeout_is_a_503(api, monkeypatch):
    def too_slow(**kwargs):
        raise SearchTimeout

    monkeypatch.setattr(search, "legal_search", too_slow)
    response = api["anonymous"].get("/api/v1/legal-search/?q=x")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "status": 503,
        "code": "search_timeout",
        "message": "The search took too long. Add words or filters to narrow it, and try again.",
    }


def test_glossary_api():
    call_command("load_glossary", verbosity=0)
    client = APIClient()
    body = client.get("/api/v1/glossary/?q=rogatory").json()
    assert body["count"] == 1
    [term] = body["results"]
    assert term["key"] == "letter_rogatory"
    assert term["terms"]["fr"] == "commission rogatoire"
    assert term["terms"]["zh-hans"] == "司法委托书"
    assert term["verified"] is False
    assert sorted(term["definitions"]) == ["en"]
    letter = client.get("/api/v1/glossary/?letter=д&language=ru").json()
    assert [t["terms"]["ru"] for t in letter["results"]] == [
        "данные о трафике",
        "дипломатические заверения",
        "дипломатические каналы",
        "договор о взаимной правовой помощи",
        "доходы от преступлений",
    ]
    assert client.get("/api/v1/glossary/?language=xx").status_code == 400


def test_schema_is_valid():
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/legal-search/" in body and "/api/v1/glossary/" in body
