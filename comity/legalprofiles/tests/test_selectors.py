"""Reads: the federated search's hits, languages from the directory, compare, overdue, the country list."""

import datetime as dt

import pytest
from django.utils import timezone

from comity.core.search import terms_of
from comity.directory.tests.factories import AuthorityFactory
from comity.legalprofiles import selectors, services
from comity.legalprofiles.tests.factories import FicheFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(users, brazil, indonesia):
    actor = users["secretariat"]
    services.profile_update(actor=actor, country=brazil, data={"summary": "Banking secrecy yields to a court order."})
    services.rules_update(actor=actor, country=brazil, coop_type="mla", data={"practical_tips": "Call first."})
    services.profile_update(
        actor=actor, country=indonesia, data={"summary": "Banking secrecy applies.", "text_language": "id"}
    )
    services.fiche_update(
        actor=actor,
        country=brazil,
        measure="bank_records",
        data={"legal_conditions": "A court order lifts banking secrecy."},
    )
    services.fiche_update(
        actor=actor, country=brazil, measure="subscriber_data", data={"legal_conditions": "Banking not needed."}
    )


def keys(hits):
    return [(hit.kind, hit.key) for hit in hits]


def test_search_hits_find_profiles_and_fiches(indexed, users):
    hits = selectors.search_hits(terms=terms_of("BANKING secrecy"), user=None)
    assert sorted(keys(hits)) == [("measure", "BR/bank_records"), ("profile", "BR"), ("profile", "ID")]
    top = hits[0]
    assert (top.kind, top.key) == ("measure", "BR/bank_records")  # equal scores: by kind, then key
    assert top.url == "/en/legal/countries/BR/measures/bank_records/"
    assert top.title == "Bank records in Brazil"
    assert top.text == "A court order lifts banking secrecy."
    assert top.country == "BR"
    assert top.score == 2  # each term once in the text, neither in the title
    titled = selectors.search_hits(terms=terms_of("records secrecy"), user=None)
    assert [(hit.key, hit.score) for hit in titled] == [("BR/bank_records", 4)]
    profile_hit = next(hit for hit in hits if hit.key == "BR")
    assert profile_hit.text == "Banking secrecy yields to a court order. Call first."
    assert profile_hit.url == "/en/legal/countries/BR/"


def test_search_hits_filters(indexed, users):
    terms = terms_of("banking")
    assert keys(selectors.search_hits(terms=terms, user=users["member"], country="id")) == [("profile", "ID")]
    assert sorted(keys(selectors.search_hits(terms=terms, user=None, coop_type="cybercrime"))) == [
        ("measure", "BR/subscriber_data")
    ]
    assert sorted(keys(selectors.search_hits(terms=terms, user=None, coop_type="mla"))) == [
        ("measure", "BR/bank_records"),
        ("measure", "BR/subscriber_data"),
        ("profile", "BR"),
    ]
    assert selectors.search_hits(terms=terms, user=None, instrument="untoc") == []
    assert selectors.search_hits(terms=terms, user=None, coop_type="piracy") == []
    assert selectors.search_hits(terms=[], user=None) == []
    assert keys(selectors.search_hits(terms=terms, user=None, language="id")) == [("profile", "ID")]
    today = timezone.localdate()
    assert selectors.search_hits(terms=terms, user=None, date_from=today + dt.timedelta(days=1)) == []
    assert len(selectors.search_hits(terms=terms, user=None, date_to=today)) == 4
    assert len(selectors.search_hits(terms=terms, user=None, limit=2)) == 2
    assert selectors.search_hits(terms=terms_of("nowhere"), user=None) == []


def test_search_hits_query_count(indexed, django_assert_num_queries):
    with django_assert_num_queries(3):  # profiles, their rules, fiches
        selectors.search_hits(terms=terms_of("banking"), user=None)


def test_languages_come_from_the_competent_authorities(users, brazil, indonesia):
    AuthorityFactory(country=brazil, languages_accepted=["pt", "es"], competences=["mla_central"])
    AuthorityFactory(country=brazil, languages_accepted=["en", "pt"], competences=["mla_central", "extradition"])
    AuthorityFactory(country=brazil, languages_accepted=["fr"], competences=["mla_central"], is_active=False)
    AuthorityFactory(country=indonesia, languages_accepted=["id"], competences=["mla_central"])
    by_type = selectors.authorities_by_type(user=None, country=brazil)
    assert sorted(selectors.languages_for_type(by_type["mla"])) == ["en", "es", "pt"]
    assert selectors.languages_for_type(by_type["extradition"]) == ["en", "pt"]
    assert by_type["cybercrime"] == []
    # The secretariat also sees the inactive authority (as in the directory).
    assert "fr" in selectors.languages_for_type(
        selectors.authorities_by_type(user=users["secretariat"], country=brazil)["mla"]
    )


def test_compare_sides(br_profile, indonesia):
    brazil = br_profile.country
    sides = selectors.compare(user=None, a=brazil, b=indonesia, coop_type="mla")
    assert [s.country.iso2 for s in sides] == ["BR", "ID"]
    assert sides[0].rules.dual_criminality == "not_required"
    assert (sides[1].profile, sides[1].rules) == (None, None)
    assert sides[0].authorities[0]["languages"] == ["pt", "es"]
    sides = selectors.compare(user=None, a=brazil, b=indonesia, measure="bank_records")
    assert sides[0].fiche.availability == "available"
    assert sides[1].fiche is None


def test_overdue_for_editors_only(users, brazil, indonesia):
    old = timezone.now() - dt.timedelta(days=400)
    br = ProfileFactory(country=brazil, last_confirmed_at=old)
    ProfileFactory(country=indonesia, last_confirmed_at=old)
    FicheFactory(country=brazil, last_confirmed_at=old)
    mine = selectors.overdue_for(user=users["coordinator"])
    assert (mine["profiles"], [f.country.iso2 for f in mine["fiches"]]) == ([br], ["BR"])
    assert [p.country.iso2 for p in selectors.overdue_for(user=users["secretariat"])["profiles"]] == ["BR", "ID"]
    assert selectors.overdue_for(user=users["member"]) == {"profiles": [], "fiches": []}


def test_country_rows(br_profile, indonesia, france):
    rows = {row["country"].iso2: row for row in selectors.country_rows()}
    assert (rows["BR"]["has_profile"], rows["BR"]["fiches"]) == (True, 1)
    assert (rows["ID"]["has_profile"], rows["ID"]["fiches"]) == (False, 0)
    FicheFactory(country=france)
    rows = {row["country"].iso2: row for row in selectors.country_rows()}
    assert (rows["FR"]["has_profile"], rows["FR"]["fiches"]) == (False, 1)


def test_last_modified_follows_every_source(br_profile, br_authority):
    brazil = br_profile.country
    first = selectors.last_modified(iso2="br")
    assert first is not None
    br_authority.save()  # the directory's languages show on the page: its changes count
    assert selectors.last_modified(iso2="BR") > first
    assert selectors.last_modified(iso2="ZZ") is None
    assert brazil.iso2 == "BR"
