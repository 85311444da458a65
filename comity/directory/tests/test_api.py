"""Directory API, reads: authorities and contacts, filters, field visibility, query counts, the schema."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from comity.accounts.services import api_token_create
from comity.directory.models import Closure
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.reference.models import Country
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

AGE = dt.timedelta(days=200, hours=1)
RESTRICTED = ("name", "title", "phone", "mobile", "email", "secure_channel")


def token_client(user, scope: str = "read") -> Client:
    """A client that authenticates with a personal API token (no session)."""
    _token, raw = api_token_create(user=user, name="api test", scope=scope)
    return Client(headers={"authorization": f"Bearer {raw}"})


def drf_time(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@pytest.fixture
def drci(brazil):
    """Brazil's central authority, with a split day, a closure, three contacts (one former) and mixed visibility."""
    confirmed = timezone.now() - AGE
    authority = AuthorityFactory(
        country=brazil,
        official_name="Departamento de Recuperação de Ativos e Cooperação Jurídica Internacional",
        names={
            "en": "Department of Asset Recovery and International Legal Cooperation",
            "ar": "إدارة استرداد الأصول والتعاون القانوني الدولي",
            "zh-hans": "资产追回和国际司法合作司",
        },
        languages_accepted=["en", "es", "pt"],
        channels=["direct", "electronic"],
        urgent_channels=["email", "phone"],
        untoc_mla_basis=True,
        postal_address="SCN Quadra 6, Brasília (demo)",
        email="drci@mj.gov.example",
        phone="+55 61 2025 8900",
        website="https://drci.gov.example/",
        holiday_subdivision="DF",
        competences=["extradition", "mla_central"],
        last_confirmed_at=confirmed,
    )
    authority.search_text = authority.build_search_text()
    authority.save(update_fields=["search_text"])
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 31), reason="Office move"
    )
    head = ContactFactory(
        seat__authority=authority,
        seat__position=0,
        name="Ana Demo",
        title="Head of unit",
        phone="+55 61 1111 1111",
        mobile="+55 61 9 1111 1111",
        email="ana@mj.gov.example",
        secure_channel="ana@secure.example",
        languages=["en", "pt"],
        last_confirmed_at=confirmed,
        start_date=dt.date(2024, 2, 1),
        visibility={
            "name": "public",
            "title": "public",
            "phone": "members",
            "mobile": "network",
            "email": "secretariat",
            "secure_channel": "members",
        },
    )
    ContactFactory(
        seat=head.seat,
        authority=authority,
        name="Former Holder",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2024, 1, 31),
        phone="+55 61 0000 0000",
        email="former@mj.gov.example",
    )
    duty = ContactFactory(
        seat__authority=authority,
        seat__position=1,
        name="Duty Officer",
        title="24/7 desk",
        phone="+55 61 2222 2222",
        mobile="+55 61 9 2222 2222",
        email="duty@mj.gov.example",
        secure_channel="duty@secure.example",
        always_available=True,
        timezone="America/Manaus",
        last_confirmed_at=confirmed,
        start_date=dt.date(2025, 5, 5),
        visibility={"name": "members", "title": "public"},
    )
    authority.head, authority.duty = head, duty
    return authority


def contact_json(contact, **extra) -> dict:
    """The contact as the API sends it with every field visible (tests remove what a viewer may not see)."""
    data = {
        "id": contact.pk,
        "authority": contact.authority_id,
        "country": contact.authority.country.iso2,
        "seat": contact.seat_id,
        "name": contact.name,
        "title": contact.title,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "email": contact.email,
        "secure_channel": contact.secure_channel,
        "languages": contact.languages,
        "timezone": contact.timezone,
        "always_available": contact.always_available,
        "start_date": contact.start_date.isoformat(),
        "end_date": contact.end_date.isoformat() if contact.end_date else None,
        "is_current": contact.end_date is None,
        "last_confirmed_at": drf_time(contact.last_confirmed_at),
        "freshness": {"days": 200, "due": True, "overdue_days": 18},
    }
    data.update(extra)
    return data


def only(data: dict, visible: set[str]) -> dict:
    return {key: value for key, value in data.items() if key not in RESTRICTED or key in visible}


def test_authority_detail_for_anonymous_has_every_authority_field_and_public_contact_fields(client, drci):
    response = client.get(f"/api/v1/authorities/{drci.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": drci.pk,
        "country": "BR",
        "official_name": "Departamento de Recuperação de Ativos e Cooperação Jurídica Internacional",
        "name": "Department of Asset Recovery and International Legal Cooperation",
        "names": {
            "en": "Department of Asset Recovery and International Legal Cooperation",
            "ar": "إدارة استرداد الأصول والتعاون القانوني الدولي",
            "zh-hans": "资产追回和国际司法合作司",
        },
        "competences": [
            {"code": "extradition", "instrument": "untoc_18_13", "scope_notes": ""},
            {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": ""},
        ],
        "languages_accepted": ["en", "es", "pt"],
        "channels": ["direct", "electronic"],
        "urgent_channels": ["email", "phone"],
        "untoc_mla_basis": True,
        "untoc_extradition_basis": False,
        "postal_address": "SCN Quadra 6, Brasília (demo)",
        "email": "drci@mj.gov.example",
        "phone": "+55 61 2025 8900",
        "website": "https://drci.gov.example/",
        "timezone": "America/Sao_Paulo",
        "holiday_subdivision": "DF",
        "office_hours": [
            {"weekday": day, "opens": opens, "closes": closes}
            for day in range(5)
            for opens, closes in (("09:00", "13:00"), ("14:00", "18:00"))
        ],
        "always_available": False,
        "closures": [{"start_date": "2026-12-24", "end_date": "2026-12-31", "reason": "Office move"}],
        "is_active": True,
        "last_confirmed_at": drf_time(drci.last_confirmed_at),
        "freshness": {"days": 200, "due": True, "overdue_days": 18},
        "contacts": [only(contact_json(drci.head), {"name", "title"}), only(contact_json(drci.duty), {"title"})],
    }


def test_office_hours_past_midnight_read_as_24_00(client, drci):
    drci.office_hours.create(weekday=4, opens=dt.time(22), closes=None)
    drci.office_hours.create(weekday=5, opens=dt.time(0), closes=dt.time(2))
    hours = client.get(f"/api/v1/authorities/{drci.pk}/").json()["office_hours"]
    assert hours[-3:] == [
        {"weekday": 4, "opens": "14:00", "closes": "18:00"},
        {"weekday": 4, "opens": "22:00", "closes": "24:00"},
        {"weekday": 5, "opens": "00:00", "closes": "02:00"},
    ]


def test_name_follows_the_request_language(client, drci):
    assert client.get(f"/api/v1/authorities/{drci.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["name"] == (
        "资产追回和国际司法合作司"
    )
    # No French name: the official name stands in.
    assert client.get(f"/api/v1/authorities/{drci.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()["name"] == (
        drci.official_name
    )


# Who sees which field of Ana (name, title public; phone, secure channel members; mobile network; e-mail
# secretariat). Brazil's own members read "network"; coordinators of Brazil and the secretariat read everything.
VISIBLE_HEAD = {
    "anonymous": {"name", "title"},
    "member": {"name", "title", "phone", "secure_channel", "mobile"},
    "liaison": {"name", "title", "phone", "secure_channel", "mobile"},
    "member_other": {"name", "title", "phone", "secure_channel"},
    "coordinator_other": {"name", "title", "phone", "secure_channel"},
    "observer": {"name", "title", "phone", "secure_channel"},
    "coordinator": set(RESTRICTED),
    "secretariat": set(RESTRICTED),
}
EDITORS = {"coordinator", "secretariat"}


@pytest.mark.parametrize("persona", sorted(VISIBLE_HEAD))
def test_contact_fields_follow_visibility_in_authority_detail(personas, drci, persona):
    body = personas[persona].get(f"/api/v1/authorities/{drci.pk}/").json()
    head = body["contacts"][0]
    extra = (
        {
            "visibility": {
                "name": "public",
                "title": "public",
                "phone": "members",
                "mobile": "network",
                "email": "secretariat",
                "secure_channel": "members",
            }
        }
        if persona in EDITORS
        else {}
    )
    assert head == only(contact_json(drci.head, **extra), VISIBLE_HEAD[persona])
    # A field left out is absent, not null.
    assert set(RESTRICTED) - VISIBLE_HEAD[persona] == set(RESTRICTED) - set(head)


@pytest.mark.parametrize("persona", sorted(VISIBLE_HEAD))
def test_contact_fields_follow_visibility_in_contact_detail(personas, drci, persona):
    response = personas[persona].get(f"/api/v1/contacts/{drci.head.pk}/")
    if persona == "anonymous":
        assert response.status_code == 401
        return
    extra = (
        {
            "visibility": {
                "name": "public",
                "title": "public",
                "phone": "members",
                "mobile": "network",
                "email": "secretariat",
                "secure_channel": "members",
            }
        }
        if persona in EDITORS
        else {}
    )
    assert response.json() == only(contact_json(drci.head, **extra), VISIBLE_HEAD[persona])


def test_network_partners_read_network_fields(personas, drci, france, iberred):
    iberred.members.add(france)
    head = personas["observer"].get(f"/api/v1/authorities/{drci.pk}/").json()["contacts"][0]
    assert sorted(head.keys() & set(RESTRICTED)) == ["mobile", "name", "phone", "secure_channel", "title"]


def test_the_person_sees_every_field_of_their_own_seat(personas, users, drci):
    drci.head.user = users["member_other"]
    drci.head.save(update_fields=["user"])
    head = personas["member_other"].get(f"/api/v1/contacts/{drci.head.pk}/").json()
    assert sorted(head.keys() & set(RESTRICTED)) == sorted(RESTRICTED)
    assert "visibility" not in head


def test_anonymous_json_never_contains_a_restricted_value(client, drci):
    """Not in the list, the detail or the finder: the values themselves never leave the server."""
    bodies = [
        client.get("/api/v1/authorities/").content,
        client.get(f"/api/v1/authorities/{drci.pk}/").content,
        client.get("/api/v1/finder/", {"from": "ID", "to": "BR", "type": "mla"}).content,
    ]
    secrets = [
        "+55 61 1111 1111",
        "ana@mj.gov.example",
        "ana@secure.example",
        "Duty Officer",
        "duty@mj.gov.example",
        "+55 61 2222 2222",
        "Former Holder",
        "former@mj.gov.example",
    ]
    for body in bodies:
        text = body.decode()
        assert [secret for secret in secrets if secret in text] == []
    assert "Ana Demo" in bodies[0].decode()


def test_read_token_reads_like_the_session(users, drci):
    body = token_client(users["member"]).get(f"/api/v1/authorities/{drci.pk}/").json()
    assert sorted(body["contacts"][0].keys() & set(RESTRICTED)) == sorted(VISIBLE_HEAD["member"])


def test_former_holders_are_not_among_the_authority_contacts(personas, drci):
    body = personas["secretariat"].get(f"/api/v1/authorities/{drci.pk}/").json()
    assert [c["name"] for c in body["contacts"]] == ["Ana Demo", "Duty Officer"]


# --- hidden and missing authorities ----------------------------------------------------------------------------


def test_inactive_authority_is_hidden_except_from_its_editors(personas, drci):
    drci.is_active = False
    drci.save(update_fields=["is_active"])
    url = f"/api/v1/authorities/{drci.pk}/"
    check_matrix(
        personas,
        "GET",
        url,
        {
            "anonymous": 404,
            "member": 404,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 404,
            "secretariat": 200,
        },
    )
    check_matrix(
        personas,
        "GET",
        f"/api/v1/contacts/{drci.head.pk}/",
        {"anonymous": 401, "member": 404, "coordinator": 200, "coordinator_other": 404, "secretariat": 200},
    )
    assert personas["member"].get("/api/v1/authorities/").json()["count"] == 0
    assert personas["coordinator"].get("/api/v1/authorities/").json()["count"] == 1
    assert personas["member"].get(url).json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_missing_authority_answers_404(client, drci, pk):
    response = client.get(f"/api/v1/authorities/{pk}/")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


# --- the list and its filters ----------------------------------------------------------------------------------


@pytest.fixture
def world(drci, brazil, indonesia, france, iberred):
    """Authorities in three countries with different competences, languages and 24/7 arrangements."""
    Country.objects.filter(iso2="BR").update(region_m49="019", subregion_m49="419", intermediate_region_m49="005")
    Country.objects.filter(iso2="ID").update(region_m49="142", subregion_m49="035")
    Country.objects.filter(iso2="FR").update(region_m49="150", subregion_m49="155")
    pf = AuthorityFactory(
        country=brazil,
        official_name="Polícia Federal — Cybercrime 24/7 (demo)",
        competences=["cybercrime_24_7"],
        always_available=True,
        languages_accepted=["pt", "en"],
    )
    jakarta = AuthorityFactory(
        country=indonesia,
        official_name="Kementerian Hukum (demo)",
        competences=["mla_central", "extradition"],
        languages_accepted=["id", "en"],
    )
    ContactFactory(seat__authority=jakarta, always_available=True)
    paris = AuthorityFactory(
        country=france,
        official_name="Bureau de l'entraide pénale internationale (demo)",
        competences=["mla_central"],
        languages_accepted=["fr"],
    )
    return {"drci": drci, "pf": pf, "jakarta": jakarta, "paris": paris}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["official_name"] for row in response.json()["results"]]


DRCI = "Departamento de Recuperação de Ativos e Cooperação Jurídica Internacional"
PF = "Polícia Federal — Cybercrime 24/7 (demo)"
JAKARTA = "Kementerian Hukum (demo)"
PARIS = "Bureau de l'entraide pénale internationale (demo)"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [DRCI, PF, PARIS, JAKARTA]),  # by country name (Brazil, France, Indonesia), then name
        ({"country": "BR"}, [DRCI, PF]),
        ({"country": "id"}, [JAKARTA]),
        ({"competence": "mla_central"}, [DRCI, PARIS, JAKARTA]),
        ({"competence": "cybercrime_24_7"}, [PF]),
        ({"language": "fr"}, [PARIS]),
        ({"language": "id"}, [JAKARTA]),
        ({"language": "es"}, [DRCI]),
        ({"network": "iberred"}, [DRCI, PF]),
        ({"region": "019"}, [DRCI, PF]),
        ({"region": "005"}, [DRCI, PF]),
        ({"region": "142"}, [JAKARTA]),
        ({"always_available": "true"}, [DRCI, PF, JAKARTA]),  # 24/7 itself, or through a current contact
        ({"always_available": "false"}, [DRCI, PARIS, JAKARTA]),
        ({"q": "kementerian"}, [JAKARTA]),
        ({"q": "ASSET RECOVERY"}, [DRCI]),  # an English name of a Portuguese-named authority
        ({"q": "资产追回"}, [DRCI]),
        ({"q": "استرداد"}, [DRCI]),
        ({"q": "indonesia"}, [JAKARTA]),  # the country's English name
        ({"country": "BR", "competence": "mla_central", "language": "pt", "always_available": "false"}, [DRCI]),
        ({"country": "", "competence": "", "q": ""}, [DRCI, PF, PARIS, JAKARTA]),
    ],
)
def test_authority_filters(client, world, params, expected):
    assert _names(client.get("/api/v1/authorities/", params)) == expected


def test_list_is_paginated(client, world):
    body = client.get("/api/v1/authorities/", {"page_size": 3}).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (4, 3, None)
    assert body["next"] == "http://testserver/api/v1/authorities/?page=2&page_size=3"
    assert _names(client.get("/api/v1/authorities/", {"page_size": 3, "page": 2})) == [JAKARTA]
    # A page past the last one is bad pagination: a 400 naming `page` (it was a 404 before issue 10).
    response = client.get("/api/v1/authorities/", {"page": 9})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": {"page": ["Invalid page."]}}
    }


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"country": "XX"}, {"country": ["Unknown country code XX."]}),
        ({"country": "BRA"}, {"country": ["Use an ISO 3166-1 alpha-2 country code such as BR."]}),
        (
            {"competence": "piracy"},
            {
                "competence": [
                    "Unknown competence piracy. Allowed: mla_central, extradition, sentenced_transfer, "
                    "proceedings_transfer, "
                    "asset_recovery, cybercrime_24_7, migrant_smuggling_sea, firearms, cultural_property, jit."
                ]
            },
        ),
        ({"network": "nope"}, {"network": ["“nope” is not a network in Comity."]}),
        ({"region": "999"}, {"region": ["“999” is not a UN M49 region or sub-region code."]}),
        ({"language": "xx"}, {"language": ["Unknown language xx; use an ISO 639-1 code such as fr or pt."]}),
        ({"language": "French"}, {"language": ["Unknown language French; use an ISO 639-1 code such as fr or pt."]}),
        ({"always_available": "maybe"}, {"always_available": ["Must be a valid boolean."]}),
        ({"q": "x" * 201}, {"q": ["Ensure this field has no more than 200 characters."]}),
        (
            {"country": "XX", "always_available": "2"},
            {"country": ["Unknown country code XX."], "always_available": ["Must be a valid boolean."]},
        ),
    ],
)
def test_bad_filters_answer_400_naming_the_parameter(client, world, params, fields):
    response = client.get("/api/v1/authorities/", params)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": fields}
    }


def _grow(brazil, indonesia, count: int) -> None:
    """`count` more authorities with two current contacts, a former one, hours and a closure each."""
    for index in range(count):
        authority = AuthorityFactory(country=brazil if index % 2 else indonesia, competences=["mla_central", "jit"])
        Closure.objects.create(authority=authority, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 2))
        first = ContactFactory(seat__authority=authority)
        ContactFactory(seat__authority=authority)
        ContactFactory(seat=first.seat, authority=authority, end_date=dt.date(2025, 1, 1))


# Count, page, then one query each for competences, office hours, closures and current contacts (with seats).
LIST_QUERIES = 6


@pytest.mark.parametrize(
    ("who", "extra"),
    [
        # Anonymous: nothing else.
        ("anonymous", 0),
        # Token look-up, the token's last-used stamp, what the rules read of the member (their country's code,
        # its network partners, the countries they are a contact point of: one query).
        ("member_token", 3),
        # Token look-up and stamp, coordinated countries, what the rules read of the coordinator (one query).
        ("coordinator_token", 4),
    ],
)
def test_authority_list_query_count_does_not_grow(users, brazil, indonesia, who, extra, django_assert_num_queries):
    clients = {
        "anonymous": lambda: Client(),
        "member_token": lambda: token_client(users["member"]),
        "coordinator_token": lambda: token_client(users["coordinator"]),
    }
    _grow(brazil, indonesia, 5)
    client = clients[who]()
    with django_assert_num_queries(LIST_QUERIES + extra):
        assert client.get("/api/v1/authorities/").json()["count"] == 5
    _grow(brazil, indonesia, 35)
    client = clients[who]()
    with django_assert_num_queries(LIST_QUERIES + extra):
        body = client.get("/api/v1/authorities/", {"page_size": 100}).json()
    assert (body["count"], sum(len(row["contacts"]) for row in body["results"])) == (40, 80)


def test_filtered_list_query_count(client, brazil, indonesia, iberred, django_assert_num_queries):
    _grow(brazil, indonesia, 6)
    # The country and network values are each checked with one query before the list runs.
    with django_assert_num_queries(LIST_QUERIES + 2):
        body = client.get("/api/v1/authorities/", {"country": "BR", "network": "iberred", "q": "central"}).json()
    assert body["count"] == 3


def test_authority_detail_query_count(client, drci, django_assert_num_queries):
    # The authority with its country, then competences, office hours, closures and contacts.
    with django_assert_num_queries(5):
        client.get(f"/api/v1/authorities/{drci.pk}/")
    for _ in range(10):
        ContactFactory(seat__authority=drci)
    with django_assert_num_queries(5):
        assert len(client.get(f"/api/v1/authorities/{drci.pk}/").json()["contacts"]) == 12


# --- contacts ----------------------------------------------------------------------------------------------------


def test_anonymous_may_not_list_contacts(client, drci):
    for url in ("/api/v1/contacts/", f"/api/v1/contacts/{drci.head.pk}/", "/api/v1/contacts/999999/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "status": 401,
                "code": "not_authenticated",
                "message": "Authentication credentials were not provided.",
            }
        }
        assert response["WWW-Authenticate"] == "Bearer"


def test_contact_list_for_a_member(personas, world):
    body = personas["member"].get("/api/v1/contacts/").json()
    drci = world["drci"]
    assert body["count"] == 3
    assert body["results"][:2] == [
        only(contact_json(drci.head), VISIBLE_HEAD["member"]),
        only(contact_json(drci.duty), {"name", "title", "phone", "mobile", "email", "secure_channel"}),
    ]
    assert body["results"][2]["authority"] == world["jakarta"].pk


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ana Demo", "Duty Officer", "Jakarta"]),
        ({"current": "false"}, ["Former Holder"]),
        ({"country": "BR"}, ["Ana Demo", "Duty Officer"]),
        ({"always_available": "true"}, ["Duty Officer", "Jakarta"]),
        ({"always_available": "false", "country": "br"}, ["Ana Demo"]),
        ({"authority": "jakarta"}, ["Jakarta"]),
        ({"authority": "drci", "current": "false"}, ["Former Holder"]),
    ],
)
def test_contact_filters(personas, world, params, expected):
    world["jakarta"].contacts.update(name="Jakarta")
    if "authority" in params:
        params = {**params, "authority": world[params["authority"]].pk}
    body = personas["secretariat"].get("/api/v1/contacts/", params).json()
    assert [c["name"] for c in body["results"]] == expected


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"authority": "abc"}, {"authority": ["A valid integer is required."]}),
        ({"authority": "0"}, {"authority": ["Ensure this value is greater than or equal to 1."]}),
        ({"country": "ZZ"}, {"country": ["Unknown country code ZZ."]}),
        ({"current": "sometimes"}, {"current": ["Must be a valid boolean."]}),
    ],
)
def test_bad_contact_filters_answer_400(personas, world, params, fields):
    response = personas["member"].get("/api/v1/contacts/", params)
    assert (response.status_code, response.json()["error"]["fields"]) == (400, fields)


def test_contacts_of_hidden_authorities_are_not_listed(personas, world):
    world["jakarta"].is_active = False
    world["jakarta"].save(update_fields=["is_active"])
    assert personas["member"].get("/api/v1/contacts/").json()["count"] == 2
    assert personas["coordinator_other"].get("/api/v1/contacts/").json()["count"] == 3


@pytest.mark.parametrize(("who", "extra"), [("member", 3), ("secretariat", 2)])
def test_contact_list_query_count_does_not_grow(users, brazil, indonesia, who, extra, django_assert_num_queries):
    _grow(brazil, indonesia, 5)
    client = token_client(users[who])
    # Token look-up and stamp; count; page with authority, country and seat joined; what the rules read of the
    # member (their country's code, its network partners, their own contact points: one query; the secretariat
    # needs none of it).
    with django_assert_num_queries(2 + extra):
        assert client.get("/api/v1/contacts/").json()["count"] == 10
    _grow(brazil, indonesia, 35)
    client = token_client(users[who])
    with django_assert_num_queries(2 + extra):
        assert len(client.get("/api/v1/contacts/", {"page_size": 100}).json()["results"]) == 80


# --- the schema ----------------------------------------------------------------------------------------------


def test_schema_documents_every_endpoint(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {
        p: sorted(paths[p])
        for p in paths
        if p.startswith(("/api/v1/authorities", "/api/v1/contacts", "/api/v1/finder"))
    } == {
        "/api/v1/authorities/": ["get", "post"],
        "/api/v1/authorities/{id}/": ["get", "patch", "put"],
        "/api/v1/authorities/{id}/availability/": ["get"],
        "/api/v1/contacts/": ["get", "post"],
        "/api/v1/contacts/{id}/": ["get", "patch"],
        "/api/v1/finder/": ["get"],
    }

    def params(path, method="get"):
        return sorted(p["name"] for p in paths[path][method].get("parameters", []))

    assert params("/api/v1/authorities/") == [
        "always_available",
        "competence",
        "country",
        "language",
        "network",
        "page",
        "page_size",
        "q",
        "region",
    ]
    assert params("/api/v1/authorities/{id}/availability/") == ["at", "id", "lang"]
    assert params("/api/v1/contacts/") == ["always_available", "authority", "country", "current", "page", "page_size"]
    assert params("/api/v1/finder/") == ["at", "from", "lang", "to", "type", "urgent"]
    responses = {
        (p, m): sorted(paths[p][m]["responses"])
        for p in paths
        for m in paths[p]
        if p.startswith(("/api/v1/authorities", "/api/v1/contacts", "/api/v1/finder"))
    }
    # Each operation's own answers plus the errors every operation shares (core/api/schema.py).
    read = ["200", "400", "401", "403", "404", "429", "503"]
    created = ["201", "400", "401", "403", "404", "409", "413", "415", "429"]
    changed = ["200", "400", "401", "403", "404", "409", "413", "415", "429"]
    assert responses == {
        ("/api/v1/authorities/", "get"): read,
        ("/api/v1/authorities/", "post"): created,
        ("/api/v1/authorities/{id}/", "get"): read,
        ("/api/v1/authorities/{id}/", "put"): changed,
        ("/api/v1/authorities/{id}/", "patch"): changed,
        ("/api/v1/authorities/{id}/availability/", "get"): read,
        ("/api/v1/contacts/", "get"): read,
        ("/api/v1/contacts/", "post"): created,
        ("/api/v1/contacts/{id}/", "get"): read,
        ("/api/v1/contacts/{id}/", "patch"): changed,
        ("/api/v1/finder/", "get"): read,
    }
    components = schema["components"]["schemas"]
    assert list(components["Availability"]["properties"]) == [
        "open",
        "status",
        "local_time",
        "timezone",
        "holiday",
        "next_open",
    ]
    contact = components["Contact"]
    # Restricted fields may be left out, so the schema does not promise them.
    assert set(RESTRICTED) & set(contact["required"]) == set()
    assert "anonymous callers get 401" in paths["/api/v1/contacts/"]["get"]["description"]
    assert {} in paths["/api/v1/authorities/"]["get"]["security"]


def test_schema_of_the_directory_generates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("comity.directory.api.urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)) == ({}, {})
    validate_schema(json.loads(json.dumps(schema, default=str)))
