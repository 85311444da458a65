"""The demo seed: profiles and fiches for the demo directory's countries, flagged demo and unverified, idempotent."""

import pytest

from comity.directory.demo import directory_demo_seed
from comity.legalprofiles.choices import Measure
from comity.legalprofiles.demo import demo_countries, legalprofiles_demo_seed
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche, ProfileVersion
from comity.legalprofiles.selectors import search_hits
from comity.reference.tests.factories import CountryFactory

pytestmark = pytest.mark.django_db

REQUIRED = ("BR", "ID", "FR", "JP", "US", "DE", "CN", "MX", "KE", "GB", "ZA", "SA", "RU")


def test_demo_countries_include_the_required_ones():
    assert set(REQUIRED) <= set(demo_countries())


def test_seed_is_flagged_and_idempotent(client):
    for code in REQUIRED:
        CountryFactory(iso2=code, name_en=code)
    directory_demo_seed()
    result = legalprofiles_demo_seed()
    assert result["profiles_created"] == len(REQUIRED)
    assert result["fiches_created"] == len(REQUIRED) * len(Measure.values)
    assert result["countries"] == len(REQUIRED)
    assert set(REQUIRED).isdisjoint(result["countries_missing"])
    assert CountryProfile.objects.filter(is_demo=True, verified=False).count() == len(REQUIRED)
    assert MeasureFiche.objects.exclude(is_demo=True, verified=False).count() == 0
    assert CooperationRules.objects.count() == 2 * len(REQUIRED)
    assert ProfileVersion.objects.filter(action="imported").count() == len(REQUIRED) * (1 + len(Measure.values))
    assert CountryProfile.objects.get(country__iso2="SA").legal_tradition == "islamic_law"
    fiche = MeasureFiche.objects.get(country__iso2="BR", measure="bank_records")
    assert fiche.competent_authority is not None and fiche.competent_authority.country.iso2 == "BR"
    assert legalprofiles_demo_seed() == {
        "profiles_created": 0,
        "fiches_created": 0,
        "countries": len(REQUIRED),
        "countries_missing": result["countries_missing"],
    }
    page = client.get("/en/legal/countries/BR/").content.decode()
    assert "Demo content" in page
    assert len(search_hits(terms=["demo"], user=None, country="JP", limit=100)) == 1 + len(Measure.values)
