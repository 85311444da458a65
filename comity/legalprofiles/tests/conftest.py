import pytest
from django.forms.models import model_to_dict

from comity import testing
from comity.directory.tests.factories import AuthorityFactory
from comity.legalprofiles import services
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche, ProfileVersion


class Unchanged(testing.Unchanged):
    """Profiles (with their rules) and fiches as the services see them, and the app's tables plus the audit log."""

    tables = (CountryProfile, CooperationRules, MeasureFiche, ProfileVersion)

    @staticmethod
    def snapshot(record):
        if isinstance(record, CountryProfile):
            profile = CountryProfile.objects.get(pk=record.pk)
            return {**services.profile_snapshot(profile), **model_to_dict(profile)}
        return model_to_dict(type(record).objects.get(pk=record.pk))


@pytest.fixture
def br_authority(brazil):
    return AuthorityFactory(
        country=brazil,
        official_name="Central Authority of Brazil",
        languages_accepted=["pt", "es"],
        competences=["mla_central", "extradition"],
    )


@pytest.fixture
def br_profile(users, brazil, br_authority):
    """Brazil's profile with MLA rules and a bank records fiche, written by its coordinator."""
    actor = users["coordinator"]
    services.profile_update(
        actor=actor,
        country=brazil,
        data={
            "legal_tradition": "civil_law",
            "summary": "Cooperation rests on treaties and reciprocity.",
            "laws": [{"title": "Law 13.445 on migration", "date": "2017-05-24", "types": ["extradition"]}],
            "source": "Ministry of Justice",
            "as_of": "2026-01-01",
        },
    )
    services.rules_update(
        actor=actor,
        country=brazil,
        coop_type="mla",
        data={"dual_criminality": "not_required", "treatyless_basis": "reciprocity", "channels": ["direct"]},
    )
    services.fiche_update(
        actor=actor,
        country=brazil,
        measure="bank_records",
        data={
            "availability": "available",
            "legal_conditions": "A judicial order lifts banking secrecy.",
            "competent_authority": br_authority.pk,
            "contents": ["Account numbers", "Period covered"],
        },
    )
    return CountryProfile.objects.get(country=brazil)
