from django.utils import translation

from comity.legalprofiles.selectors import domestic_basis_text
from comity.legalprofiles.tests.factories import ProfileFactory, RulesFactory


def test_none_without_profile_rules_or_known_basis(brazil):
    assert domestic_basis_text(country_iso2="BR", coop_type="mla") is None
    profile = ProfileFactory(country=brazil)
    assert domestic_basis_text(country_iso2="BR", coop_type="mla") is None
    RulesFactory(profile=profile, coop_type="mla")  # basis unknown, no notes
    assert domestic_basis_text(country_iso2="BR", coop_type="mla") is None
    assert domestic_basis_text(country_iso2="BR", coop_type="nonsense") is None
    assert domestic_basis_text(country_iso2="", coop_type="mla") is None


def test_reciprocity_with_law_titles_for_the_type(brazil):
    profile = ProfileFactory(
        country=brazil,
        laws=[
            {"title": "Law 1 on MLA", "date": "2001-01-01", "url": "", "text": "", "types": ["mla"]},
            {"title": "Extradition Act", "date": "", "url": "", "text": "", "types": ["extradition"]},
            {"title": "Code of Criminal Procedure", "date": "", "url": "", "text": "", "types": []},
        ],
    )
    RulesFactory(profile=profile, coop_type="mla", treatyless_basis="both", treatyless_notes="On a promise.")
    assert domestic_basis_text(country_iso2="br", coop_type="mla") == (
        "Reciprocity under domestic law. Domestic law: Law 1 on MLA; Code of Criminal Procedure. On a promise."
    )


def test_notes_in_the_active_language_where_translated(brazil):
    profile = ProfileFactory(country=brazil)
    RulesFactory(
        profile=profile,
        coop_type="extradition",
        treatyless_basis="reciprocity",
        treatyless_notes="Needs a promise of reciprocity.",
        treatyless_notes_i18n={"fr": "Exige une promesse de réciprocité."},
    )
    assert domestic_basis_text(country_iso2="BR", coop_type="extradition") == (
        "Reciprocity. Needs a promise of reciprocity."
    )
    with translation.override("fr"):
        text = domestic_basis_text(country_iso2="BR", coop_type="extradition")
    assert text is not None
    assert text.endswith("Exige une promesse de réciprocité.")


def test_only_treaty(brazil):
    profile = ProfileFactory(country=brazil)
    RulesFactory(profile=profile, coop_type="mla", treatyless_basis="none")
    assert domestic_basis_text(country_iso2="BR", coop_type="mla") == "Only under a treaty."
