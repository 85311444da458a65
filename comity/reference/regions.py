"""UN M49 areas (regions, sub-regions, intermediate regions): codes from the data file, names from CLDR."""

from __future__ import annotations

from comity.core import i18n
from comity.reference import datafiles, l10n

M49_FILE = "m49.json"


def english_names() -> dict[str, str]:
    """UNSD English names by M49 code, used where CLDR has no name (e.g. 830 Channel Islands)."""
    return datafiles.read(M49_FILE)["areas"]


def hierarchy() -> dict[str, dict[str, list[str]]]:
    """{region: {sub-region: [intermediate regions]}}."""
    return datafiles.read(M49_FILE)["hierarchy"]


def known_codes() -> frozenset[str]:
    codes: set[str] = set()
    for region, subregions in hierarchy().items():
        codes.add(region)
        for subregion, intermediates in subregions.items():
            codes.add(subregion)
            codes.update(intermediates)
    return frozenset(codes)


def area_name(code: str, language: str | None = None) -> str:
    """The area's name in the active (or given) language from CLDR, else the UNSD English name."""
    if not code:
        return ""
    name = i18n.babel_locale(language or l10n.active_language()).territories.get(code)
    return name or english_names().get(code, code)


def grouped_choices(language: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a region <select>: one group per region holding the region, its sub-regions and their
    intermediate regions, each group and each member sorted by localized name."""
    groups = []
    for region, subregions in hierarchy().items():
        options = [(region, area_name(region, language))]
        for subregion in sorted(subregions, key=lambda c: collation_key(area_name(c, language))):
            options.append((subregion, area_name(subregion, language)))
            for intermediate in sorted(subregions[subregion], key=lambda c: collation_key(area_name(c, language))):
                options.append((intermediate, "\u2014 " + area_name(intermediate, language)))
        groups.append((area_name(region, language), options))
    groups.sort(key=lambda group: collation_key(group[0]))
    return groups


collation_key = i18n.collation_key
