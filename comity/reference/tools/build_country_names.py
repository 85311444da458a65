"""Write comity/reference/data/country_names.json from the HDX Countries & Territories Taxonomy.

The taxonomy ships inside the PyPI package `hdx-python-country`; it holds the UNTERM short names of the States in
the six UN languages and the UNSD M49 names of the other areas. The runtime reads only the JSON file this script
writes; `hdx-python-country` is not a dependency of Comity. Run it in a throw-away environment:

    python -m venv /tmp/hdx && /tmp/hdx/bin/pip install 'hdx-python-country>=4.2,<5'
    /tmp/hdx/bin/python comity/reference/tools/build_country_names.py

It keeps the file's `as_of` unless the package's version changed (then it is today's date).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from importlib import metadata, resources
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "data" / "country_names.json"
CSV_NAME = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
# The file's language codes are the UI's (Chinese is zh-hans); Portuguese is not a UN language: CLDR names it.
LANGUAGES = {"en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "zh-hans": "Chinese", "ar": "Arabic"}


def build() -> dict:
    version = metadata.version("hdx-python-country")
    text = resources.files("hdx.location").joinpath(CSV_NAME).read_text(encoding="utf-8")
    names: dict[str, dict[str, str]] = {}
    states: list[str] = []
    for row in csv.DictReader(text.splitlines()):
        iso2 = row["ISO 3166-1 Alpha 2-Codes"].strip()
        if len(iso2) != 2 or row["Deprecated"].strip() == "Y":
            continue
        entry = {}
        for code, column in LANGUAGES.items():
            # UNTERM's short name where the taxonomy has one (States), else UNSD's M49 name (other areas).
            name = row[f"{column} Short"].strip() or row[f"M49 {column}"].strip()
            if name:
                entry[code] = name
        names[iso2] = entry
        if row["Independent"].strip() == "Y":
            states.append(iso2)
    previous = json.loads(TARGET.read_text(encoding="utf-8")) if TARGET.exists() else {}
    same_version = previous.get("generated_from") == f"hdx-python-country {version}"
    return {
        "title": "Short names of countries and areas in the six UN languages, and which of them are States",
        "source": "UNTERM short names (States) and UNSD M49 names (other areas), from OCHA's HDX Countries & "
        "Territories Taxonomy",
        "source_url": "https://unterm.un.org/",
        "generated_from": f"hdx-python-country {version}",
        "as_of": previous.get("as_of") if same_version else dt.date.today().isoformat(),  # noqa: DTZ011
        "method": "Written by comity/reference/tools/build_country_names.py from the taxonomy CSV shipped in the "
        "package: per language the 'Short' (UNTERM) column, else the 'M49' column; a language with neither "
        "falls back to CLDR at run time. 'states' are the rows marked Independent (the 193 UN Member States, "
        "the 2 observer States, the Cook Islands and Niue).",
        "note": "Portuguese is not a UN language: its names come from CLDR (babel). Areas that are not States "
        "stay in the reference data but are not offered as requesting or requested States.",
        "states": sorted(states),
        "names": dict(sorted(names.items())),
    }


def dumps(data: dict) -> str:
    """JSON with one line per country, so that a change of name reads as a one-line diff."""
    head = {key: value for key, value in data.items() if key not in ("states", "names")}
    lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ","]
    lines.append(' "states": ' + json.dumps(data["states"]) + ",")
    lines.append(' "names": {')
    rows = [f"  {json.dumps(iso2)}: {json.dumps(entry, ensure_ascii=False)}" for iso2, entry in data["names"].items()]
    lines.append(",\n".join(rows))
    lines.append(" }\n}\n")
    return "\n".join(lines)


if __name__ == "__main__":
    TARGET.write_text(dumps(build()), encoding="utf-8")
    print(f"Wrote {TARGET}")
