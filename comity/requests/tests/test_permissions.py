"""The permission matrix: a request is visible only to the people of the two authorities (and their coordinators);
a third country, the secretariat, observers and anonymous visitors get 404 (or sign-in). Denied writes change
nothing and write no audit event."""

from __future__ import annotations

import pytest

from comity.requests import services
from comity.requests.tests.conftest import Unchanged, complete_draft
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

SIGN_IN = 302


@pytest.fixture
def record(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    return services.draft_finalise(actor=people["br_member"], draft=draft)


@pytest.fixture
def draft(people, authorities):
    return complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])


SEE = {"br_member": 200, "br_colleague": 200, "br_coordinator": 200, "id_member": 200, "id_coordinator": 200}
HIDDEN = {"jp_member": 404, "fr_member": 404, "secretariat": 404, "observer": 404}


def test_request_pages(clients, record):
    pk = record.pk
    for url in (f"/en/requests/{pk}/", f"/en/requests/{pk}/letter/", f"/en/requests/{pk}/letter.docx"):
        check_matrix(clients, "get", url, {**SEE, **HIDDEN, "anonymous": SIGN_IN})


def test_request_api(clients, record):
    pk = record.pk
    for url in (f"/api/v1/requests/{pk}/", f"/api/v1/requests/{pk}/document/?format=docx"):
        check_matrix(clients, "get", url, {**SEE, **HIDDEN, "anonymous": 401})
    listing = {name: clients[name].get("/api/v1/requests/").json().get("count") for name in (*SEE, *HIDDEN)}
    assert listing == {**dict.fromkeys(SEE, 1), **dict.fromkeys(HIDDEN, 0)}


def test_denied_status_writes_change_nothing(clients, record):
    before = Unchanged(record)
    for name in ("jp_member", "fr_member", "secretariat", "observer"):
        assert (
            clients[name]
            .post(f"/api/v1/requests/{record.pk}/status/", {"status": "received"}, content_type="application/json")
            .status_code
            == 404
        )
        assert clients[name].post(f"/en/requests/{record.pk}/status/", {"status": "received"}).status_code == 404
        assert clients[name].post(f"/en/requests/{record.pk}/thread/").status_code == 404
    assert clients["anonymous"].post(f"/en/requests/{record.pk}/status/", {"status": "received"}).status_code == SIGN_IN
    before.check()


def test_draft_pages(clients, draft):
    pk = draft.pk
    author_only = {
        "br_member": 200,
        "br_colleague": 404,
        "br_coordinator": 404,
        "id_member": 404,
        "id_coordinator": 404,
        **HIDDEN,
        "anonymous": SIGN_IN,
    }
    for url in (
        f"/en/requests/drafts/{pk}/review/",
        f"/en/requests/drafts/{pk}/content/",
        f"/en/requests/drafts/{pk}/letter/",
        f"/en/requests/drafts/{pk}/annexes/",
    ):
        check_matrix(clients, "get", url, author_only)
    before = Unchanged(draft)
    for name in ("br_colleague", "id_member", "jp_member", "secretariat"):
        assert clients[name].post(f"/en/requests/drafts/{pk}/content/", {"facts": "x"}).status_code == 404
        assert clients[name].post(f"/en/requests/drafts/{pk}/finalise/").status_code == 404
        assert (
            clients[name].post("/api/v1/requests/", {"draft": pk}, content_type="application/json").status_code == 404
        )
    before.check()


def test_section_pages(clients, record):
    writers = {"br_member": 200, "id_member": 200, "jp_member": 200, "br_coordinator": 200}
    for url in ("/en/requests/", "/en/requests/register/", "/en/requests/drafts/new/"):
        check_matrix(clients, "get", url, {**writers, "secretariat": 404, "observer": 404, "anonymous": SIGN_IN})
    check_matrix(
        clients,
        "get",
        "/en/requests/counts/",
        {"secretariat": 200, "br_member": 404, "id_member": 404, "observer": 404, "anonymous": SIGN_IN},
    )
    page = clients["secretariat"].get("/en/requests/counts/").content.decode()
    assert "Mutual legal assistance" in page and "<td>1</td>" in page
    assert "Indonesia" not in page and "Bank Alpha" not in page
