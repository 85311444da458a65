"""One set of input rules for the pages, the CSV import and the API: text longer than the database holds is refused
(never cut), with a message naming the limit, and nothing is written."""

import pytest

from comity.directory import inputs
from comity.directory.importexport.csv_import import Mode
from comity.directory.models import Contact
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.directory.tests.test_api import token_client
from comity.directory.tests.test_api_writes import NEW_AUTHORITY, NEW_CONTACT, Unchanged, patch, post
from comity.directory.tests.test_import import HEADER, NEW_BR, run
from comity.directory.tests.test_pages_edit import AUTHORITY, CONTACT, errors_html

pytestmark = pytest.mark.django_db

CLOSURE = {"start_date": "2026-12-24", "end_date": "2026-12-26"}


@pytest.fixture
def authority(brazil):
    return AuthorityFactory(country=brazil, official_name="Ministério da Justiça (demo)", phone="+55 61 1")


@pytest.fixture
def contact(authority):
    return ContactFactory(seat__authority=authority, name="Ana Demo", title="Director")


def test_the_limits_are_the_databases():
    assert inputs.max_lengths(inputs.AuthorityInput) == {
        "official_name": 300,
        "names": 300,
        "email": 254,
        "phone": 40,
        "website": 200,
        "timezone": 64,
        "holiday_subdivision": 10,
    }
    assert inputs.max_lengths(inputs.NewContactInput) == {
        "name": 200,
        "title": 200,
        "phone": 40,
        "mobile": 40,
        "email": 254,
        "secure_channel": 200,
        "timezone": 64,
        "seat_title": 200,
    }


# --- the API -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"official_name": "x" * 301}, {"official_name": ["At most 300 characters."]}),
        ({"names": {"fr": "x" * 301}}, {"names": ["At most 300 characters."]}),
        ({"phone": "1" * 41}, {"phone": ["At most 40 characters."]}),
        ({"closures": [{**CLOSURE, "reason": "x" * 201}]}, {"closures": ["At most 200 characters."]}),
        (
            {"official_name": "x" * 301, "phone": "1" * 41},
            {"official_name": ["At most 300 characters."], "phone": ["At most 40 characters."]},
        ),
    ],
)
def test_api_refuses_over_long_authority_text(users, authority, change, fields):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    for response in (
        patch(client, f"/api/v1/authorities/{authority.pk}/", change),
        post(client, "/api/v1/authorities/", {**NEW_AUTHORITY, **change}),
    ):
        assert response.json() == {
            "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": fields}
        }
    unchanged.check()


def test_api_keeps_text_at_the_limit_whole(users, authority):
    client = token_client(users["coordinator"], scope="write")
    response = patch(
        client,
        f"/api/v1/authorities/{authority.pk}/",
        {"official_name": "x" * 300, "closures": [{**CLOSURE, "reason": "y" * 200}]},
    )
    assert response.status_code == 200
    authority.refresh_from_db()
    assert (authority.official_name, [c.reason for c in authority.closures.all()]) == ("x" * 300, ["y" * 200])


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": "x" * 201}, {"name": ["At most 200 characters."]}),
        ({"seat_title": "x" * 201}, {"seat_title": ["At most 200 characters."]}),
        ({"mobile": "9" * 41}, {"mobile": ["At most 40 characters."]}),
    ],
)
def test_api_refuses_an_over_long_new_contact(users, authority, change, fields):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    response = post(client, "/api/v1/contacts/", {**NEW_CONTACT, "authority": authority.pk, **change})
    assert (response.status_code, response.json()["error"]["fields"]) == (400, fields)
    unchanged.check()
    assert not Contact.objects.exists()


def test_api_refuses_an_over_long_contact_change(users, contact):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(contact)
    response = patch(client, f"/api/v1/contacts/{contact.pk}/", {"title": "x" * 201, "phone": "+55 61 7"})
    assert (response.status_code, response.json()["error"]["fields"]) == (400, {"title": ["At most 200 characters."]})
    unchanged.check()


def test_schema_documents_the_same_limits(client):
    components = client.get("/api/v1/schema/", {"format": "json"}).json()["components"]["schemas"]
    authority = components["AuthorityWriteRequest"]["properties"]
    assert (
        authority["official_name"]["maxLength"],
        authority["phone"]["maxLength"],
        authority["names"]["additionalProperties"]["maxLength"],
    ) == (300, 40, 300)
    assert components["ClosureRequest"]["properties"]["reason"]["maxLength"] == 200
    assert components["ContactWriteRequest"]["properties"]["seat_title"]["maxLength"] == 200


# --- the pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"official_name": "x" * 301}, "official_name", "At most 300 characters."),
        ({"name_fr": "x" * 301}, "name_fr", "At most 300 characters."),
        ({"phone": "1" * 41}, "phone", "At most 40 characters."),
        ({"closures": "2026-12-24 2026-12-31 " + "x" * 201}, "closures", "At most 200 characters."),
    ],
)
def test_authority_page_refuses_over_long_text(personas, authority, change, field, message):
    unchanged = Unchanged(authority)
    response = personas["coordinator"].post(f"/en/directory/authorities/{authority.pk}/edit/", {**AUTHORITY, **change})
    body = response.content.decode()
    assert response.status_code == 400
    assert errors_html(field, message) in body
    assert body.count('<ul class="errors"') == 1
    unchanged.check()


def test_authority_page_tells_the_browser_the_limits(personas):
    page = personas["coordinator"].get("/en/directory/authorities/new/").content.decode()
    assert '<input type="text" name="official_name" maxlength="300" required id="id_official_name">' in page
    assert '<input type="text" name="name_fr" maxlength="300" id="id_name_fr">' in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "x" * 201}, "name", "At most 200 characters."),
        ({"seat_title": "x" * 201}, "seat_title", "At most 200 characters."),
        ({"secure_channel": "x" * 201}, "secure_channel", "At most 200 characters."),
    ],
)
def test_contact_page_refuses_over_long_text(personas, authority, change, field, message):
    unchanged = Unchanged(authority)
    response = personas["coordinator"].post(
        f"/en/directory/authorities/{authority.pk}/contacts/new/", {**CONTACT, **change}
    )
    assert response.status_code == 400
    assert errors_html(field, message) in response.content.decode()
    unchanged.check()
    assert not Contact.objects.exists()


# --- the CSV import ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"official_name": "x" * 301}, "official_name", "At most 300 characters (this cell has 301)."),
        ({"names_fr": "x" * 302}, "names_fr", "At most 300 characters (this cell has 302)."),
        ({"timezone": "x" * 65}, "timezone", "At most 64 characters (this cell has 65)."),
    ],
)
def test_csv_row_with_an_over_long_cell_is_refused(users, authority, change, column, message):
    unchanged = Unchanged(authority)
    report = run(users["coordinator"], [NEW_BR, {**NEW_BR, **change}], Mode.APPLY, header=[*HEADER, "names_fr"])
    assert not report.applied
    assert [(row.status, [(error.column, error.message) for error in row.errors]) for row in report.rows] == [
        ("create", []),
        ("error", [(column, message)]),
    ]
    unchanged.check()
