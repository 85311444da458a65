"""Load the seed catalogue of instruments and parties from comity/treaties/data/ (idempotent).

Instruments are matched by slug and updated to what the file says; their coverage follows the file. Party rows are
created when missing and updated while unverified; a row the secretariat has verified is left as it is, and rows
the file does not list are kept (a coordinator or an import may have added them). The values are checked by the
same cleaning functions as user input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.reference.models import Country
from comity.treaties import services
from comity.treaties.models import Instrument, Party

DATA_DIR = Path(__file__).resolve().parent / "data"
INSTRUMENT_KEYS = set(services.INSTRUMENT_FIELDS) | {"parties", "parties_source", "parties_as_of"}
PARTY_KEYS = {"country", "signed_on", "consent_on", "consent_kind", "in_force_on", "withdrawn_on", "declarations"}


class InstrumentDataError(Exception):
    pass


@dataclass
class LoadResult:
    instruments_created: int = 0
    instruments_updated: int = 0
    parties_created: int = 0
    parties_updated: int = 0
    countries_missing: set[str] = field(default_factory=set)

    def summary(self) -> str:
        missing = (
            f" Countries not loaded yet (run load_reference): {', '.join(sorted(self.countries_missing))}."
            if self.countries_missing
            else ""
        )
        return (
            f"Instruments: {self.instruments_created} created, {self.instruments_updated} updated. "
            f"Parties: {self.parties_created} created, {self.parties_updated} updated.{missing}"
        )


def read_catalogue(data_dir: Path | None = None) -> list[dict]:
    path = (data_dir or DATA_DIR) / "instruments.json"
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    instruments = document.get("instruments") if isinstance(document, dict) else None
    if not isinstance(instruments, list):
        raise InstrumentDataError(f"{path}: expected an object with a list under “instruments”.")
    return instruments


def _fail(slug: str, exc: ValidationError) -> InstrumentDataError:
    return InstrumentDataError(f"{slug}: {exc.message_dict if hasattr(exc, 'error_dict') else exc.messages}")


@transaction.atomic
def instruments_load(*, data_dir: Path | None = None) -> LoadResult:
    result = LoadResult()
    countries = {c.iso2: c for c in Country.objects.all()}
    for entry in read_catalogue(data_dir):
        slug = entry.get("slug", "?")
        unknown = set(entry) - INSTRUMENT_KEYS
        if unknown:
            raise InstrumentDataError(f"{slug}: unknown keys {sorted(unknown)}.")
        if not entry.get("source") or not entry.get("as_of"):
            raise InstrumentDataError(f"{slug}: every instrument names its source and as_of date.")
        data = {key: value for key, value in entry.items() if key in services.INSTRUMENT_FIELDS}
        instrument = Instrument.objects.filter(slug=slug).first()
        try:
            cleaned = services.clean_instrument_data(data, instrument=instrument)
        except ValidationError as exc:
            raise _fail(slug, exc) from exc
        created = instrument is None
        instrument = instrument or Instrument()
        changed = services.apply_instrument(instrument, cleaned)
        if created or changed:
            if created:
                result.instruments_created += 1
            else:
                result.instruments_updated += 1
            audit_log(
                action=AuditAction.INSTRUMENT_CREATED if created else AuditAction.INSTRUMENT_UPDATED,
                target=instrument,
                details={"slug": slug, "fields": changed, "by": "load_instruments"},
            )
        _load_parties(instrument, entry, countries, result)
    return result


def _load_parties(instrument: Instrument, entry: dict, countries: dict[str, Country], result: LoadResult) -> None:
    existing = {p.country_id: p for p in Party.objects.filter(instrument=instrument).prefetch_related("declarations")}
    for row in entry.get("parties", []):
        if set(row) - PARTY_KEYS:
            raise InstrumentDataError(f"{instrument.slug}: unknown party keys {sorted(set(row) - PARTY_KEYS)}.")
        country = countries.get(row.get("country", ""))
        if country is None:
            result.countries_missing.add(str(row.get("country")))
            continue
        party = existing.get(country.pk)
        if party is not None and party.verified:
            continue
        data = {key: value for key, value in row.items() if key != "country"}
        data.setdefault("declarations", [])
        data["source"] = entry.get("parties_source", "")
        data["as_of"] = entry.get("parties_as_of")
        try:
            cleaned = services.clean_party_data(data, instrument=instrument, party=party)
        except ValidationError as exc:
            raise _fail(f"{instrument.slug}/{country.iso2}", exc) from exc
        is_new = party is None
        party = party or Party(instrument=instrument, country=country)
        changed = services.apply_party(party, cleaned, actor=None)
        if is_new:
            result.parties_created += 1
        elif changed:
            result.parties_updated += 1
