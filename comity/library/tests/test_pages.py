"""The library's pages: permission matrix, members-only documents never leaking, forms, downloads, conditional
GETs and constant query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comity.audit.models import AuditEvent
from comity.core.search import SearchTimeout
from comity.library import search
from comity.library.models import Document, DocumentTag, Visibility
from comity.library.tests.conftest import make_document, pdf_bytes
from comity.testing import Unchanged, check_matrix

pytestmark = pytest.mark.django_db

EVERYONE = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat", "observer")


class LibraryUnchanged(Unchanged):
    tables = (Document, DocumentTag)


@pytest.fixture
def world(users, brazil, indonesia):
    actor = users["secretariat"]
    public_en = make_document(
        actor,
        title="Model request",
        text="A model request for mutual legal assistance.",
        group_key="model-request",
        countries=[brazil],
        date=dt.date(2024, 1, 1),
    )
    public_fr = make_document(
        actor, title="Modèle de demande", text="Un modèle.", language="fr", group_key="model-request"
    )
    members_es = make_document(
        actor,
        title="Modelo reservado",
        text="Texto reservado a los miembros: TOPSECRETWORD.",
        language="es",
        group_key="model-request",
        visibility=Visibility.MEMBERS,
    )
    brazil_law = make_document(actor, title="Lei de cooperação", text="Lei.", language="pt", countries=[brazil])
    return {"en": public_en, "fr": public_fr, "members": members_es, "brazil_law": brazil_law}


def url(name, *args):
    return reverse(f"library:{name}", args=args)


def test_read_matrix(personas, world):
    all_ok = dict.fromkeys(EVERYONE, 200)
    members_ok = {**all_ok, "anonymous": 404}
    check_matrix(personas, "get", url("document_list"), all_ok)
    check_matrix(personas, "get", url("search") + "?q=model", all_ok)
    check_matrix(personas, "get", url("glossary"), all_ok)
    check_matrix(personas, "get", url("document_detail", world["en"].pk), all_ok)
    check_matrix(personas, "get", url("document_download", world["en"].pk), all_ok)
    check_matrix(personas, "get", url("document_detail", world["members"].pk), members_ok)
    check_matrix(personas, "get", url("document_download", world["members"].pk), members_ok)
    check_matrix(personas, "get", url("document_detail", 999999), dict.fromkeys(EVERYONE, 404))


def test_write_matrix_get(personas, world):
    signed_in_404 = {"member": 404, "member_other": 404, "observer": 404, "coordinator_other": 404}
    check_matrix(
        personas,
        "get",
        url("document_create"),
        {"anonymous": 302, **signed_in_404, "coordinator": 200, "coordinator_other": 200, "secretariat": 200},
    )
    edit = {"anonymous": 302, **signed_in_404, "coordinator": 200, "secretariat": 200}
    check_matrix(personas, "get", url("document_edit", world["brazil_law"].pk), edit)
    check_matrix(personas, "get", url("document_delete", world["brazil_law"].pk), edit)
    untagged = {**edit, "coordinator": 404}
    check_matrix(personas, "get", url("document_edit", world["fr"].pk), untagged)
    glossary = {"anonymous": 302, **signed_in_404, "coordinator": 404, "secretariat": 200}
    from comity.library import services

    services.glossary_load()
    check_matrix(personas, "get", url("glossary_edit", "central_authority"), glossary)
    check_matrix(personas, "get", url("glossary_edit", "no_such_term"), {"secretariat": 404})


def test_refused_writes_change_nothing(personas, world):
    document = world["brazil_law"]
    before = LibraryUnchanged(document)
    expected = {"anonymous": 302, "member": 404, "member_other": 404, "coordinator_other": 404, "observer": 404}
    check_matrix(personas, "post", url("document_edit", document.pk), expected, data={"title": "Hacked"})
    check_matrix(personas, "post", url("document_delete", document.pk), expected)
    del expected["coordinator_other"]  # may add documents about Indonesia
    data = {"title": "New", "kind": "law", "language": "en", "visibility": "public"}
    check_matrix(personas, "post", url("document_create"), expected, data=data)
    check_matrix(
        personas,
        "post",
        url("glossary_edit", "central_authority"),
        {**expected, "coordinator": 404},
        data={"term_en": "Hacked"},
    )
    before.check()


def test_members_only_document_does_not_leak_to_anonymous_pages(personas, world):
    anonymous = personas["anonymous"]
    for page in (url("document_list"), url("search") + "?q=modelo", url("document_detail", world["en"].pk)):
        body = anonymous.get(page).content.decode()
        assert "Modelo reservado" not in body
        assert "TOPSECRETWORD" not in body
    body = anonymous.get(url("search") + "?q=topsecretword").content.decode()
    assert "0 results" in body
    body = personas["member"].get(url("search") + "?q=topsecretword").content.decode()
    assert "1 result" in body and "<mark>TOPSECRETWORD</mark>" in body


def test_detail_links_the_language_versions(personas, world):
    body = personas["member"].get(url("document_detail", world["en"].pk)).content.decode()
    assert f'href="{url("document_detail", world["fr"].pk)}" lang="fr" hreflang="fr">French: Modèle de demande' in body
    assert f'href="{url("document_detail", world["members"].pk)}" lang="es"' in body
    anonymous = personas["anonymous"].get(url("document_detail", world["en"].pk)).content.decode()
    assert f'href="{url("document_detail", world["fr"].pk)}"' in anonymous
    assert f'href="{url("document_detail", world["members"].pk)}"' not in anonymous


def test_list_filters_and_bad_filters(personas, world):
    client = personas["anonymous"]
    body = client.get(url("document_list") + "?country=BR").content.decode()
    assert "Model request" in body and "Lei de cooperação" in body and "Modèle de demande" not in body
    body = client.get(url("document_list") + "?language=fr").content.decode()
    assert "Modèle de demande" in body and "Model request" not in body
    response = client.get(url("document_list") + "?country=ZZ&date_from=2024-02-01&date_to=2024-01-01")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown country." in body and "The end date is before the start date." in body


def test_search_page_bad_parameters_and_timeout(personas, world, monkeypatch):
    client = personas["anonymous"]
    response = client.get(url("search") + "?instrument=nonsense&type=gossip")
    assert response.status_code == 400
    assert "Unknown instrument." in response.content.decode()
    assert "Unknown type of cooperation." in response.content.decode()

    def too_slow(**kwargs):
        raise SearchTimeout

    monkeypatch.setattr(search, "legal_search", too_slow)
    response = client.get(url("search") + "?q=model")
    assert response.status_code == 503
    assert "The search took too long." in response.content.decode()


def test_search_page_shows_kinds_and_highlights(personas, world):
    body = personas["anonymous"].get(url("search") + "?q=model").content.decode()
    # Accents are folded (issue 11): "model" finds the French "Modèle" too; the members-only "Modelo" is neither
    # shown nor counted.
    assert '<h2 id="results-heading">2 results</h2>' in body
    assert "<mark>Modèl</mark>e de demande" in body
    assert '<span class="tag">Document</span> <span class="tag">English</span>' in body
    assert '<a href="/en/legal/library/{}/" lang="en"><mark>Model</mark> request</a>'.format(world["en"].pk) in body
    member = personas["member"].get(url("search") + "?q=model").content.decode()
    assert '<h2 id="results-heading">3 results</h2>' in member


def test_download_headers(personas, world):
    response = personas["anonymous"].get(url("document_download", world["en"].pk))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename=\"doc.txt\"; filename*=UTF-8''doc.txt"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == b"A model request for mutual legal assistance."
    assert AuditEvent.objects.filter(action="library.document_downloaded").count() == 0  # public: not audited
    again = personas["anonymous"].get(url("document_download", world["en"].pk), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    members = personas["member"].get(url("document_download", world["members"].pk))
    assert members["Cache-Control"] == "no-store, private"
    assert b"".join(members.streaming_content) == b"Texto reservado a los miembros: TOPSECRETWORD."
    assert AuditEvent.objects.filter(action="library.document_downloaded").count() == 1


def test_upload_through_the_form(personas, world, brazil):
    data = {
        "file": SimpleUploadedFile("guide.pdf", pdf_bytes("Guide on freezing")),
        "title": "Guide on freezing",
        "kind": "guide",
        "language": "en",
        "visibility": "members",
        "countries": ["BR"],
        "instruments": ["untoc"],
        "cooperation_types": ["asset_recovery"],
        "topics": "freezing, banks",
        "date": "2025-01-02",
    }
    response = personas["coordinator"].post(url("document_create"), data)
    document = Document.objects.get(title="Guide on freezing")
    assert response.status_code == 302
    assert response["Location"] == url("document_detail", document.pk)
    assert (document.visibility, document.text, document.created_by_id) == (
        "members",
        "Guide on freezing",
        personas["coordinator"].session["_auth_user_id"] and int(personas["coordinator"].session["_auth_user_id"]),
    )
    assert document.tag_values("topic") == ["banks", "freezing"]


def test_upload_form_refuses_bad_file_and_keeps_the_input(personas, world):
    before = LibraryUnchanged()
    data = {
        "file": SimpleUploadedFile("law.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        "title": "My law",
        "kind": "law",
        "language": "en",
        "visibility": "public",
    }
    response = personas["secretariat"].post(url("document_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This file looks like a Windows program" in body
    assert 'value="My law"' in body
    before.check()


def test_coordinator_cannot_tag_another_country_through_the_form(personas, world, indonesia):
    data = {
        "file": SimpleUploadedFile("a.txt", b"text"),
        "title": "Indonesian law",
        "kind": "law",
        "language": "en",
        "visibility": "public",
        "countries": ["ID"],
    }
    before = LibraryUnchanged()
    response = personas["coordinator"].post(url("document_create"), data)
    assert response.status_code == 400
    assert "Select a valid choice. ID is not one of the available choices." in response.content.decode()
    before.check()


def test_edit_and_delete_through_the_pages(personas, world, brazil):
    document = world["brazil_law"]
    data = {"title": "Lei revista", "kind": "law", "language": "pt", "visibility": "public", "countries": ["BR"]}
    response = personas["coordinator"].post(url("document_edit", document.pk), data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Lei revista"
    assert personas["coordinator"].post(url("document_delete", document.pk)).status_code == 302
    assert personas["anonymous"].get(url("document_detail", document.pk)).status_code == 404


def test_language_version_form_is_prefilled(personas, world):
    body = personas["secretariat"].get(url("document_create") + f"?version_of={world['en'].pk}").content.decode()
    assert 'value="model-request"' in body


# --- conditional GETs and query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["document_list", "glossary"])
def test_public_pages_answer_304(personas, world, name):
    from comity.library import services

    services.glossary_load()
    client = personas["anonymous"]
    response = client.get(url(name))
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    assert client.get(url(name), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(url(name), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_detail_and_search_answer_304(personas, world):
    client = personas["anonymous"]
    detail = client.get(url("document_detail", world["en"].pk))
    assert client.get(url("document_detail", world["en"].pk), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    page = client.get(url("search") + "?q=model")
    assert client.get(url("search") + "?q=model", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304


def test_etag_changes_when_a_document_changes(personas, world, users):
    client = personas["anonymous"]
    first = client.get(url("document_list"))["ETag"]
    make_document(users["secretariat"], title="Another")
    assert client.get(url("document_list"), HTTP_IF_NONE_MATCH=first).status_code == 200


def test_a_hidden_document_gets_no_etag(personas, world):
    response = personas["anonymous"].get(url("document_detail", world["members"].pk))
    assert response.status_code == 404
    assert "ETag" not in response


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path", ["/en/legal/library/", "/en/legal/search/?q=model", "/en/legal/search/?q=model&country=BR"]
)
def test_constant_queries_as_data_grows(nothing_kept, personas, users, brazil, indonesia, path):
    client = personas["member"]
    for number in range(3):
        make_document(users["secretariat"], title=f"Model {number}", countries=[brazil], instruments=["untoc"])
    small = _queries(client, path)
    for number in range(3, 30):
        make_document(
            users["secretariat"],
            title=f"Model {number}",
            countries=[brazil, indonesia],
            instruments=["untoc", "uncac"],
            topics=["a", "b"],
            visibility=Visibility.MEMBERS if number % 2 else Visibility.PUBLIC,
        )
    assert _queries(client, path) == small


def test_search_page_in_arabic_chinese_and_russian_interfaces(personas, users):
    make_document(users["secretariat"], title="دليل التسليم", text="نص عن تسليم المجرمين.", language="ar")
    make_document(users["secretariat"], title="引渡指南", text="关于引渡的说明。", language="zh-hans")
    make_document(users["secretariat"], title="Руководство по выдаче", text="О выдаче.", language="ru")
    client = personas["anonymous"]
    arabic = client.get("/ar/legal/search/?q=المجرمين").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<p lang="ar">نص عن تسليم <mark>المجرمين</mark>.</p>' in arabic
    chinese = client.get("/zh-hans/legal/search/?q=引渡").content.decode()
    assert "<mark>引渡</mark>指南" in chinese
    russian = client.get("/ru/legal/search/?q=ВЫДАЧЕ&language=ru").content.decode()
    assert "Руководство по <mark>выдаче</mark>" in russian


def test_capped_counts_on_the_pages(personas, users, monkeypatch):
    from comity.core.search import limits

    for number in range(3):
        make_document(users["secretariat"], title=f"Extradition note {number}", text="extradition")
    monkeypatch.setattr(limits, "COUNT_CAP", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    client = personas["anonymous"]
    assert "More than 2 documents" in client.get(url("document_list")).content.decode()
    body = client.get(url("search") + "?q=extradition").content.decode()
    assert '<h2 id="results-heading">More than 2 results</h2>' in body
    assert "Only the best matches of each kind are ranked here." in body
