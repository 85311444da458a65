"""Demo directory data: the curated fictional directory, and synthetic directories at scale for benchmarks.

Both are refused under production settings. The curated data (`data.AUTHORITIES`) is validated by the same
cleaning functions as user input and then written with bulk inserts: seeding runs on every fresh
`make serve`, and a service call per record (an audit event each) would take seconds and flood the audit
log. Each record gets one "imported" version instead, and the caller writes a single `demo.seeded` event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from comity.directory.demo.data import AUTHORITIES
from comity.directory.demo.scale import SCALE_DOMAIN, ScaleResult, directory_scale_seed
from comity.directory.models import (
    Authority,
    AuthorityCompetence,
    Closure,
    Contact,
    OfficeHours,
    RecordVersion,
    Seat,
)
from comity.directory.services import (
    AUTHORITY_LISTS,
    AUTHORITY_SCALARS,
    authority_snapshot,
    clean_authority_data,
    clean_contact_data,
    contact_snapshot,
    diff,
)
from comity.reference.models import Country

__all__ = [
    "AUTHORITIES",
    "SCALE_DOMAIN",
    "DEMO_EMAIL_DOMAIN",
    "DirectoryDemoResult",
    "ScaleResult",
    "directory_demo_seed",
    "directory_scale_seed",
    "refuse_in_production",
]

DEMO_EMAIL_DOMAIN = "demo.comity.test"
_AUTHORITY_SEED_KEYS = ("confirmed_days_ago", "contacts", "closures")
_CONTACT_SEED_KEYS = ("seat", "user", "start_days_ago", "end_days_ago", "confirmed_days_ago", "previous")


def refuse_in_production() -> None:
    if settings.COMITY_ENVIRONMENT == "production":
        raise ImproperlyConfigured("Demo data is refused under production settings.")


@dataclass(frozen=True)
class DirectoryDemoResult:
    authorities: int  # authorities of the curated set whose country exists
    authorities_created: int
    contacts_created: int  # including former holders of a seat
    contacts_linked: int  # contact points newly linked to a demo user account
    countries_missing: tuple[str, ...] = ()


def directory_demo_seed(*, now: dt.datetime | None = None) -> DirectoryDemoResult:
    """Create the curated demo authorities that do not exist yet, then link demo users to their seats.

    Idempotent: an authority counts as present when its country already has one with the same official name
    or official e-mail. Countries missing from the reference data are skipped and reported."""
    refuse_in_production()
    now = now or timezone.now()
    codes = {spec["country"] for spec in AUTHORITIES}
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=codes)}
    present = set()
    for iso2, name, email in Authority.objects.filter(country__iso2__in=codes).values_list(
        "country__iso2", "official_name", "email"
    ):
        present.update({(iso2, name), (iso2, email)})
    wanted = [spec for spec in AUTHORITIES if spec["country"] in countries]
    todo = [
        spec
        for spec in wanted
        if (spec["country"], spec["official_name"]) not in present and (spec["country"], spec["email"]) not in present
    ]
    with transaction.atomic():
        contacts_created = _create(todo, now) if todo else 0
        linked = link_demo_users()
    return DirectoryDemoResult(
        authorities=len(wanted),
        authorities_created=len(todo),
        contacts_created=contacts_created,
        contacts_linked=linked,
        countries_missing=tuple(sorted(codes - set(countries))),
    )


def _days_ago(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _create(specs: list[dict], now: dt.datetime) -> int:
    today = now.date()
    cleaned_rows = []
    authorities = []
    for spec in specs:
        payload = {key: value for key, value in spec.items() if key not in _AUTHORITY_SEED_KEYS}
        payload["closures"] = [
            {
                "start_date": today + dt.timedelta(days=start),
                "reason": reason,
                "end_date": today + dt.timedelta(days=end),
            }
            for start, end, reason in spec["closures"]
        ]
        cleaned = clean_authority_data(payload)
        authority = Authority(
            country=cleaned["country"],
            names=cleaned.get("names", {}),
            last_confirmed_at=_days_ago(now, spec["confirmed_days_ago"]),
            **{field: cleaned[field] for field in AUTHORITY_SCALARS + AUTHORITY_LISTS if field in cleaned},
        )
        authority.search_text = authority.build_search_text()
        authorities.append(authority)
        cleaned_rows.append(cleaned)
    Authority.objects.bulk_create(authorities)
    AuthorityCompetence.objects.bulk_create(
        [
            AuthorityCompetence(authority=authority, **row)
            for authority, cleaned in zip(authorities, cleaned_rows, strict=True)
            for row in cleaned["competences"]
        ]
    )
    OfficeHours.objects.bulk_create(
        [
            OfficeHours(authority=authority, weekday=i.weekday, opens=i.opens, closes=i.closes)
            for authority, cleaned in zip(authorities, cleaned_rows, strict=True)
            for i in cleaned["office_hours"]
        ]
    )
    Closure.objects.bulk_create(
        [
            Closure(authority=authority, **row)
            for authority, cleaned in zip(authorities, cleaned_rows, strict=True)
            for row in cleaned["closures"]
        ]
    )

    seats, holders = [], []  # holders: (seat index, contact spec, is_former)
    for authority, spec in zip(authorities, specs, strict=True):
        for position, contact_spec in enumerate(spec["contacts"]):
            seats.append(
                Seat(
                    authority=authority,
                    position=position,
                    title=contact_spec.get("seat") or contact_spec["title"] or contact_spec["name"],
                )
            )
            if contact_spec.get("previous"):
                holders.append((len(seats) - 1, contact_spec["previous"], spec))
            holders.append((len(seats) - 1, contact_spec, spec))
    Seat.objects.bulk_create(seats)
    contacts = []
    for seat_index, contact_spec, authority_spec in holders:
        seat = seats[seat_index]
        cleaned = clean_contact_data({k: v for k, v in contact_spec.items() if k not in _CONTACT_SEED_KEYS})
        end = contact_spec.get("end_days_ago")
        confirmed = contact_spec.get(
            "confirmed_days_ago", end + 30 if end is not None else authority_spec["confirmed_days_ago"]
        )
        cleaned["start_date"] = today - dt.timedelta(days=contact_spec.get("start_days_ago", 400 + 90 * seat.position))
        contacts.append(
            Contact(
                seat=seat,
                authority=seat.authority,
                **cleaned,
                end_date=today - dt.timedelta(days=end) if end is not None else None,
                last_confirmed_at=_days_ago(now, confirmed),
            )
        )
    Contact.objects.bulk_create(contacts)
    RecordVersion.objects.bulk_create(_versions(authorities, contacts))
    return len(contacts)


def _versions(authorities: list[Authority], contacts: list[Contact]) -> list[RecordVersion]:
    """One "imported" version per record, and the handover trail of a seat that changed hands."""
    versions = [
        RecordVersion(
            record_type="authority",
            record_id=authority.pk,
            action="imported",
            created_at=authority.last_confirmed_at,
            changes=diff({}, authority_snapshot(authority)),
        )
        for authority in authorities
    ]
    former_by_seat = {contact.seat_id: contact for contact in contacts if contact.end_date is not None}
    for contact in contacts:
        former = former_by_seat.get(contact.seat_id) if contact.end_date is None else None
        if former is None:
            versions.append(
                RecordVersion(
                    record_type="contact",
                    record_id=contact.pk,
                    action="imported",
                    created_at=contact.last_confirmed_at,
                    changes=diff({}, contact_snapshot(contact)),
                )
            )
            continue
        handed_over = dt.datetime.combine(former.end_date, dt.time(10), tzinfo=dt.UTC)
        versions.append(
            RecordVersion(
                record_type="contact",
                record_id=former.pk,
                action="handover",
                created_at=handed_over,
                changes={"end_date": [None, former.end_date.isoformat()], "successor": [None, contact.pk]},
            )
        )
        versions.append(
            RecordVersion(
                record_type="contact",
                record_id=contact.pk,
                action="created",
                created_at=handed_over,
                changes=diff({}, contact_snapshot(contact)),
            )
        )
    return versions


def link_demo_users() -> int:
    """Link each current contact point whose e-mail is a demo account's to that account. Returns how many."""
    from comity.accounts.models import User

    unlinked = {
        contact.email: contact
        for contact in Contact.objects.filter(
            email__endswith="@" + DEMO_EMAIL_DOMAIN, user__isnull=True, end_date__isnull=True
        )
    }
    if not unlinked:
        return 0
    linked = []
    for user in User.objects.filter(email__in=list(unlinked)):
        contact = unlinked[user.email]
        contact.user = user
        linked.append(contact)
    Contact.objects.bulk_update(linked, ["user"])
    return len(linked)
