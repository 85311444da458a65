"""Substring search indexes on the stored, case-folded search text of profiles and fiches (see
comity.legalprofiles.selectors.PROFILE_TEXT and FICHE_TEXT, and ADR 0011)."""

from django.db import migrations

from comity.core.search.operations import CreateTextSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("legalprofiles", "0001_initial"),
    ]

    operations = [
        CreateTextSearchIndex(
            table="legalprofiles_countryprofile", column="search_text", name="legalprofiles_profile_search"
        ),
        CreateTextSearchIndex(
            table="legalprofiles_measurefiche", column="search_text", name="legalprofiles_fiche_search"
        ),
    ]
