"""The legal-basis finder on hand-made instruments: what binds both states on a date, and what does not."""

from __future__ import annotations

import datetime as dt

import pytest

from comity.reference.tests.factories import CountryFactory
from comity.treaties import selectors
from comity.treaties.tests.conftest import make_instrument, make_party

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_profile(monkeypatch):
    monkeypatch.setattr("comity.legalprofiles.selectors.domestic_basis_text", lambda *, country_iso2, coop_type: None)


ASKED_ON = D(2026, 11, 27)


def find(a, b, coop_type="mla", on=ASKED_ON):
    return selectors.legal_basis(requesting=a, requested=b, coop_type=coop_type, on=on).as_api()


def test_multilateral_in_force_for_both(brazil, indonesia, untoc):
    result = find(brazil, indonesia)
    assert result["from"] == "BR" and result["to"] == "ID" and result["type"] == "mla" and result["on"] == "2026-11-27"
    assert result["bases"] == [
        {
            "instrument": "untoc",
            "kind": "multilateral",
            "title": "Untoc",
            "articles": "art. 18",
            "in_force_for_both_since": "2009-05-20",
            "declarations": [],
            "verified": False,
        }
    ]
    assert result["excluded"] == []
    assert result["fallback"] is None


def test_type_not_covered(brazil, indonesia, untoc):
    result = find(brazil, indonesia, coop_type="cybercrime")
    assert result["bases"] == []
    assert result["fallback"] == (
        "No instrument recorded in Comity binds Brazil and Indonesia for this on that date. Indonesia may still "
        "cooperate on the basis of reciprocity (an assurance that Brazil would do the same in a similar case) or of "
        "its domestic law. The legal profile of Indonesia says nothing yet about cooperating without a treaty."
    )


def test_in_force_for_one_party_only(brazil, indonesia, france, untoc):
    assert find(brazil, france)["bases"] == []


def test_not_yet_in_force_for_one_on_the_date(brazil, indonesia, untoc):
    assert find(brazil, indonesia, on=D(2009, 5, 19))["bases"] == []
    assert [b["instrument"] for b in find(brazil, indonesia, on=D(2009, 5, 20))["bases"]] == ["untoc"]


def test_instrument_not_yet_in_force_on_the_date(brazil, indonesia):
    late = make_instrument("late", in_force_on=D(2027, 1, 1))
    make_party(late, brazil, consent_on=D(2025, 1, 1), in_force_on=D(2027, 1, 1))
    make_party(late, indonesia, consent_on=D(2025, 1, 1), in_force_on=D(2027, 1, 1))
    assert find(brazil, indonesia)["bases"] == []
    assert [b["instrument"] for b in find(brazil, indonesia, on=D(2027, 1, 1))["bases"]] == ["late"]


def test_future_entry_into_force_for_a_party(brazil, indonesia, untoc):
    untoc.parties.filter(country=indonesia).update(consent_on=D(2026, 10, 1), in_force_on=D(2026, 12, 31))
    assert find(brazil, indonesia)["bases"] == []


def test_withdrawn_party_stops_on_its_withdrawal_date(brazil, indonesia, untoc):
    untoc.parties.filter(country=brazil).update(withdrawn_on=D(2026, 11, 27))
    assert find(brazil, indonesia, on=D(2026, 11, 26))["bases"][0]["instrument"] == "untoc"
    assert find(brazil, indonesia, on=D(2026, 11, 27))["bases"] == []


def test_signatory_only_is_not_bound(brazil, indonesia):
    treaty = make_instrument("signed-only", in_force_on=D(2010, 1, 1))
    make_party(treaty, brazil, in_force_on=D(2010, 1, 1))
    make_party(treaty, indonesia, signed_on=D(2009, 1, 1))
    assert find(brazil, indonesia)["bases"] == []


def test_excluding_declaration_moves_to_excluded(brazil, indonesia, untoc):
    party = untoc.parties.get(country=indonesia)
    party.declarations.create(
        text="Indonesia does not take the Convention as the legal basis for extradition.",
        types=["extradition"],
        excludes=True,
        articles="16(5)",
    )
    party.declarations.create(text="Requests in English.", types=["mla"], excludes=False, articles="18(14)")
    extradition = find(brazil, indonesia, coop_type="extradition")
    assert extradition["bases"] == []
    assert extradition["excluded"] == [
        {
            "instrument": "untoc",
            "reason": "Declaration or reservation of ID (16(5)): Indonesia does not take the Convention as the "
            "legal basis for extradition.",
        }
    ]
    mla = find(brazil, indonesia)
    assert mla["excluded"] == []
    assert mla["bases"][0]["declarations"] == [
        {"state": "ID", "text": "Requests in English.", "types": ["mla"], "excludes": False, "articles": "18(14)"}
    ]


def test_bilateral_then_regional_then_multilateral_then_scheme(brazil, indonesia, untoc):
    bilateral = make_instrument("br-id", kind="bilateral", covers={"mla": "art. 2"}, in_force_on=D(2020, 1, 1))
    make_party(bilateral, brazil, in_force_on=D(2020, 1, 1), verified=True)
    make_party(bilateral, indonesia, in_force_on=D(2020, 3, 1), verified=True)
    regional = make_instrument("regional", kind="regional", in_force_on=D(2000, 1, 1))
    make_party(regional, brazil, in_force_on=D(2001, 1, 1))
    make_party(regional, indonesia, in_force_on=D(2002, 1, 1))
    scheme = make_instrument("scheme", kind="scheme", covers={"mla": ""})
    make_party(scheme, brazil)
    make_party(scheme, indonesia)
    result = find(brazil, indonesia)
    assert [(b["instrument"], b["kind"], b["in_force_for_both_since"], b["verified"]) for b in result["bases"]] == [
        ("br-id", "bilateral", "2020-03-01", True),
        ("regional", "regional", "2002-01-01", False),
        ("untoc", "multilateral", "2009-05-20", False),
        ("scheme", "scheme", None, False),
    ]
    assert result["fallback"] is None


def test_scheme_applies_among_its_members_only(brazil, indonesia, france):
    scheme = make_instrument("scheme", kind="scheme")
    make_party(scheme, brazil)
    make_party(scheme, indonesia)
    assert [b["instrument"] for b in find(brazil, indonesia)["bases"]] == ["scheme"]
    assert find(brazil, france)["bases"] == []


def test_since_is_the_later_of_the_parties_and_the_instrument(brazil, indonesia):
    treaty = make_instrument("t", in_force_on=D(2015, 6, 1))
    make_party(treaty, brazil, in_force_on=D(2015, 6, 1))
    make_party(treaty, indonesia, in_force_on=D(2015, 6, 1))
    assert find(brazil, indonesia)["bases"][0]["in_force_for_both_since"] == "2015-06-01"


def test_party_with_unrecorded_dates_counts_from_the_instrument_with_unknown_since(brazil, indonesia):
    treaty = make_instrument("t", in_force_on=D(2005, 1, 1))
    make_party(treaty, brazil)
    make_party(treaty, indonesia, in_force_on=D(2006, 1, 1))
    assert find(brazil, indonesia)["bases"][0]["in_force_for_both_since"] is None
    assert find(brazil, indonesia, on=D(2004, 12, 31))["bases"] == []


def test_instrument_without_its_own_date_counts_only_with_party_dates(brazil, indonesia):
    treaty = make_instrument("t")
    make_party(treaty, brazil)
    make_party(treaty, indonesia)
    assert find(brazil, indonesia)["bases"] == []
    treaty.parties.update(in_force_on=D(2010, 1, 1))
    assert find(brazil, indonesia)["bases"][0]["in_force_for_both_since"] == "2010-01-01"


def test_fallback_uses_the_requested_states_profile(brazil, indonesia, monkeypatch):
    calls = []

    def domestic(*, country_iso2, coop_type):
        calls.append((country_iso2, coop_type))
        return "Law 13.445 allows assistance on reciprocity."

    monkeypatch.setattr("comity.legalprofiles.selectors.domestic_basis_text", domestic)
    result = find(brazil, indonesia, coop_type="extradition")
    assert calls == [("ID", "extradition")]
    assert result["fallback"].endswith(" Law 13.445 allows assistance on reciprocity.")
    assert "reciprocity" in result["fallback"]


def test_query_count_is_constant(brazil, indonesia, django_assert_num_queries):
    for n in range(2):
        treaty = make_instrument(f"small-{n}", in_force_on=D(2000, 1, 1))
        make_party(treaty, brazil, in_force_on=D(2000, 1, 1))
        make_party(treaty, indonesia, in_force_on=D(2000, 1, 1))
    with django_assert_num_queries(3):
        assert len(find(brazil, indonesia)["bases"]) == 2
    others = [CountryFactory(iso2=code) for code in ("AR", "CL", "PE")]
    for n in range(10):
        treaty = make_instrument(f"large-{n}", in_force_on=D(2000, 1, 1))
        for country in (brazil, indonesia, *others):
            make_party(treaty, country, in_force_on=D(2000, 1, 1))
    with django_assert_num_queries(3):
        assert len(find(brazil, indonesia)["bases"]) == 12
