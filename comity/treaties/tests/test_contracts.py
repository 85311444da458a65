"""What other apps call: search_hits and instrument_choices (library), and the demo seed (demo orchestrator)."""

from __future__ import annotations

import datetime as dt

import pytest

from comity.core.search import terms_of
from comity.treaties import demo, selectors
from comity.treaties.models import Instrument, Party
from comity.treaties.tests.conftest import make_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(untoc):
    make_instrument(
        "uncac",
        title="United Nations Convention against Corruption",
        titles={"fr": "Convention des Nations Unies contre la corruption"},
        covers={"asset_recovery": "chapter V", "mla": "art. 46"},
        adopted_on=dt.date(2003, 10, 31),
    )
    make_instrument(
        "budapest", title="Convention on Cybercrime", covers={"cybercrime": "art. 35"}, adopted_on=dt.date(2001, 11, 23)
    )
    return untoc


def test_search_hits(catalogue, users):
    hits = selectors.search_hits(terms=terms_of("Convention"), user=None)
    assert [h.key for h in hits] == ["budapest", "uncac"]
    hit = hits[1]
    assert (hit.kind, hit.title, hit.url, hit.visibility) == (
        "instrument",
        "United Nations Convention against Corruption",
        "/en/legal/instruments/uncac/",
        "public",
    )
    assert (
        hit.text
        == "United Nations Convention against Corruption Asset recovery: chapter V; Mutual legal assistance: art. 46"
    )
    assert hit.score == 4.0


def test_search_hits_filters(catalogue, users):
    terms = terms_of("convention")
    assert [h.key for h in selectors.search_hits(terms=terms, user=None, coop_type="cybercrime")] == ["budapest"]
    assert [h.key for h in selectors.search_hits(terms=terms, user=None, language="fr")] == ["uncac"]
    assert selectors.search_hits(terms=terms, user=None, language="fr")[0].title == (
        "Convention des Nations Unies contre la corruption"
    )
    assert [h.key for h in selectors.search_hits(terms=terms, user=None, instrument="budapest")] == ["budapest"]
    assert [h.key for h in selectors.search_hits(terms=terms, user=None, date_from=dt.date(2002, 1, 1))] == ["uncac"]
    assert [h.key for h in selectors.search_hits(terms=terms, user=None, date_to=dt.date(2002, 1, 1))] == ["budapest"]
    assert selectors.search_hits(terms=terms, user=None, country="BR") == []
    assert [h.key for h in selectors.search_hits(terms=terms_of("art. 18"), user=None, country="br")] == ["untoc"]
    assert len(selectors.search_hits(terms=terms, user=users["member"], limit=1)) == 1
    assert selectors.search_hits(terms=[], user=None) == []


def test_instrument_choices(catalogue):
    from django.utils import translation

    assert selectors.instrument_choices() == [
        ("budapest", "Convention on Cybercrime"),
        ("uncac", "United Nations Convention against Corruption"),
        ("untoc", "Untoc"),
    ]
    with translation.override("fr"):
        assert selectors.instrument_choices() == [
            ("uncac", "Convention des Nations Unies contre la corruption"),
            ("budapest", "Convention on Cybercrime"),
            ("untoc", "Untoc"),
        ]


def test_demo_seed_is_idempotent(brazil, indonesia, monkeypatch):
    monkeypatch.setattr("comity.legalprofiles.selectors.domestic_basis_text", lambda **kwargs: None)
    assert demo.treaties_demo_seed() == {"instruments_created": 1, "parties_created": 2, "countries_missing": []}
    assert demo.treaties_demo_seed() == {"instruments_created": 0, "parties_created": 0, "countries_missing": []}
    treaty = Instrument.objects.get(slug=demo.DEMO_SLUG)
    assert treaty.is_demo is True and treaty.kind == "bilateral"
    assert Party.objects.filter(instrument=treaty, verified=False).count() == 2
    result = selectors.legal_basis(requesting=brazil, requested=indonesia, coop_type="mla", on=dt.date(2026, 11, 27))
    assert [(b.instrument.slug, b.since) for b in result.bases] == [(demo.DEMO_SLUG, dt.date(2025, 6, 1))]


def test_demo_seed_without_countries(db):
    assert demo.treaties_demo_seed() == {
        "instruments_created": 0,
        "parties_created": 0,
        "countries_missing": ["BR", "ID"],
    }


def test_demo_seed_refused_in_production(settings, brazil, indonesia):
    from django.core.exceptions import ImproperlyConfigured

    settings.COMITY_ENVIRONMENT = "production"
    with pytest.raises(ImproperlyConfigured):
        demo.treaties_demo_seed()
