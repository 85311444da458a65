"""The seed catalogue: every listed instrument with its source and as_of, parties unverified, loading twice is a no-op,
verified rows are kept."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comity.audit.models import AuditEvent
from comity.reference.tests.factories import CountryFactory
from comity.treaties import loader
from comity.treaties.models import Coverage, Instrument, Party

pytestmark = pytest.mark.django_db

SLUGS = {
    "untoc",
    "untoc-trafficking-protocol",
    "untoc-smuggling-protocol",
    "untoc-firearms-protocol",
    "uncac",
    "vienna-1988",
    "budapest",
    "budapest-second-protocol",
    "ecma-1959",
    "european-extradition-1957",
    "inter-american-mla-1992",
    "inter-american-extradition-1981",
    "ecowas-mla-1992",
    "ecowas-extradition-1994",
    "riyadh-1983",
    "asean-mlat-2004",
    "sadc-mla-2002",
    "sadc-extradition-2002",
    "minsk-1993",
    "medellin-2019",
    "harare-scheme",
    "london-scheme",
}
DEMO_COUNTRIES = ("BR", "CN", "DE", "FR", "GB", "ID", "JP", "MX", "US")


@pytest.fixture
def countries(db):
    return [CountryFactory(iso2=code) for code in DEMO_COUNTRIES]


def test_catalogue_file():
    entries = loader.read_catalogue()
    assert {e["slug"] for e in entries} == SLUGS
    for entry in entries:
        assert entry["source"] and entry["as_of"] == "2026-12-06", entry["slug"]
        assert entry["parties_source"] and entry["parties_as_of"] == "2026-12-06", entry["slug"]
        assert all(set(p) <= {"country", "consent_kind"} for p in entry["parties"]), entry["slug"]


def test_load_is_idempotent_and_unverified(countries):
    first = loader.instruments_load()
    assert (first.instruments_created, first.instruments_updated) == (22, 0)
    # UNTOC, UNCAC, 1988 and Trafficking 9 each, Smuggling 8, Firearms 2, Budapest 6, ECMA 3, ECE 3, OAS MLA 3,
    # ASEAN 1 (ID), Harare and London 1 each (GB): the other countries are not loaded in this test.
    assert first.parties_created == 9 * 4 + 8 + 2 + 6 + 3 + 3 + 3 + 1 + 2
    assert "RU" in first.countries_missing
    assert Instrument.objects.count() == 22
    assert Party.objects.filter(verified=True).count() == 0
    assert Coverage.objects.get(instrument__slug="untoc", coop_type="mla").articles == "art. 18"
    events = AuditEvent.objects.count()
    second = loader.instruments_load()
    assert (second.instruments_created, second.instruments_updated, second.parties_created, second.parties_updated) == (
        0,
        0,
        0,
        0,
    )
    assert AuditEvent.objects.count() == events


def test_load_keeps_verified_rows_and_extra_rows(countries, users):
    loader.instruments_load()
    party = Party.objects.get(instrument__slug="untoc", country__iso2="BR")
    Party.objects.filter(pk=party.pk).update(verified=True, consent_on=dt.date(2004, 1, 29))
    extra = Party.objects.create(instrument=Instrument.objects.get(slug="untoc"), country=CountryFactory(iso2="AR"))
    loader.instruments_load()
    party.refresh_from_db()
    assert (party.verified, party.consent_on) == (True, dt.date(2004, 1, 29))
    assert Party.objects.filter(pk=extra.pk).exists()


def test_bad_catalogue_is_refused(tmp_path, countries):
    (tmp_path / "instruments.json").write_text(
        json.dumps(
            {"instruments": [{"slug": "x", "title": "X", "kind": "treaty", "source": "s", "as_of": "2026-01-01"}]}
        )
    )
    with pytest.raises(CommandError, match="kind"):
        call_command("load_instruments", "--data-dir", str(tmp_path))
    (tmp_path / "instruments.json").write_text(
        json.dumps({"instruments": [{"slug": "x", "title": "X", "kind": "regional"}]})
    )
    with pytest.raises(CommandError, match="source and as_of"):
        call_command("load_instruments", "--data-dir", str(tmp_path))
    assert Instrument.objects.count() == 0


def test_command_output(countries):
    out = StringIO()
    call_command("load_instruments", stdout=out)
    assert out.getvalue().startswith("Instruments: 22 created, 0 updated. Parties: 64 created, 0 updated.")
