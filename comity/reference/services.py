"""Writes of reference data: loading countries, networks and memberships from the data files."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import zoneinfo
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import holidays
import pycountry
from babel.core import get_global
from django.core.exceptions import ValidationError
from django.db import transaction

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import generations
from comity.reference import datafiles, names
from comity.reference.models import Country, Network, NetworkMembership
from comity.reference.selectors import GENERATION

COUNTRY_FIELDS = (
    "iso3",
    "m49",
    "name_en",
    "region_m49",
    "subregion_m49",
    "intermediate_region_m49",
    "un_status",
    "is_ldc",
    "is_lldc",
    "is_sids",
    "timezones",
    "holidays_supported",
    "is_state",
)
NETWORK_FIELDS = (
    "acronym",
    "name",
    "names",
    "description",
    "descriptions",
    "website",
    "source",
    "source_url",
    "as_of",
    "members_complete",
    "note",
)


@dataclass(frozen=True)
class ReferenceLoadResult:
    countries: int
    countries_created: int
    countries_updated: int
    networks: int
    networks_created: int
    networks_updated: int
    memberships: int
    memberships_created: int
    memberships_updated: int
    memberships_deleted: int

    @property
    def changed(self) -> bool:
        return any(
            (
                self.countries_created,
                self.countries_updated,
                self.networks_created,
                self.networks_updated,
                self.memberships_created,
                self.memberships_updated,
                self.memberships_deleted,
            )
        )

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        text = (
            f"Reference data: {self.countries} countries ({self.countries_created} created, "
            f"{self.countries_updated} updated), {self.networks} networks ({self.networks_created} created, "
            f"{self.networks_updated} updated), {self.memberships} memberships ({self.memberships_created} "
            f"added, {self.memberships_updated} updated, {self.memberships_deleted} removed)"
        )
        return text + ("." if self.changed else "; nothing changed.")


class ReferenceDataError(ValueError):
    """A data file holds something the loader refuses (unknown country code, malformed network)."""


def reference_load(*, actor=None, data_dir: Path | None = None) -> ReferenceLoadResult:
    """Bring countries, networks and memberships in line with the data files; idempotent.

    Countries and networks absent from the files are left alone (users point at them); memberships of a
    network in the files that the files no longer list are removed. One audit event when anything changed.
    """
    countries_wanted = _countries_from_files(data_dir)
    networks_wanted = _networks_from_file(data_dir, set(countries_wanted))
    with transaction.atomic():
        countries_by_iso2, created_c, updated_c = _sync_countries(countries_wanted)
        networks_by_slug, created_n, updated_n = _sync_networks(networks_wanted)
        m_total, m_created, m_updated, m_deleted = _sync_memberships(
            networks_wanted, networks_by_slug, countries_by_iso2
        )
        result = ReferenceLoadResult(
            countries=len(countries_wanted),
            countries_created=created_c,
            countries_updated=updated_c,
            networks=len(networks_wanted),
            networks_created=created_n,
            networks_updated=updated_n,
            memberships=m_total,
            memberships_created=m_created,
            memberships_updated=m_updated,
            memberships_deleted=m_deleted,
        )
        if result.changed:
            generations.bump(GENERATION)  # bulk writes send no signals
            audit_log(
                action=AuditAction.REFERENCE_LOADED, actor=actor, target_type="reference", details=result.as_dict()
            )
    return result


# --- countries ---------------------------------------------------------------------------------------


def _countries_from_files(data_dir: Path | None) -> dict[str, dict]:
    m49 = datafiles.read("m49.json", data_dir)["countries"]
    un = datafiles.read("un_membership.json", data_dir)
    groups = datafiles.read("development_groups.json", data_dir)["groups"]
    primary_zones = datafiles.read("timezones.json", data_dir)["primary"]
    un_names = datafiles.read(names.NAMES_FILE, data_dir)
    iso_codes = {c.alpha_2 for c in pycountry.countries}
    for label, codes in (
        ("m49.json", m49),
        ("un_membership.json members", un["members"]),
        ("un_membership.json observers", un["observers"]),
        ("timezones.json", primary_zones),
        ("country_names.json names", un_names["names"]),
        ("country_names.json states", un_names["states"]),
        *((f"development_groups.json {key}", group["members"]) for key, group in groups.items()),
    ):
        unknown = sorted(set(codes) - iso_codes)
        if unknown:
            raise ReferenceDataError(f"{label}: not ISO 3166-1 alpha-2 codes: {', '.join(unknown)}")
    members, observers = set(un["members"]), set(un["observers"])
    states = set(un_names["states"])
    missing = sorted((members | observers) - states)
    if missing:
        raise ReferenceDataError(f"country_names.json: UN Member or observer States not listed as States: {missing}")
    ldc, lldc, sids = (set(groups[key]["members"]) for key in ("ldc", "lldc", "sids"))
    supported = holidays_countries()
    wanted = {}
    for entry in pycountry.countries:
        iso2 = entry.alpha_2
        region, subregion, intermediate = m49.get(iso2, ["", "", ""])
        if iso2 in members:
            status = Country.UNStatus.MEMBER
        elif iso2 in observers:
            status = Country.UNStatus.OBSERVER
        else:
            status = Country.UNStatus.NONE
        wanted[iso2] = {
            "iso3": entry.alpha_3,
            "m49": entry.numeric,
            "name_en": un_names["names"].get(iso2, {}).get("en") or entry.name,
            "region_m49": region,
            "subregion_m49": subregion,
            "intermediate_region_m49": intermediate,
            "un_status": status.value,
            "is_ldc": iso2 in ldc,
            "is_lldc": iso2 in lldc,
            "is_sids": iso2 in sids,
            "timezones": country_zones(iso2, primary_zones.get(iso2)),
            "holidays_supported": iso2 in supported,
            "is_state": iso2 in states,
        }
    return wanted


def _sync_countries(wanted: dict[str, dict]) -> tuple[dict[str, Country], int, int]:
    existing = {c.iso2: c for c in Country.objects.all()}
    to_create, to_update = [], []
    for iso2, values in wanted.items():
        country = existing.get(iso2)
        if country is None:
            country = Country(iso2=iso2, **values)
            to_create.append(country)
            existing[iso2] = country
        elif any(getattr(country, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(country, field, value)
            to_update.append(country)
    if to_update:
        Country.objects.bulk_update(to_update, COUNTRY_FIELDS)
    if to_create:
        Country.objects.bulk_create(to_create)
        # Not every database returns primary keys from bulk_create; read them back once.
        ids = dict(Country.objects.filter(iso2__in=[c.iso2 for c in to_create]).values_list("iso2", "pk"))
        for country in to_create:
            country.pk = ids[country.iso2]
    return existing, len(to_create), len(to_update)


@lru_cache(maxsize=1)
def holidays_countries() -> frozenset[str]:
    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)


@lru_cache(maxsize=1)
def _zone_tab_order() -> dict[str, int]:
    """Rank of each zone in tz's zone.tab (most populous first within a country where geography allows)."""
    text = ""
    try:
        text = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        for directory in zoneinfo.TZPATH:
            path = Path(directory) / "zone.tab"
            if path.exists():
                text = path.read_text(encoding="utf-8")
                break
    order: dict[str, int] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                order.setdefault(parts[2], len(order))
    return order


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def country_zones(iso2: str, primary: str | None = None) -> list[str]:
    """CLDR's IANA zones for a territory that zoneinfo knows, the capital's (or most populous) first."""
    zones = [z for z in get_global("territory_zones").get(iso2, ()) if z in _known_zones()]
    order = _zone_tab_order()
    zones.sort(key=lambda z: (z != primary, order.get(z, len(order)), z))
    return zones


# --- networks ----------------------------------------------------------------------------------------


def _networks_from_file(data_dir: Path | None, iso_codes: set[str]) -> list[dict]:
    entries = datafiles.read("networks.json", data_dir)["networks"]
    seen: set[str] = set()
    wanted = []
    for entry in entries:
        slug = entry.get("slug", "")
        if slug in seen:
            raise ReferenceDataError(f"networks.json: slug {slug!r} appears twice")
        seen.add(slug)
        values = {field: entry.get(field, "") for field in NETWORK_FIELDS}
        values["names"] = entry.get("names", {})
        values["descriptions"] = entry.get("descriptions", {})
        values["members_complete"] = bool(entry.get("members_complete", False))
        try:
            values["as_of"] = dt.date.fromisoformat(entry["as_of"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ReferenceDataError(f"networks.json: {slug!r} needs an ISO 'as_of' date") from exc
        try:
            Network(slug=slug, **values).full_clean(validate_unique=False)
        except ValidationError as exc:
            raise ReferenceDataError(f"networks.json: {slug!r}: {exc.message_dict}") from exc
        members = entry.get("members", [])
        notes = entry.get("member_notes", {})
        unknown = sorted((set(members) | set(notes)) - iso_codes)
        if unknown:
            raise ReferenceDataError(f"networks.json: {slug!r} lists unknown country codes: {', '.join(unknown)}")
        stray = sorted(set(notes) - set(members))
        if stray:
            raise ReferenceDataError(f"networks.json: {slug!r} has notes for non-members: {', '.join(stray)}")
        wanted.append({"slug": slug, "values": values, "members": {iso2: notes.get(iso2, "") for iso2 in members}})
    return wanted


def _sync_networks(wanted: list[dict]) -> tuple[dict[str, Network], int, int]:
    existing = {n.slug: n for n in Network.objects.filter(slug__in=[w["slug"] for w in wanted])}
    created = updated = 0
    for item in wanted:
        network = existing.get(item["slug"])
        if network is None:
            existing[item["slug"]] = Network.objects.create(slug=item["slug"], **item["values"])
            created += 1
            continue
        changed = [field for field, value in item["values"].items() if getattr(network, field) != value]
        if changed:
            for field in changed:
                setattr(network, field, item["values"][field])
            network.save(update_fields=changed)
            updated += 1
    return existing, created, updated


def _sync_memberships(
    wanted: list[dict], networks: dict[str, Network], countries: dict[str, Country]
) -> tuple[int, int, int, int]:
    desired: dict[tuple[int, int], str] = {}
    for item in wanted:
        network_id = networks[item["slug"]].pk
        for iso2, note in item["members"].items():
            desired[(network_id, countries[iso2].pk)] = note
    existing = {
        (m.network_id, m.country_id): m
        for m in NetworkMembership.objects.filter(network_id__in=[n.pk for n in networks.values()])
    }
    stale = [m.pk for key, m in existing.items() if key not in desired]
    to_create = [
        NetworkMembership(network_id=network_id, country_id=country_id, note=note)
        for (network_id, country_id), note in desired.items()
        if (network_id, country_id) not in existing
    ]
    to_update = []
    for key, note in desired.items():
        membership = existing.get(key)
        if membership is not None and membership.note != note:
            membership.note = note
            to_update.append(membership)
    if stale:
        NetworkMembership.objects.filter(pk__in=stale).delete()
    if to_create:
        NetworkMembership.objects.bulk_create(to_create)
    if to_update:
        NetworkMembership.objects.bulk_update(to_update, ["note"])
    return len(desired), len(to_create), len(to_update), len(stale)
