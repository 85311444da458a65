"""Fixtures of the treaties tests: hand-made instruments and parties, written straight to the tables."""

from __future__ import annotations

import datetime as dt

import pytest

from comity.reference.tests.factories import CountryFactory
from comity.treaties.models import Coverage, Declaration, Instrument, Party

D = dt.date


def make_instrument(slug: str, *, kind: str = "multilateral", covers=None, in_force_on=None, adopted_on=None, **extra):
    instrument = Instrument.objects.create(
        slug=slug,
        title=extra.pop("title", slug.replace("-", " ").title()),
        kind=kind,
        in_force_on=in_force_on,
        adopted_on=adopted_on,
        source="test",
        **extra,
    )
    for code, articles in (covers or {"mla": "art. 1"}).items():
        Coverage.objects.create(instrument=instrument, coop_type=code, articles=articles)
    instrument.search_text = instrument.build_search_text([a for a in (covers or {"mla": "art. 1"}).values()])
    instrument.save()
    return instrument


def make_party(instrument, country, *, declarations=(), **fields):
    party = Party.objects.create(instrument=instrument, country=country, **fields)
    for declaration in declarations:
        Declaration.objects.create(party=party, **declaration)
    return party


@pytest.fixture
def japan(db):
    return CountryFactory(iso2="JP", name_en="Japan")


@pytest.fixture
def untoc(brazil, indonesia):
    instrument = make_instrument(
        "untoc",
        covers={"mla": "art. 18", "extradition": "art. 16"},
        in_force_on=D(2003, 9, 29),
        adopted_on=D(2000, 11, 15),
    )
    make_party(instrument, brazil, consent_kind="ratification", consent_on=D(2004, 1, 29), in_force_on=D(2004, 2, 28))
    make_party(
        instrument, indonesia, consent_kind="ratification", consent_on=D(2009, 4, 20), in_force_on=D(2009, 5, 20)
    )
    return instrument
