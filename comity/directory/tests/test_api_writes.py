"""Directory API, writes: who may create and change authorities and contacts, and every rejected input.

After each denied or rejected write: the record is as it was, and no audit event or version was written.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from comity import testing
from comity.audit.models import AuditAction, AuditEvent
from comity.directory import services
from comity.directory.models import Authority, Contact, RecordVersion
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.directory.tests.test_api import token_client
from comity.testing import sign_in

pytestmark = pytest.mark.django_db

NEW_AUTHORITY = {
    "country": "BR",
    "official_name": "Secretaria Nacional de Justiça (demo)",
    "names": {"en": "National Secretariat of Justice (demo)", "ar": "الأمانة الوطنية للعدل (تجريبي)"},
    "competences": [
        {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": "Criminal matters"},
        {"code": "asset_recovery", "instrument": "uncac_46_13"},
    ],
    "languages_accepted": ["pt", "en"],
    "channels": ["direct", "electronic"],
    "urgent_channels": ["email"],
    "untoc_mla_basis": True,
    "timezone": "America/Sao_Paulo",
    "office_hours": [
        {"weekday": 0, "opens": "09:00", "closes": "12:30"},
        {"weekday": 0, "opens": "14:00", "closes": "18:00"},
        {"weekday": 4, "opens": "22:00", "closes": "24:00"},
        {"weekday": 5, "opens": "00:00", "closes": "02:00"},
    ],
    "closures": [{"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "Recess"}],
}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


class Unchanged(testing.Unchanged):
    """The directory's records with their related rows, and the directory's tables (plus the audit log)."""

    tables = (Authority, Contact, RecordVersion)

    @staticmethod
    def snapshot(record):
        if isinstance(record, Authority):
            return services.authority_snapshot(Authority.objects.get(pk=record.pk))
        return services.contact_snapshot(Contact.objects.get(pk=record.pk))


@pytest.fixture
def authority(brazil):
    return AuthorityFactory(country=brazil, official_name="Ministério da Justiça (demo)", phone="+55 61 1")


@pytest.fixture
def contact(authority):
    return ContactFactory(seat__authority=authority, name="Ana Demo", phone="+55 61 3")


# --- create an authority ---------------------------------------------------------------------------------------


def test_coordinator_creates_an_authority_for_their_country(users):
    client = token_client(users["coordinator"], scope="write")
    response = post(client, "/api/v1/authorities/", NEW_AUTHORITY)
    assert response.status_code == 201, response.content
    body = response.json()
    created = Authority.objects.get()
    assert body["id"] == created.pk
    assert {key: body[key] for key in NEW_AUTHORITY if key not in ("competences", "names")} == {
        key: value for key, value in NEW_AUTHORITY.items() if key not in ("competences", "names")
    } | {"languages_accepted": ["en", "pt"]}
    assert body["names"] == NEW_AUTHORITY["names"]
    assert body["competences"] == [
        {"code": "asset_recovery", "instrument": "uncac_46_13", "scope_notes": ""},
        {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": "Criminal matters"},
    ]
    assert (body["freshness"], body["contacts"], body["is_active"]) == (
        {"days": 0, "due": False, "overdue_days": 0},
        [],
        True,
    )
    event = AuditEvent.objects.get(action=AuditAction.AUTHORITY_CREATED)
    assert (event.actor_id, event.country_code) == (users["coordinator"].pk, "BR")
    assert RecordVersion.objects.get(record_type="authority", record_id=created.pk).action == "created"


def test_secretariat_creates_for_any_country(users, indonesia):
    client = token_client(users["secretariat"], scope="write")
    response = post(client, "/api/v1/authorities/", {**NEW_AUTHORITY, "country": "ID", "timezone": "Asia/Jakarta"})
    assert (response.status_code, response.json()["country"]) == (201, "ID")


def test_verified_session_writes_with_its_csrf_token(users):
    client = sign_in(Client(enforce_csrf_checks=True), users["coordinator"])
    response = post(client, "/api/v1/authorities/", NEW_AUTHORITY)
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("CSRF Failed")
    assert not Authority.objects.exists()
    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(
        "/api/v1/authorities/", NEW_AUTHORITY, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert response.status_code == 201
    assert Authority.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "code", "message"),
    [
        ("anonymous", 401, "Authentication credentials were not provided."),
        ("read_token", 403, "This token's scope does not allow this method; create a token with the write scope."),
        ("member", 403, "You do not have permission to perform this action."),
        ("member_token", 403, "You do not have permission to perform this action."),
        ("liaison", 403, "You do not have permission to perform this action."),
        ("coordinator_other", 403, "You do not have permission to perform this action."),
        ("coordinator_other_token", 403, "You do not have permission to perform this action."),
    ],
)
def test_denied_authority_creation_writes_nothing(personas, users, brazil, who, code, message):
    clients = {
        "read_token": lambda: token_client(users["coordinator"], "read"),
        "member_token": lambda: token_client(users["member"], "write"),
        "coordinator_other_token": lambda: token_client(users["coordinator_other"], "write"),
    }
    client = clients[who]() if who in clients else personas[who]
    unchanged = Unchanged()
    response = post(client, "/api/v1/authorities/", NEW_AUTHORITY)
    assert (response.status_code, response.json()["error"]["message"]) == (code, message)
    unchanged.check()


def test_a_plain_member_is_refused_before_validation(personas):
    """Someone who may not write at all learns nothing from validation messages."""
    response = post(personas["member"], "/api/v1/authorities/", {"timezone": "Mars/Base"})
    assert response.status_code == 403


OVERLAP = [{"weekday": 1, "opens": "09:00", "closes": "13:00"}, {"weekday": 1, "opens": "12:00", "closes": "17:00"}]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"timezone": "Mars/Base"},
            {"timezone": ["Unknown time zone Mars/Base; use an IANA name such as Europe/Paris."]},
        ),
        ({"timezone": "UTC+3"}, {"timezone": ["Unknown time zone UTC+3; use an IANA name such as Europe/Paris."]}),
        ({"office_hours": OVERLAP}, {"office_hours": ["Intervals overlap on weekday 1: 09:00-13:00 and 12:00-17:00."]}),
        (
            {"office_hours": [{"weekday": 2, "opens": "18:00", "closes": "09:00"}]},
            {
                "office_hours": [
                    "Interval 1: closes must be later than opens; split a shift past midnight into two intervals "
                    "(22:00-24:00 "
                    "and 00:00-02:00 the next day)."
                ]
            },
        ),
        (
            {"office_hours": [{"weekday": 7, "opens": "09:00", "closes": "17:00"}]},
            {"office_hours": ["Interval 1: weekday must be a whole number from 0 (Monday) to 6 (Sunday)."]},
        ),
        (
            {"office_hours": [{"weekday": 0, "opens": "9am", "closes": "17:00"}]},
            {"office_hours": ["Interval 1: times must be written HH:MM (24-hour clock; closes may be 24:00)."]},
        ),
        (
            {"languages_accepted": ["pt", "xx", "english"]},
            {"languages_accepted": ["Unknown language code(s): xx, english. Use ISO 639-1 codes such as en, fr, pt."]},
        ),
        (
            {"competences": [{"code": "piracy"}]},
            {
                "competences": [
                    "Unknown competence piracy. Allowed: mla_central, extradition, sentenced_transfer, "
                    "proceedings_transfer, "
                    "asset_recovery, cybercrime_24_7, migrant_smuggling_sea, firearms, cultural_property, jit."
                ]
            },
        ),
        ({"competences": []}, {"competences": ["An authority needs at least one competence."]}),
        (
            {"channels": ["pigeon"]},
            {"channels": ["Unknown code(s): pigeon. Allowed: diplomatic, direct, electronic, interpol, network."]},
        ),
        (
            {"closures": [{"start_date": "2026-12-31", "end_date": "2026-12-01"}]},
            {"closures": ["A closure cannot end before it starts."]},
        ),
        ({"country": "ZZ"}, {"country": ["Unknown country code ZZ."]}),
        ({"email": "not an email"}, {"email": ["Enter a valid e-mail address."]}),
        ({"always_available": "yes"}, {"always_available": ["Must be true or false."]}),
        ({"timezon": "Europe/Paris"}, {"timezon": ["Unknown field."]}),
        (
            {"timezone": "Mars/Base", "languages_accepted": ["xx"]},
            {
                "languages_accepted": ["Unknown language code(s): xx. Use ISO 639-1 codes such as en, fr, pt."],
                "timezone": ["Unknown time zone Mars/Base; use an IANA name such as Europe/Paris."],
            },
        ),
    ],
)
def test_rejected_authority_input_names_the_field(users, authority, change, fields):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    for response in (
        patch(client, f"/api/v1/authorities/{authority.pk}/", change),
        post(client, "/api/v1/authorities/", {**NEW_AUTHORITY, **change}),
    ):
        assert response.status_code == 400
        assert response.json() == {
            "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": fields}
        }
    unchanged.check()


@pytest.mark.parametrize("body", [[NEW_AUTHORITY], '"text"', 42, "null"])
def test_body_must_be_an_object(users, body):
    response = post(token_client(users["secretariat"], scope="write"), "/api/v1/authorities/", body)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid", "message": "The request body must be a JSON object."}
    }


def test_malformed_json_is_a_parse_error(users):
    response = post(token_client(users["secretariat"], scope="write"), "/api/v1/authorities/", '{"country": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert not Authority.objects.exists()


def test_a_form_body_is_not_accepted(personas):
    response = personas["secretariat"].post("/api/v1/authorities/", {"country": "BR"})
    assert (response.status_code, response.json()["error"]["code"]) == (415, "unsupported_media_type")


def test_missing_required_fields_on_create(users):
    response = post(token_client(users["secretariat"], scope="write"), "/api/v1/authorities/", {"country": "BR"})
    assert response.json()["error"]["fields"] == {
        "official_name": ["The official name is required."],
        "competences": ["An authority needs at least one competence."],
        "timezone": ["The time zone is required (an IANA name such as Europe/Paris)."],
    }
    assert not Authority.objects.exists()


# --- change an authority -----------------------------------------------------------------------------------------


def test_coordinator_patches_their_authority(users, authority):
    client = token_client(users["coordinator"], scope="write")
    response = patch(
        client,
        f"/api/v1/authorities/{authority.pk}/",
        {
            "phone": "+55 61 2",
            "always_available": True,
            "office_hours": [{"weekday": 5, "opens": "08:00", "closes": "12:00"}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["phone"], body["always_available"], body["office_hours"]) == (
        "+55 61 2",
        True,
        [{"weekday": 5, "opens": "08:00", "closes": "12:00"}],
    )
    assert body["official_name"] == "Ministério da Justiça (demo)"  # untouched
    event = AuditEvent.objects.get(action=AuditAction.AUTHORITY_UPDATED)
    assert event.details["fields"] == ["always_available", "office_hours", "phone"]


def test_patch_without_changes_writes_nothing(users, authority):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    assert patch(client, f"/api/v1/authorities/{authority.pk}/", {"phone": "+55 61 1"}).status_code == 200
    unchanged.check()


def test_put_accepts_the_body_of_a_get(users, authority, contact):
    client = token_client(users["coordinator"], scope="write")
    body = client.get(f"/api/v1/authorities/{authority.pk}/").json()
    unchanged = Unchanged(authority)
    response = put(client, f"/api/v1/authorities/{authority.pk}/", body)
    assert response.status_code == 200
    unchanged.check()
    body["official_name"] = "Ministério da Justiça e Segurança Pública (demo)"
    body["office_hours"] = []
    response = put(client, f"/api/v1/authorities/{authority.pk}/", body)
    assert (response.json()["official_name"], response.json()["office_hours"]) == (
        "Ministério da Justiça e Segurança Pública (demo)",
        [],
    )


def test_put_needs_every_field(users, authority):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    response = put(
        client,
        f"/api/v1/authorities/{authority.pk}/",
        {"country": "BR", "official_name": "X", "competences": ["jit"], "timezone": "UTC"},
    )
    missing = "This field is required when replacing the whole record (PUT); use PATCH to change some fields."
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        name: [missing]
        for name in (
            "names",
            "languages_accepted",
            "channels",
            "urgent_channels",
            "untoc_mla_basis",
            "untoc_extradition_basis",
            "postal_address",
            "email",
            "phone",
            "website",
            "holiday_subdivision",
            "office_hours",
            "always_available",
            "closures",
            "is_active",
        )
    }
    unchanged.check()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", 401),
        ("read_token", 403),  # the scope is checked before anything else
        ("member", 404),
        ("member_other", 404),
        ("liaison", 404),
        ("coordinator_other", 404),  # may read the authority, may not edit it: answered like a missing record
        ("coordinator_other_token", 404),
        ("moderator", 404),
        ("observer", 404),
    ],
)
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_denied_authority_change_writes_nothing(personas, users, authority, who, code, method):
    clients = {
        "read_token": lambda: token_client(users["coordinator"], "read"),
        "coordinator_other_token": lambda: token_client(users["coordinator_other"], "write"),
    }
    client = clients[who]() if who in clients else personas[who]
    body = personas["secretariat"].get(f"/api/v1/authorities/{authority.pk}/").json()
    body["phone"] = "+62 21 9"
    unchanged = Unchanged(authority)
    response = getattr(client, method.lower())(
        f"/api/v1/authorities/{authority.pk}/", body, content_type="application/json"
    )
    assert response.status_code == code
    unchanged.check()


def test_coordinator_cannot_move_an_authority_to_another_country(users, authority, indonesia):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    response = patch(client, f"/api/v1/authorities/{authority.pk}/", {"country": "ID"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "permission_denied")
    unchanged.check()


def test_inactive_authority_can_be_edited_by_its_coordinator_only(personas, users, authority):
    authority.is_active = False
    authority.save(update_fields=["is_active"])
    assert (
        patch(personas["coordinator_other"], f"/api/v1/authorities/{authority.pk}/", {"phone": "9"}).status_code == 404
    )
    response = patch(personas["coordinator"], f"/api/v1/authorities/{authority.pk}/", {"is_active": True})
    assert (response.status_code, response.json()["is_active"]) == (200, True)


def test_unsupported_methods(personas, authority, contact):
    assert personas["secretariat"].delete(f"/api/v1/authorities/{authority.pk}/").status_code == 405
    assert put(personas["secretariat"], f"/api/v1/contacts/{contact.pk}/", {"name": "X"}).status_code == 405
    assert personas["secretariat"].delete(f"/api/v1/contacts/{contact.pk}/").status_code == 405
    assert post(personas["secretariat"], f"/api/v1/authorities/{authority.pk}/availability/", {}).status_code == 405


# --- contacts ----------------------------------------------------------------------------------------------------

NEW_CONTACT = {
    "name": "Bruno Demo",
    "title": "Prosecutor",
    "languages": ["pt", "es"],
    "phone": "+55 61 4",
    "mobile": "+55 61 9 4",
    "email": "Bruno@MJ.gov.example",
    "secure_channel": "bruno@secure.example",
    "timezone": "America/Manaus",
    "always_available": True,
    "start_date": "2026-02-01",
    "visibility": {"phone": "network", "email": "public"},
}


def test_coordinator_adds_a_contact(users, authority):
    client = token_client(users["coordinator"], scope="write")
    response = post(
        client, "/api/v1/contacts/", {**NEW_CONTACT, "authority": authority.pk, "seat_title": "Duty prosecutor"}
    )
    assert response.status_code == 201, response.content
    created = Contact.objects.get()
    body = response.json()
    assert body == {
        "id": created.pk,
        "authority": authority.pk,
        "country": "BR",
        "seat": created.seat_id,
        "name": "Bruno Demo",
        "title": "Prosecutor",
        "phone": "+55 61 4",
        "mobile": "+55 61 9 4",
        "email": "bruno@mj.gov.example",
        "secure_channel": "bruno@secure.example",
        "languages": ["es", "pt"],
        "timezone": "America/Manaus",
        "always_available": True,
        "start_date": "2026-02-01",
        "end_date": None,
        "is_current": True,
        "last_confirmed_at": body["last_confirmed_at"],
        "freshness": {"days": 0, "due": False, "overdue_days": 0},
        "visibility": {
            "name": "public",
            "title": "public",
            "phone": "network",
            "mobile": "members",
            "email": "public",
            "secure_channel": "members",
        },
    }
    assert created.seat.title == "Duty prosecutor"
    assert AuditEvent.objects.get(action=AuditAction.CONTACT_CREATED).details == {"authority": authority.pk}
    # Anonymous readers now see the e-mail made public, and still not the phone.
    public = Client().get(f"/api/v1/authorities/{authority.pk}/").json()["contacts"][0]
    assert (public.get("email"), "phone" in public) == ("bruno@mj.gov.example", False)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"authority": None}, {"authority": ["This field is required."]}),
        ({"authority": "1"}, {"authority": ["Give the id of an authority (a whole number)."]}),
        ({"authority": True}, {"authority": ["Give the id of an authority (a whole number)."]}),
        ({"authority": 999999}, {"authority": ["There is no authority with this id."]}),
        ({"name": " "}, {"name": ["The name is required."]}),
        (
            {"languages": ["pt", "portuguese"]},
            {"languages": ["Unknown language code(s): portuguese. Use ISO 639-1 codes such as en, fr, pt."]},
        ),
        (
            {"timezone": "Brasilia"},
            {"timezone": ["Unknown time zone Brasilia; use an IANA name such as Europe/Paris."]},
        ),
        ({"email": "bruno@"}, {"email": ["Enter a valid e-mail address."]}),
        ({"start_date": "01/02/2026"}, {"start_date": ["Dates must be written YYYY-MM-DD."]}),
        (
            {"visibility": {"phone": "friends"}},
            {"visibility": ["Unknown field or level: friends. Levels: public, members, network, secretariat."]},
        ),
        (
            {"visibility": {"salary": "public"}},
            {"visibility": ["Unknown field or level: salary. Levels: public, members, network, secretariat."]},
        ),
        ({"always_available": 1}, {"always_available": ["Must be true or false."]}),
        ({"nickname": "B"}, {"nickname": ["Unknown field."]}),
        ({"seat_title": 5}, {"seat_title": ["Must be text."]}),
    ],
)
def test_rejected_contact_creation_names_the_field(users, authority, change, fields):
    client = token_client(users["coordinator"], scope="write")
    unchanged = Unchanged(authority)
    body = {**NEW_CONTACT, "authority": authority.pk, **change}
    if change.get("authority", "") is None:
        del body["authority"]
    response = post(client, "/api/v1/contacts/", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    unchanged.check()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", 401),
        ("read_token", 403),
        ("member", 403),
        ("member_other", 403),
        ("coordinator_other", 403),
        ("coordinator_other_token", 403),
        ("moderator", 403),
    ],
)
def test_denied_contact_creation_writes_nothing(personas, users, authority, who, code):
    clients = {
        "read_token": lambda: token_client(users["coordinator"], "read"),
        "coordinator_other_token": lambda: token_client(users["coordinator_other"], "write"),
    }
    client = clients[who]() if who in clients else personas[who]
    unchanged = Unchanged(authority)
    assert post(client, "/api/v1/contacts/", {**NEW_CONTACT, "authority": authority.pk}).status_code == code
    unchanged.check()


def test_contact_for_a_hidden_authority_is_an_unknown_authority(personas, authority):
    """A coordinator of another country cannot tell an inactive authority from a missing one."""
    authority.is_active = False
    authority.save(update_fields=["is_active"])
    unchanged = Unchanged(authority)
    response = post(personas["coordinator_other"], "/api/v1/contacts/", {**NEW_CONTACT, "authority": authority.pk})
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"authority": ["There is no authority with this id."]},
    )
    unchanged.check()


def test_coordinator_patches_a_contact(users, contact):
    client = token_client(users["coordinator"], scope="write")
    response = patch(
        client,
        f"/api/v1/contacts/{contact.pk}/",
        {"phone": "+55 61 5", "visibility": {"name": "members"}, "authority": contact.authority_id, "id": 1},
    )
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["visibility"]["name"]) == ("+55 61 5", "members")
    contact.refresh_from_db()
    assert (contact.phone, contact.visibility) == ("+55 61 5", {"name": "members"})
    assert AuditEvent.objects.get(action=AuditAction.CONTACT_UPDATED).details == {"fields": ["phone", "visibility"]}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (
            {"authority": 999},
            {"authority": ["A contact cannot move to another authority; hand the seat over or add a contact there."]},
        ),
        (
            {"timezone": "Mars/Base"},
            {"timezone": ["Unknown time zone Mars/Base; use an IANA name such as Europe/Paris."]},
        ),
        (
            {"languages": ["zz"]},
            {"languages": ["Unknown language code(s): zz. Use ISO 639-1 codes such as en, fr, pt."]},
        ),
        ({"name": ""}, {"name": ["The name is required."]}),
        ({"end_date_typo": "2026-01-01"}, {"end_date_typo": ["Unknown field."]}),
        ({"seat_title": "Head"}, {"seat_title": ["Unknown field."]}),
    ],
)
def test_rejected_contact_change_names_the_field(users, contact, change, fields):
    client = token_client(users["secretariat"], scope="write")
    unchanged = Unchanged(contact)
    response = patch(client, f"/api/v1/contacts/{contact.pk}/", change)
    assert (response.status_code, response.json()["error"]["fields"]) == (400, fields)
    unchanged.check()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("anonymous", 401),
        ("read_token", 403),
        ("member", 404),
        ("member_other", 404),
        ("coordinator_other", 404),
        ("coordinator_other_token", 404),
        ("liaison", 404),
    ],
)
def test_denied_contact_change_writes_nothing(personas, users, contact, who, code):
    clients = {
        "read_token": lambda: token_client(users["coordinator"], "read"),
        "coordinator_other_token": lambda: token_client(users["coordinator_other"], "write"),
    }
    client = clients[who]() if who in clients else personas[who]
    unchanged = Unchanged(contact)
    assert patch(client, f"/api/v1/contacts/{contact.pk}/", {"phone": "+62 1"}).status_code == code
    unchanged.check()


def test_former_holder_can_still_be_corrected(users, contact):
    Contact.objects.filter(pk=contact.pk).update(end_date=dt.date(2025, 1, 1))
    client = token_client(users["coordinator"], scope="write")
    response = patch(client, f"/api/v1/contacts/{contact.pk}/", {"name": "Ana Demo-Silva"})
    assert (response.status_code, response.json()["is_current"]) == (200, False)
