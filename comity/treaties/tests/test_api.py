"""Treaties API: the shapes of every endpoint, who may write, and every rejected input (nothing changes after it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from comity import testing
from comity.accounts.services.tokens import api_token_create
from comity.audit.models import AuditAction, AuditEvent
from comity.treaties.models import Coverage, Declaration, Instrument, Party
from comity.treaties.tests.conftest import make_instrument

D = dt.date
pytestmark = pytest.mark.django_db


class Unchanged(testing.Unchanged):
    tables = (Instrument, Coverage, Party, Declaration)


@pytest.fixture(autouse=True)
def _no_profile(monkeypatch):
    monkeypatch.setattr(
        "comity.legalprofiles.selectors.domestic_basis_text",
        lambda *, country_iso2, coop_type: f"Domestic law of {country_iso2}.",
    )


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


NEW = {
    "slug": "br-id-extradition",
    "title": "Extradition Treaty between Brazil and Indonesia (test)",
    "titles": {"fr": "Traité d'extradition (test)"},
    "kind": "bilateral",
    "states": ["BR", "ID"],
    "covers": [{"type": "extradition", "articles": "art. 1"}],
    "adopted_on": "2024-01-10",
    "in_force_on": "2025-02-01",
    "source": "https://example.test/treaty",
    "as_of": "2026-11-01",
}


# --- reads ---------------------------------------------------------------------------------------------------------


def test_instrument_list_and_detail_shapes(client, untoc):
    body = client.get("/api/v1/instruments/").json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "slug": "untoc",
        "title": "Untoc",
        "title_localized": "Untoc",
        "titles": {},
        "kind": "multilateral",
        "covers": [{"type": "extradition", "articles": "art. 16"}, {"type": "mla", "articles": "art. 18"}],
        "states": [],
        "adopted_on": "2000-11-15",
        "in_force_on": "2003-09-29",
        "text_url": "",
        "text": "",
        "source": "test",
        "as_of": None,
        "is_demo": False,
        "updated_at": body["results"][0]["updated_at"],
        "url": "/en/legal/instruments/untoc/",
    }
    assert client.get("/api/v1/instruments/untoc/").json() == body["results"][0]
    assert client.get("/api/v1/instruments/nope/").status_code == 404


def test_instrument_list_filters(client, untoc):
    make_instrument("cyber", covers={"cybercrime": "art. 35"})
    assert [r["slug"] for r in client.get("/api/v1/instruments/?type=cybercrime").json()["results"]] == ["cyber"]
    assert client.get("/api/v1/instruments/?kind=bilateral").json()["count"] == 0
    response = client.get("/api/v1/instruments/?kind=treaty&type=x")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"kind", "type"}


def test_party_list_shape(client, untoc, brazil):
    party = untoc.parties.get(country=brazil)
    party.declarations.create(text="Decl.", types=["mla"], excludes=False, articles="18(13)")
    body = client.get("/api/v1/instruments/untoc/parties/").json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "instrument": "untoc",
        "country": "BR",
        "country_name": "Brazil",
        "signed_on": None,
        "consent_on": "2004-01-29",
        "consent_kind": "ratification",
        "in_force_on": "2004-02-28",
        "withdrawn_on": None,
        "verified": False,
        "verified_at": None,
        "source": "",
        "as_of": None,
        "declarations": [{"text": "Decl.", "types": ["mla"], "excludes": False, "articles": "18(13)"}],
        "updated_at": body["results"][0]["updated_at"],
    }


def test_legal_basis_shape(client, untoc):
    response = client.get("/api/v1/legal-basis/?from=BR&to=ID&type=mla&on=2026-11-27")
    assert response.status_code == 200
    assert response.json() == {
        "from": "BR",
        "to": "ID",
        "type": "mla",
        "on": "2026-11-27",
        "bases": [
            {
                "instrument": "untoc",
                "kind": "multilateral",
                "title": "Untoc",
                "articles": "art. 18",
                "in_force_for_both_since": "2009-05-20",
                "declarations": [],
                "verified": False,
            }
        ],
        "excluded": [],
        "fallback": None,
    }


def test_legal_basis_fallback(client, untoc):
    body = client.get("/api/v1/legal-basis/?from=BR&to=ID&type=cybercrime&on=2026-11-27").json()
    assert body["bases"] == []
    assert body["fallback"].endswith(" Domestic law of ID.")


def test_legal_basis_defaults_to_today(client, untoc):
    from django.utils import timezone

    assert client.get("/api/v1/legal-basis/?from=br&to=id&type=mla").json()["on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=BR&to=ID&type=mla&on=2026-13-01", {"on"}),
        ("from=BR&to=ID&type=mla&on=27/11/2026", {"on"}),
        ("from=XX&to=ID&type=mla", {"from"}),
        ("from=BR&to=Indonesia&type=mla", {"to"}),
        ("from=BR&to=ID&type=treaty", {"type"}),
        ("to=ID", {"from", "type"}),
        ("from=BR&to=BR&type=mla", {"to"}),
    ],
)
def test_legal_basis_rejects(client, brazil, indonesia, query, fields):
    response = client.get(f"/api/v1/legal-basis/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == fields


# --- writes: instruments ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("member", 403),
        ("member_other", 403),
        ("observer", 403),
        ("liaison", 403),
        ("coordinator_other", 201),
        ("coordinator", 201),
        ("secretariat", 201),
    ],
)
def test_create_bilateral_matrix(personas, persona, status):
    before = AuditEvent.objects.count()
    response = post(personas[persona], "/api/v1/instruments/", NEW)
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["states"] == ["BR", "ID"]
        assert response.json()["covers"] == [{"type": "extradition", "articles": "art. 1"}]
        event = AuditEvent.objects.latest("seq")
        assert event.action == AuditAction.INSTRUMENT_CREATED
        assert event.details["slug"] == "br-id-extradition"
    else:
        assert Instrument.objects.count() == 0
        assert AuditEvent.objects.count() == before


def test_coordinator_cannot_create_multilateral_or_other_countries_bilateral(personas, france, japan):
    guard = Unchanged()
    assert (
        post(personas["coordinator"], "/api/v1/instruments/", {**NEW, "kind": "multilateral", "states": []}).status_code
        == 403
    )
    assert post(personas["coordinator"], "/api/v1/instruments/", {**NEW, "states": ["FR", "JP"]}).status_code == 403
    guard.check()


def test_read_scope_token_cannot_write(users):
    _token, raw = api_token_create(user=users["secretariat"], name="t", scope="read")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert post(client, "/api/v1/instruments/", NEW).status_code == 403
    _token, raw = api_token_create(user=users["secretariat"], name="w", scope="write")
    client = Client(headers={"authorization": f"Bearer {raw}"})
    assert post(client, "/api/v1/instruments/", NEW).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "treaty"}, "kind"),
        ({"covers": [{"type": "mla_central", "articles": "x"}]}, "covers"),
        ({"states": ["BR", "XX"]}, "states"),
        ({"states": ["BR"]}, "states"),
        ({"adopted_on": "2024-02-30"}, "adopted_on"),
        ({"in_force_on": "2020-01-01"}, "in_force_on"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "status"}, "slug"),
        ({"title": ""}, "title"),
        ({"titles": {"xx": "?"}}, "titles"),
        ({"text_url": "javascript:alert(1)"}, "text_url"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_rejects(personas, change, field):
    guard = Unchanged()
    response = post(personas["secretariat"], "/api/v1/instruments/", {**NEW, **change})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    guard.check()


def test_duplicate_slug(personas, untoc):
    response = post(personas["secretariat"], "/api/v1/instruments/", {**NEW, "slug": "untoc"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["slug"]


def test_patch_matrix(personas, brazil, indonesia, france, japan):
    bilateral = make_instrument("br-id", kind="bilateral")
    bilateral.states.set([brazil, indonesia])
    other = make_instrument("fr-jp", kind="bilateral")
    other.states.set([france, japan])
    url = "/api/v1/instruments/br-id/"
    for persona in ("anonymous", "member", "member_other", "observer"):
        guard = Unchanged(bilateral)
        assert patch(personas[persona], url, {"title": "x"}).status_code == (401 if persona == "anonymous" else 404)
        guard.check()
    guard = Unchanged(other)
    assert patch(personas["coordinator"], "/api/v1/instruments/fr-jp/", {"title": "x"}).status_code == 404
    guard.check()
    response = patch(personas["coordinator"], url, {"title": "Renamed", "covers": [{"type": "mla", "articles": "2"}]})
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["covers"] == [{"type": "mla", "articles": "2"}]
    assert AuditEvent.objects.latest("seq").action == AuditAction.INSTRUMENT_UPDATED
    assert patch(personas["secretariat"], "/api/v1/instruments/fr-jp/", {"title": "Y"}).status_code == 200


def test_coordinator_cannot_move_own_bilateral_away(personas, brazil, indonesia, france, japan):
    bilateral = make_instrument("br-id", kind="bilateral")
    bilateral.states.set([brazil, indonesia])
    guard = Unchanged(bilateral)
    assert patch(personas["coordinator"], "/api/v1/instruments/br-id/", {"states": ["FR", "JP"]}).status_code == 403
    guard.check()


def test_patch_instrument_date_after_a_party(personas, untoc):
    guard = Unchanged(untoc)
    response = patch(personas["secretariat"], "/api/v1/instruments/untoc/", {"in_force_on": "2005-01-01"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["in_force_on"]
    guard.check()


# --- writes: parties ------------------------------------------------------------------------------------------------


def test_post_party_creates_then_updates(personas, untoc, france):
    url = "/api/v1/instruments/untoc/parties/"
    body = {
        "country": "fr",
        "signed_on": "2000-12-12",
        "consent_on": "2002-10-29",
        "consent_kind": "approval",
        "in_force_on": "2003-09-29",
        "declarations": [
            {"text": "No extradition on this basis.", "types": ["extradition"], "excludes": True, "articles": "16(5)"}
        ],
    }
    response = post(personas["secretariat"], url, body)
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "FR"
    assert response.json()["declarations"] == [
        {"text": "No extradition on this basis.", "types": ["extradition"], "excludes": True, "articles": "16(5)"}
    ]
    assert AuditEvent.objects.latest("seq").action == AuditAction.PARTY_CREATED
    response = post(personas["secretariat"], url, {"country": "FR", "withdrawn_on": "2026-01-01"})
    assert response.status_code == 200
    assert response.json()["withdrawn_on"] == "2026-01-01"
    assert response.json()["declarations"][0]["articles"] == "16(5)"
    assert AuditEvent.objects.latest("seq").action == AuditAction.PARTY_UPDATED


def test_party_permission_matrix(personas, untoc, brazil, indonesia):
    url = "/api/v1/instruments/untoc/parties/"
    for persona in ("anonymous", "member", "member_other", "observer", "liaison", "moderator", "coordinator_other"):
        guard = Unchanged(*untoc.parties.all())
        response = post(personas[persona], url, {"country": "BR", "withdrawn_on": "2026-01-01"})
        assert response.status_code == (401 if persona == "anonymous" else 403)
        guard.check()
    response = post(personas["coordinator"], url, {"country": "BR", "withdrawn_on": "2026-01-01"})
    assert response.status_code == 200
    assert post(personas["coordinator_other"], url, {"country": "ID", "source": "gazette"}).status_code == 200


def test_only_the_secretariat_verifies(personas, untoc):
    url = "/api/v1/instruments/untoc/parties/"
    guard = Unchanged(*untoc.parties.all())
    response = post(personas["coordinator"], url, {"country": "BR", "verified": True})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["verified"]
    guard.check()
    response = post(personas["secretariat"], url, {"country": "BR", "verified": True})
    assert response.json()["verified"] is True
    # A later change by a coordinator makes the row unverified again.
    assert post(personas["coordinator"], url, {"country": "BR", "source": "gazette"}).json()["verified"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "XX"}, "country"),
        ({}, "country"),
        ({"country": "BR", "consent_kind": "signature"}, "consent_kind"),
        ({"country": "BR", "signed_on": "2005-01-01", "consent_on": "2004-01-29"}, "consent_on"),
        ({"country": "BR", "in_force_on": "2004-01-01"}, "in_force_on"),
        ({"country": "BR", "consent_on": "2004-01-29", "in_force_on": "2003-12-01"}, "in_force_on"),
        ({"country": "BR", "withdrawn_on": "2004-01-01"}, "withdrawn_on"),
        ({"country": "BR", "consent_on": "29 Jan 2004"}, "consent_on"),
        ({"country": "BR", "declarations": [{"text": "x", "types": ["mla_central"]}]}, "declarations"),
        ({"country": "BR", "declarations": [{"text": "", "types": ["mla"]}]}, "declarations"),
        ({"country": "BR", "declarations": [{"text": "x", "excludes": "yes"}]}, "declarations"),
        ({"country": "BR", "ratified": "2004-01-01"}, "ratified"),
    ],
)
def test_party_rejects(personas, untoc, body, field):
    guard = Unchanged(*untoc.parties.all())
    response = post(personas["secretariat"], "/api/v1/instruments/untoc/parties/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    guard.check()


def test_party_before_the_instrument(personas, france):
    treaty = make_instrument("late", in_force_on=D(2010, 1, 1))
    response = post(
        personas["secretariat"], "/api/v1/instruments/late/parties/", {"country": "FR", "in_force_on": "2009-12-31"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "in_force_on": [
            "The instrument itself entered into force on 2010-01-01; it cannot be in force for a party earlier."
        ]
    }
    assert treaty.parties.count() == 0


def test_party_of_missing_instrument(personas):
    assert post(personas["secretariat"], "/api/v1/instruments/nope/parties/", {"country": "BR"}).status_code == 404


def test_schema_is_valid(client):
    assert client.get("/api/v1/schema/").status_code == 200


def test_legal_basis_excluded_by_the_requesting_states_reservation(client, untoc, brazil):
    untoc.parties.get(country=brazil).declarations.create(
        text="Brazil does not apply art. 16 as the legal basis for extradition.",
        types=["extradition", "mla"],
        excludes=True,
        articles="16(5)",
    )
    body = client.get("/api/v1/legal-basis/?from=BR&to=ID&type=extradition&on=2026-11-27").json()
    assert body["bases"] == []
    assert body["excluded"] == [
        {
            "instrument": "untoc",
            "reason": "Declaration or reservation of BR (16(5)): Brazil does not apply art. 16 as the legal basis for "
            "extradition.",
        }
    ]
    assert body["fallback"].endswith(" Domestic law of ID.")


def test_patch_slug_taken_between_check_and_write(personas, untoc, monkeypatch):
    from comity.treaties import services

    monkeypatch.setattr(services, "_slug_taken", lambda slug, instrument: False)
    guard = Unchanged(untoc)
    response = post(personas["secretariat"], "/api/v1/instruments/", {**NEW, "slug": "untoc"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"slug": ["Another instrument already has this slug."]}
    guard.check()
