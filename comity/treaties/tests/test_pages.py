"""Treaty pages: public reads with conditional GETs and constant query counts, the permission matrix of every
page, and the forms (created, changed, rejected with the field named, nothing changed after a refusal)."""

from __future__ import annotations

import datetime as dt

import pytest

from comity import testing
from comity.audit.models import AuditAction, AuditEvent
from comity.reference.tests.factories import CountryFactory
from comity.testing import check_matrix
from comity.treaties.models import Coverage, Declaration, Instrument, Party
from comity.treaties.tests.conftest import make_instrument, make_party

D = dt.date
pytestmark = pytest.mark.django_db

EVERYONE = (
    "anonymous",
    "member",
    "member_other",
    "coordinator",
    "coordinator_other",
    "secretariat",
    "observer",
    "liaison",
    "moderator",
)


class Unchanged(testing.Unchanged):
    tables = (Instrument, Coverage, Party, Declaration)


@pytest.fixture(autouse=True)
def _no_profile(monkeypatch):
    monkeypatch.setattr(
        "comity.legalprofiles.selectors.domestic_basis_text",
        lambda *, country_iso2, coop_type: "Reciprocity under the law of Indonesia.",
    )


@pytest.fixture
def bilateral(brazil, indonesia):
    treaty = make_instrument("br-id", kind="bilateral", in_force_on=D(2020, 1, 1), is_demo=True)
    treaty.states.set([brazil, indonesia])
    make_party(treaty, brazil, in_force_on=D(2020, 1, 1))
    make_party(treaty, indonesia, in_force_on=D(2020, 1, 1))
    return treaty


def expect(value, **overrides):
    return {persona: overrides.get(persona, value) for persona in EVERYONE}


def test_public_pages_matrix(personas, untoc, bilateral):
    for url in (
        "/en/legal/instruments/",
        "/en/legal/instruments/untoc/",
        "/en/legal/instruments/br-id/",
        "/en/legal/basis/",
        "/en/legal/basis/?from=BR&to=ID&type=mla&on=2026-11-27",
        "/en/legal/instruments/status/",
        "/en/legal/instruments/status.csv",
        "/en/legal/instruments/overview/",
    ):
        check_matrix(personas, "GET", url, expect(200))
    check_matrix(personas, "GET", "/en/legal/instruments/nope/", expect(404))


def test_editor_pages_matrix(personas, untoc, bilateral):
    # Pages for writers only: anonymous visitors go to sign-in; others who may not use them get 404.
    create = expect(404, anonymous=302, coordinator=200, coordinator_other=200, secretariat=200)
    check_matrix(personas, "GET", "/en/legal/instruments/new/", create)
    check_matrix(personas, "GET", "/en/legal/instruments/br-id/edit/", create)
    check_matrix(personas, "GET", "/en/legal/instruments/untoc/edit/", expect(404, anonymous=302, secretariat=200))
    check_matrix(personas, "GET", "/en/legal/instruments/untoc/parties/new/", create)
    check_matrix(
        personas,
        "GET",
        "/en/legal/instruments/untoc/parties/BR/edit/",
        expect(404, anonymous=302, coordinator=200, secretariat=200),
    )
    check_matrix(
        personas, "GET", "/en/legal/instruments/untoc/parties/import/", expect(404, anonymous=302, secretariat=200)
    )


def test_verify_matrix(personas, untoc, brazil):
    party = untoc.parties.get(country=brazil)
    url = "/en/legal/instruments/untoc/parties/BR/verify/"
    for persona in ("member", "member_other", "coordinator", "coordinator_other", "observer"):
        guard = Unchanged(party)
        assert personas[persona].post(url).status_code == 404
        guard.check()
    assert personas["anonymous"].post(url).status_code == 302
    assert personas["secretariat"].post(url).status_code == 302
    party.refresh_from_db()
    assert party.verified is True
    assert AuditEvent.objects.latest("seq").action == AuditAction.PARTY_VERIFIED


def test_detail_shows_unverified_and_demo(client, bilateral):
    html = client.get("/en/legal/instruments/br-id/").content.decode()
    assert html.count(">unverified</span>") == 2
    assert "This is demo data: a fictitious instrument, not a real treaty." in html


def test_basis_page_result(client, untoc, bilateral):
    response = client.get("/en/legal/basis/?from=BR&to=ID&type=mla&on=2026-11-27")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Bilateral treaty") < html.index("Multilateral convention")
    assert 'id="basis-br-id"' in html and 'id="basis-untoc"' in html
    fallback = client.get("/en/legal/basis/?from=BR&to=ID&type=cybercrime&on=2026-11-27").content.decode()
    assert "Reciprocity under the law of Indonesia." in fallback


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=BR&to=ID&type=mla&on=2026-02-30", "“2026-02-30” is not a date: write it YYYY-MM-DD."),
        ("from=BR&to=ZZ&type=mla", "Select a valid choice. ZZ is not one of the available choices."),
        ("from=BR&to=ID&type=help", "Select a valid choice. help is not one of the available choices."),
    ],
)
def test_basis_page_rejects(client, brazil, indonesia, query, message):
    response = client.get(f"/en/legal/basis/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_conditional_get(client, untoc):
    for url in ("/en/legal/instruments/", "/en/legal/instruments/untoc/", "/en/legal/basis/?from=BR&to=ID&type=mla"):
        first = client.get(url)
        assert first.status_code == 200
        assert first.has_header("ETag") and first.has_header("Last-Modified")
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
    first = client.get("/en/legal/instruments/untoc/")
    Instrument.objects.filter(pk=untoc.pk).update(updated_at=untoc.updated_at + dt.timedelta(seconds=5))
    assert client.get("/en/legal/instruments/untoc/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def _grow(n: int, brazil, indonesia):
    countries = [CountryFactory(iso2=f"Q{chr(65 + i)}", name_en=f"Q{i}") for i in range(n)]
    for i in range(n):
        treaty = make_instrument(f"grow-{n}-{i}", in_force_on=D(2000, 1, 1), covers={"mla": "1", "extradition": "2"})
        for country in (brazil, indonesia, *countries):
            make_party(
                treaty,
                country,
                in_force_on=D(2000, 1, 1),
                declarations=[{"text": "d", "types": ["mla"], "excludes": False, "articles": "1"}],
            )


@pytest.mark.parametrize(
    "url",
    [
        "/en/legal/instruments/",
        "/en/legal/instruments/untoc/",
        "/en/legal/basis/?from=BR&to=ID&type=mla&on=2026-11-27",
        "/en/legal/instruments/status/",
        "/en/legal/instruments/overview/",
    ],
)
def test_query_counts_do_not_grow(client, untoc, brazil, indonesia, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(2, brazil, indonesia)
    Party.objects.filter(instrument=untoc).update(verified=False)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(6, brazil, indonesia)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_status_csv(client, untoc, brazil, indonesia, france):
    response = client.get("/en/legal/instruments/status.csv")
    assert response.status_code == 200
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "iso2,country,untoc",
        "BR,Brazil,in_force (unverified)",
        "FR,France,",
        "ID,Indonesia,in_force (unverified)",
    ]
    assert client.get("/en/legal/instruments/status.csv?network=nope").status_code == 400


def test_status_filters(client, untoc, iberred):
    html = client.get("/en/legal/instruments/status/?network=iberred").content.decode()
    assert "Brazil" in html and "Indonesia" not in html
    assert client.get("/en/legal/instruments/status/?region=999").status_code == 400


# --- forms --------------------------------------------------------------------------------------------------------

FORM = {
    "slug": "br-id-mla",
    "title": "MLA Treaty Brazil Indonesia (test)",
    "kind": "bilateral",
    "state_a": "BR",
    "state_b": "ID",
    "adopted_on": "2024-01-01",
    "in_force_on": "2025-01-01",
    "covers_mla": "art. 1",
    "covers_asset_recovery": "-",
    "title_fr": "Traité (test)",
}


def test_coordinator_creates_bilateral(personas):
    response = personas["coordinator"].post("/en/legal/instruments/new/", FORM)
    assert response.status_code == 302
    treaty = Instrument.objects.get(slug="br-id-mla")
    assert sorted(c.iso2 for c in treaty.states.all()) == ["BR", "ID"]
    assert sorted((c.coop_type, c.articles) for c in treaty.coverages.all()) == [
        ("asset_recovery", ""),
        ("mla", "art. 1"),
    ]
    assert treaty.titles == {"fr": "Traité (test)"}


def test_coordinator_cannot_create_other_bilateral(personas, france, japan):
    guard = Unchanged()
    response = personas["coordinator"].post("/en/legal/instruments/new/", {**FORM, "state_a": "FR", "state_b": "JP"})
    assert response.status_code == 400
    assert "You may create bilateral treaties of the countries you coordinate only." in response.content.decode()
    guard.check()


def test_form_names_the_date_field(personas):
    guard = Unchanged()
    response = personas["secretariat"].post("/en/legal/instruments/new/", {**FORM, "in_force_on": "2023-01-01"})
    assert response.status_code == 400
    assert "The instrument cannot enter into force before it was adopted." in response.content.decode()
    guard.check()


def test_party_form(personas, untoc, brazil):
    url = "/en/legal/instruments/untoc/parties/BR/edit/"
    guard = Unchanged(*untoc.parties.all())
    response = personas["coordinator"].post(url, {"consent_on": "2004-01-29", "in_force_on": "2003-01-01"})
    assert response.status_code == 400
    assert "The instrument cannot enter into force for a state before its consent." in response.content.decode()
    guard.check()
    response = personas["coordinator"].post(
        url,
        {
            "consent_kind": "ratification",
            "consent_on": "2004-01-29",
            "in_force_on": "2004-02-28",
            "declarations": "extradition | yes | 16(5) | Not a legal basis for extradition.",
        },
    )
    assert response.status_code == 302
    party = untoc.parties.get(country=brazil)
    assert [(d.types, d.excludes, d.articles) for d in party.declarations.all()] == [(["extradition"], True, "16(5)")]


def test_party_create_form_limits_countries(personas, untoc, france):
    html = personas["coordinator"].get("/en/legal/instruments/untoc/parties/new/").content.decode()
    assert 'value="BR"' in html and 'value="FR"' not in html
    response = personas["coordinator"].post("/en/legal/instruments/untoc/parties/new/", {"country": "FR"})
    assert response.status_code == 400
    assert untoc.parties.filter(country=france).count() == 0
    response = personas["secretariat"].post("/en/legal/instruments/untoc/parties/new/", {"country": "FR"})
    assert response.status_code == 302
    assert untoc.parties.filter(country=france).count() == 1
