"""Directory API: availability of an authority at a moment, and the finder ("where do I send this?")."""

import datetime as dt

import pytest
from django.test import Client

from comity.directory.models import Closure, OfficeHours
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.directory.tests.test_api import token_client
from comity.reference.tests.factories import NetworkFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

SP = "America/Sao_Paulo"


@pytest.fixture
def brasilia(brazil):
    """Monday to Friday 09:00-13:00 and 14:00-18:00 in São Paulo time (no DST since 2019)."""
    authority = AuthorityFactory(country=brazil, official_name="DRCI (demo)", timezone=SP)
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 31), reason="Office move"
    )
    return authority


def url(authority) -> str:
    return f"/api/v1/authorities/{authority.pk}/availability/"


def answer(open_, status, local_time, next_open=None, holiday=None, zone=SP) -> dict:
    return {
        "open": open_,
        "status": status,
        "local_time": local_time,
        "timezone": zone,
        "holiday": holiday,
        "next_open": next_open,
    }


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-03-09T13:00:00Z", answer(True, "open", "2026-03-09T10:00:00-03:00")),
        ("2026-03-09T10:00:00.123456-03:00", answer(True, "open", "2026-03-09T10:00:00-03:00")),
        (
            "2026-03-09T13:30:00-03:00",
            answer(False, "closed", "2026-03-09T13:30:00-03:00", "2026-03-09T14:00:00-03:00"),
        ),
        (
            "2026-03-09T18:00:00-03:00",
            answer(False, "closed", "2026-03-09T18:00:00-03:00", "2026-03-10T09:00:00-03:00"),
        ),
        # Saturday in Brazil is already Saturday evening in Tokyo: the authority's own zone decides.
        (
            "2026-03-07T20:00:00+09:00",
            answer(False, "closed", "2026-03-07T08:00:00-03:00", "2026-03-09T09:00:00-03:00"),
        ),
        (
            "2026-09-07T11:00:00-03:00",
            answer(
                False, "holiday", "2026-09-07T11:00:00-03:00", "2026-09-08T09:00:00-03:00", holiday="Independence Day"
            ),
        ),
        # A closure runs into New Year's Day (a holiday) and a weekend.
        (
            "2026-12-28T12:00:00-03:00",
            answer(False, "closure", "2026-12-28T12:00:00-03:00", "2027-01-04T09:00:00-03:00"),
        ),
    ],
)
def test_availability_at_a_moment(client, brasilia, at, expected):
    response = client.get(url(brasilia), {"at": at})
    assert (response.status_code, response.json()) == (200, expected)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Europe/Paris springs forward on Sunday 29 March 2026 and falls back on Sunday 25 October 2026.
        ("2026-03-27T16:30:00Z", answer(True, "open", "2026-03-27T17:30:00+01:00", zone="Europe/Paris")),
        (
            "2026-03-29T08:30:00Z",
            answer(False, "closed", "2026-03-29T10:30:00+02:00", "2026-03-30T09:00:00+02:00", zone="Europe/Paris"),
        ),
        (
            "2026-10-23T16:30:00Z",
            answer(False, "closed", "2026-10-23T18:30:00+02:00", "2026-10-26T09:00:00+01:00", zone="Europe/Paris"),
        ),
        ("2026-10-26T08:30:00Z", answer(True, "open", "2026-10-26T09:30:00+01:00", zone="Europe/Paris")),
    ],
)
def test_availability_across_dst(client, france, at, expected):
    paris = AuthorityFactory(country=france, timezone="Europe/Paris")
    assert client.get(url(paris), {"at": at}).json() == expected


def test_shift_past_midnight(client, brasilia):
    OfficeHours.objects.create(authority=brasilia, weekday=4, opens=dt.time(22), closes=None)
    OfficeHours.objects.create(authority=brasilia, weekday=5, opens=dt.time(0), closes=dt.time(2))
    assert client.get(url(brasilia), {"at": "2026-03-14T01:30:00-03:00"}).json() == answer(
        True, "open", "2026-03-14T01:30:00-03:00"
    )
    assert client.get(url(brasilia), {"at": "2026-03-14T02:00:00-03:00"}).json() == answer(
        False, "closed", "2026-03-14T02:00:00-03:00", "2026-03-16T09:00:00-03:00"
    )


def test_always_available(client, brasilia):
    brasilia.always_available = True
    brasilia.save(update_fields=["always_available"])
    assert client.get(url(brasilia), {"at": "2026-09-07T03:00:00Z"}).json() == answer(
        True, "always", "2026-09-07T00:00:00-03:00"
    )


@pytest.mark.parametrize("params", [{}, {"at": ""}])  # an empty value, as a form sends it, means "now" too
def test_default_is_now(client, brasilia, params):
    body = client.get(url(brasilia), params).json()
    assert list(body) == ["open", "status", "local_time", "timezone", "holiday", "next_open"]
    assert (body["timezone"], body["local_time"][-6:]) == (SP, "-03:00")
    now = dt.datetime.now(dt.UTC)
    assert abs(dt.datetime.fromisoformat(body["local_time"]) - now) < dt.timedelta(minutes=1)


def test_a_plus_sent_unencoded_is_read_as_a_plus(client, brasilia):
    # In a query string '+' means a space; "…10:00:00+01:00" typed into a URL arrives as "…10:00:00 01:00".
    response = client.get(url(brasilia) + "?at=2026-03-09T14:00:00+01:00")
    assert response.json() == answer(True, "open", "2026-03-09T10:00:00-03:00")
    response = client.get(url(brasilia) + "?at=2026-03-09 14:00:00.5+0100")
    assert response.json() == answer(True, "open", "2026-03-09T10:00:00-03:00")


@pytest.mark.parametrize(
    ("params", "headers", "holiday"),
    [
        ({}, {}, "Independence Day"),
        ({"lang": "pt"}, {}, "Independência do Brasil"),
        ({"lang": "pt-BR"}, {}, "Independência do Brasil"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "pt"}, "Independência do Brasil"),
        ({"lang": "en"}, {"HTTP_ACCEPT_LANGUAGE": "pt"}, "Independence Day"),  # ?lang= wins over the header
        ({"lang": "fr"}, {}, "Independence Day"),  # no French names in the holidays data for Brazil: English
    ],
)
def test_holiday_name_in_the_request_language(client, brasilia, params, headers, holiday):
    body = client.get(url(brasilia), {"at": "2026-09-07T12:00:00-03:00", **params}, **headers).json()
    assert (body["status"], body["holiday"]) == ("holiday", holiday)


NOT_ISO = "“{}” is not an ISO 8601 date and time; write it like 2026-03-09T10:00:00+01:00 or 2026-03-09T09:00:00Z."
NO_OFFSET = "“{}” has no UTC offset; add one, e.g. 2026-03-09T10:00:00+01:00 or 2026-03-09T09:00:00Z."


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"at": "yesterday"}, {"at": [NOT_ISO.format("yesterday")]}),
        ({"at": "2026-02-30T10:00:00Z"}, {"at": [NOT_ISO.format("2026-02-30T10:00:00Z")]}),
        ({"at": "2026-03-09T25:00:00Z"}, {"at": [NOT_ISO.format("2026-03-09T25:00:00Z")]}),
        ({"at": "2026-03-09T10:00:00"}, {"at": [NO_OFFSET.format("2026-03-09T10:00:00")]}),
        ({"at": "2026-03-09"}, {"at": [NO_OFFSET.format("2026-03-09")]}),
        ({"at": "2026-03-09 10:00"}, {"at": [NO_OFFSET.format("2026-03-09 10:00")]}),
        ({"at": "9999-12-31T23:00:00Z"}, {"at": ["The date must be between 1970 and 2100."]}),
        ({"at": "1969-12-31T23:59:59Z"}, {"at": ["The date must be between 1970 and 2100."]}),
        ({"lang": "xx"}, {"lang": ["Unknown language xx; use an ISO 639-1 code such as fr or pt."]}),
        ({"lang": "klingon"}, {"lang": ["Unknown language klingon; use an ISO 639-1 code such as fr or pt."]}),
        (
            {"at": "soon", "lang": "xx"},
            {"at": [NOT_ISO.format("soon")], "lang": ["Unknown language xx; use an ISO 639-1 code such as fr or pt."]},
        ),
    ],
)
def test_bad_availability_parameters_answer_400(client, brasilia, params, fields):
    response = client.get(url(brasilia), params)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": fields}
    }


def test_availability_of_hidden_or_missing_authority(personas, brasilia):
    brasilia.is_active = False
    brasilia.save(update_fields=["is_active"])
    check_matrix(
        personas,
        "GET",
        url(brasilia),
        {"anonymous": 404, "member": 404, "coordinator_other": 404, "coordinator": 200, "secretariat": 200},
    )
    assert Client().get("/api/v1/authorities/999999/availability/").status_code == 404


def test_availability_query_count(client, brasilia, django_assert_num_queries):
    # The authority with its country, then competences, office hours, closures and contacts.
    with django_assert_num_queries(5):
        client.get(url(brasilia), {"at": "2026-03-09T13:00:00Z"})


# --- the finder ----------------------------------------------------------------------------------------------


@pytest.fixture
def jakarta(brazil, indonesia, iberred):
    """Three Indonesian MLA authorities with different hours and 24/7 arrangements, a 24/7 cybercrime point, a
    hidden one, and a network Brazil and Indonesia share."""
    shared = NetworkFactory(slug="globe-demo", acronym="GD", name="Global Demo Network")
    shared.members.add(brazil, indonesia)
    kementerian = AuthorityFactory(
        country=indonesia,
        official_name="Kementerian Hukum (demo)",
        competences=["mla_central", "extradition"],
        languages_accepted=["en", "id", "pt"],
        channels=["direct", "diplomatic"],
        urgent_channels=["email"],
        untoc_mla_basis=True,
        untoc_extradition_basis=False,
        phone="+62 21 1",
    )
    andi = ContactFactory(seat__authority=kementerian, seat__position=0, name="Andi (demo)")
    budi = ContactFactory(seat__authority=kementerian, seat__position=1, name="Budi (demo)", always_available=True)
    kejaksaan = AuthorityFactory(
        country=indonesia,
        official_name="Kejaksaan Agung (demo)",
        weekdays=False,
        languages_accepted=["id"],
        untoc_mla_basis=False,
    )
    OfficeHours.objects.bulk_create(
        [OfficeHours(authority=kejaksaan, weekday=day, opens=dt.time(13), closes=dt.time(16)) for day in range(5)]
    )
    polri = AuthorityFactory(country=indonesia, official_name="Polri Hubinter (demo)", weekdays=False)
    cyber = AuthorityFactory(
        country=indonesia, official_name="Siber 24/7 (demo)", competences=["cybercrime_24_7"], always_available=True
    )
    AuthorityFactory(country=indonesia, official_name="Hidden (demo)", is_active=False)
    AuthorityFactory(country=brazil, official_name="Brazilian (demo)")
    return {
        "kementerian": kementerian,
        "kejaksaan": kejaksaan,
        "polri": polri,
        "cyber": cyber,
        "andi": andi,
        "budi": budi,
        "shared": shared,
    }


# Monday 9 March 2026, 13:30 in Jakarta: the ministry is at lunch, the prosecutors are open.
LUNCH = "2026-03-09T06:30:00Z"


def _contact(contact) -> dict:
    """A contact as anonymous callers receive it (name and title only among the restricted fields)."""
    return {
        "id": contact.pk,
        "authority": contact.authority_id,
        "country": "ID",
        "seat": contact.seat_id,
        "name": contact.name,
        "title": contact.title,
        "languages": ["en"],
        "timezone": "",
        "always_available": contact.always_available,
        "start_date": contact.start_date.isoformat(),
        "end_date": None,
        "is_current": True,
        "last_confirmed_at": contact.last_confirmed_at.isoformat().replace("+00:00", "Z"),
        "freshness": {"days": 0, "due": False, "overdue_days": 0},
    }


def test_finder_answer(client, jakarta):
    response = client.get("/api/v1/finder/", {"from": "BR", "to": "ID", "type": "mla", "at": LUNCH})
    assert response.status_code == 200
    body = response.json()
    kementerian = jakarta["kementerian"]
    assert {key: body[key] for key in ("from", "to", "type", "competence", "urgent", "shared_networks")} == {
        "from": {"iso2": "BR", "name": "Brazil", "official_languages": ["pt"]},
        "to": {"iso2": "ID", "name": "Indonesia"},
        "type": "mla",
        "competence": "mla_central",
        "urgent": False,
        "shared_networks": [{"slug": "globe-demo", "acronym": "GD", "name": "Global Demo Network"}],
    }
    assert [row["authority"]["official_name"] for row in body["authorities"]] == [
        "Kejaksaan Agung (demo)",
        "Kementerian Hukum (demo)",
        "Polri Hubinter (demo)",
    ]
    assert body["authorities"][1] == {
        "authority": {
            "id": kementerian.pk,
            "official_name": "Kementerian Hukum (demo)",
            "name": "Kementerian Hukum (demo)",
            "postal_address": "",
            "email": kementerian.email,
            "phone": "+62 21 1",
            "website": "",
            "timezone": "Asia/Jakarta",
        },
        "designation": {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": ""},
        "channels": ["direct", "diplomatic"],
        "urgent_channels": ["email"],
        "languages_accepted": ["en", "id", "pt"],
        "common_languages": ["pt"],
        "untoc_basis": True,
        "always_available": True,
        "availability": answer(
            False, "closed", "2026-03-09T13:30:00+07:00", "2026-03-09T14:00:00+07:00", zone="Asia/Jakarta"
        ),
        "contacts": [_contact(jakarta["andi"]), _contact(jakarta["budi"])],
    }
    kejaksaan = body["authorities"][0]
    assert (
        kejaksaan["availability"]["status"],
        kejaksaan["common_languages"],
        kejaksaan["untoc_basis"],
        kejaksaan["always_available"],
        kejaksaan["contacts"],
    ) == ("open", [], False, False, [])
    assert body["authorities"][2]["availability"] == answer(
        False, "closed", "2026-03-09T13:30:00+07:00", zone="Asia/Jakarta"
    )


def test_urgent_puts_24_7_options_first_then_open_ones(client, jakarta):
    body = client.get(
        "/api/v1/finder/", {"from": "BR", "to": "ID", "type": "mla", "at": LUNCH, "urgent": "true"}
    ).json()
    assert body["urgent"] is True
    assert [
        (row["authority"]["official_name"], row["always_available"], row["availability"]["open"])
        for row in body["authorities"]
    ] == [
        ("Kementerian Hukum (demo)", True, False),
        ("Kejaksaan Agung (demo)", False, True),
        ("Polri Hubinter (demo)", False, False),
    ]
    assert [c["name"] for c in body["authorities"][0]["contacts"]] == ["Budi (demo)", "Andi (demo)"]


def test_finder_for_extradition_uses_the_extradition_basis(client, jakarta):
    body = client.get("/api/v1/finder/", {"from": "BR", "to": "ID", "type": "extradition", "at": LUNCH}).json()
    assert [
        (row["authority"]["official_name"], row["untoc_basis"], row["designation"]["code"])
        for row in body["authorities"]
    ] == [("Kementerian Hukum (demo)", False, "extradition")]


def test_finder_for_cybercrime(client, jakarta):
    body = client.get(
        "/api/v1/finder/", {"from": "BR", "to": "ID", "type": "cybercrime", "urgent": "1", "at": LUNCH}
    ).json()
    assert [(row["authority"]["official_name"], row["availability"]["status"]) for row in body["authorities"]] == [
        ("Siber 24/7 (demo)", "always")
    ]


def test_finder_without_shared_network_or_authorities(client, jakarta, france):
    body = client.get("/api/v1/finder/", {"from": "ID", "to": "FR", "type": "mla"}).json()
    assert (body["shared_networks"], body["authorities"]) == ([], [])
    body = client.get("/api/v1/finder/", {"from": "ID", "to": "BR", "type": "mla"}).json()
    assert [row["authority"]["official_name"] for row in body["authorities"]] == ["Brazilian (demo)"]
    assert body["from"]["official_languages"] == ["id"]


def test_finder_shows_hidden_authorities_to_their_editors_only(personas, jakarta):
    def names(persona):
        body = personas[persona].get("/api/v1/finder/", {"from": "BR", "to": "ID", "type": "mla"}).json()
        return [row["authority"]["official_name"] for row in body["authorities"]]

    assert "Hidden (demo)" not in names("anonymous")
    assert "Hidden (demo)" not in names("coordinator")
    assert "Hidden (demo)" in names("coordinator_other")


def test_finder_contacts_follow_visibility(personas, users, jakarta):
    jakarta["andi"].visibility = {"name": "members", "phone": "public"}
    jakarta["andi"].save(update_fields=["visibility"])
    params = {"from": "BR", "to": "ID", "type": "mla", "at": LUNCH}

    def andi(client):
        rows = client.get("/api/v1/finder/", params).json()["authorities"]
        return next(c for c in rows[1]["contacts"] if c["id"] == jakarta["andi"].pk)

    assert sorted(andi(personas["anonymous"]).keys() & {"name", "phone", "email"}) == ["phone"]
    assert sorted(andi(token_client(users["member"])).keys() & {"name", "phone", "email"}) == ["email", "name", "phone"]


def test_finder_holiday_names_follow_lang(client, jakarta, brazil):
    AuthorityFactory(country=brazil, official_name="Brasília (demo)")
    params = {"from": "ID", "to": "BR", "type": "mla", "at": "2026-09-07T12:00:00-03:00"}
    holidays = [row["availability"]["holiday"] for row in client.get("/api/v1/finder/", params).json()["authorities"]]
    assert holidays == ["Independence Day", "Independence Day"]
    body = client.get("/api/v1/finder/", {**params, "lang": "pt"}).json()
    assert [row["availability"]["holiday"] for row in body["authorities"]] == ["Independência do Brasil"] * 2


REQUIRED = ["This field is required."]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"from": REQUIRED, "to": REQUIRED, "type": REQUIRED}),
        ({"from": "BR", "to": "ID"}, {"type": REQUIRED}),
        ({"from": "XX", "to": "ID", "type": "mla"}, {"from": ["Unknown country code XX."]}),
        (
            {"from": "BR", "to": "Indonesia", "type": "mla"},
            {"to": ["Use an ISO 3166-1 alpha-2 country code such as BR."]},
        ),
        ({"from": "BR", "to": "ID", "type": "piracy"}, {"type": ['"piracy" is not a valid choice.']}),
        ({"from": "BR", "to": "ID", "type": "mla_central"}, {"type": ['"mla_central" is not a valid choice.']}),
        ({"from": "BR", "to": "ID", "type": "mla", "urgent": "perhaps"}, {"urgent": ["Must be a valid boolean."]}),
        (
            {"from": "BR", "to": "br", "type": "mla"},
            {"to": ["The requested state must differ from the requesting state."]},
        ),
        ({"from": "BR", "to": "ID", "type": "mla", "at": "now"}, {"at": [NOT_ISO.format("now")]}),
    ],
)
def test_bad_finder_parameters_answer_400(client, jakarta, params, fields):
    response = client.get("/api/v1/finder/", params)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid", "message": "Invalid input.", "fields": fields}
    }


def test_finder_query_count_does_not_grow(client, jakarta, indonesia, django_assert_num_queries):
    params = {"from": "BR", "to": "ID", "type": "mla", "at": LUNCH}
    # Two countries; shared networks; the authorities, then competences, office hours, closures and contacts.
    with django_assert_num_queries(8):
        client.get("/api/v1/finder/", params)
    for _ in range(20):
        authority = AuthorityFactory(country=indonesia)
        ContactFactory(seat__authority=authority)
    with django_assert_num_queries(8):
        assert len(client.get("/api/v1/finder/", params).json()["authorities"]) == 23
