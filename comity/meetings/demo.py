"""Demo events: a past plenary with its agenda, minutes, recordings and action items, and an upcoming hybrid meeting
with registrations and funding requests from participants of least developed countries (UN list in reference data).

Everything is invented and flagged `is_demo=True`. The events go through `event_create` (which opens each event's
forum thread and writes its audit event); registrations and funding rows are inserted directly, so that seeding
queues no e-mail. Idempotent: an event that exists (by title, among demo events) is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comity.accounts.models import Role, User
from comity.meetings import services
from comity.meetings.models import ActionItem, Event, FundingRequest, FundingStatus, Registration, Session

DEMO_DOMAIN = "demo.comity.test"
PLENARY_TITLE = "Annual plenary of central authorities (demo)"
HYBRID_TITLE = "Regional meeting on asset recovery, hybrid (demo)"
# Participants from least developed countries (UN list): only those whose country is in the reference data as LDC.
LDC_PARTICIPANTS = (
    ("participant.sn", "Awa Diop (demo)", "SN", "fr", "Africa/Dakar"),
    ("participant.np", "Sita Shrestha (demo)", "NP", "en", "Asia/Kathmandu"),
    ("participant.kh", "Dara Sok (demo)", "KH", "en", "Asia/Phnom_Penh"),
)


@dataclass
class MeetingsDemoResult:
    events_created: int = 0
    skipped: list[str] = field(default_factory=list)


def _users() -> dict[str, User]:
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
    return {user.email.split("@", 1)[0]: user for user in users}


def _ldc_participants() -> list[User]:
    from comity.reference.models import Country

    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=[p[2] for p in LDC_PARTICIPANTS], is_ldc=True)}
    people = []
    for local, name, iso2, language, zone in LDC_PARTICIPANTS:
        if iso2 not in countries:
            continue
        user, _created = User.objects.get_or_create(
            email=f"{local}@{DEMO_DOMAIN}",
            defaults={
                "full_name": name,
                "country": countries[iso2],
                "role": Role.MEMBER,
                "preferred_language": language,
                "timezone": zone,
            },
        )
        if _created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _data(**values) -> dict:
    data = {
        "titles": {},
        "description_original": "",
        "descriptions": {},
        "language": "en",
        "languages": ["en", "fr", "es"],
        "region_m49": "",
        "audience": "members",
        "network": None,
        "space": None,
        "audience_spaces": [],
        "audience_networks": [],
        "audience_countries": [],
        "capacity": None,
        "requires_approval": False,
        "registration_fields": ["role", "authority", "languages", "dietary", "accessibility", "visa_letter"],
    }
    data.update(values)
    return data


def _register(event: Event, people, status: str = "confirmed") -> None:
    for person in people:
        Registration.objects.get_or_create(event=event, user=person, defaults={"status": status})


def _plenary(admin: User, users: dict[str, User], now: dt.datetime) -> Event:
    start = (now - dt.timedelta(days=60)).replace(hour=8, minute=0, second=0, microsecond=0)
    event = services.event_create(
        actor=admin,
        data=_data(
            kind="in_person",
            title_original=PLENARY_TITLE,
            titles={"fr": "Plénière annuelle des autorités centrales (démo)", "es": "Plenaria anual (demo)"},
            description_original="The yearly meeting of the network's central authorities (demo content).",
            descriptions={
                "fr": "La réunion annuelle des autorités centrales du réseau (contenu de démonstration).",
                "es": "La reunión anual de las autoridades centrales de la red (contenido de demostración).",
            },
            venue="Vienna International Centre, Board Room B (demo)",
            online_url="",
            start=start,
            end=start + dt.timedelta(days=1, hours=8),
            timezone="Europe/Vienna",
        ),
    )
    sessions = [
        ("Opening and adoption of the agenda", 0, 1, "Ana Secretariat (demo)"),
        ("Round table: delays in mutual legal assistance", 1, 3, "Beatriz Coordenadora; Siti Koordinator (demo)"),
        ("Electronic evidence: requests to service providers", 24, 26, "Claire Coordinatrice (demo)"),
    ]
    Session.objects.bulk_create(
        Session(
            event=event,
            title=title,
            start=start + dt.timedelta(hours=begin),
            end=start + dt.timedelta(hours=end),
            room="Board Room B",
            speakers=speakers,
            documents="https://example.org/demo/agenda.pdf",
        )
        for title, begin, end, speakers in sessions
    )
    Event.objects.filter(pk=event.pk).update(
        is_demo=True,
        minutes=(
            "1. The agenda was adopted.\n2. Members agreed to publish average response times per country.\n"
            "3. A working group on electronic evidence will report at the next plenary.\n(Demo minutes.)"
        ),
        recordings="https://example.org/demo/recording-day-1\nhttps://example.org/demo/recording-day-2",
    )
    attendees = [
        users[k] for k in ("coordinator.br", "member.br", "coordinator.id", "member.id", "coordinator.fr") if k in users
    ]
    _register(event, attendees)
    items = [
        ("coordinator.br", "Send Brazil's average response times to the secretariat", 30),
        ("coordinator.id", "Draft the terms of reference of the electronic evidence group", 45),
        ("coordinator.fr", "Circulate the model request for subscriber data", 20),
    ]
    for key, title, days in items:
        if key in users:
            ActionItem.objects.create(
                event=event,
                title=title + " (demo)",
                assignee=users[key],
                due_date=(start + dt.timedelta(days=days)).date(),
                status=ActionItem.Status.DONE if days == 20 else ActionItem.Status.OPEN,
            )
    return event


def _hybrid(admin: User, users: dict[str, User], now: dt.datetime) -> Event:
    start = (now + dt.timedelta(days=45)).replace(hour=2, minute=0, second=0, microsecond=0)  # 09:00 in Bangkok
    event = services.event_create(
        actor=admin,
        data=_data(
            kind="hybrid",
            title_original=HYBRID_TITLE,
            titles={"fr": "Réunion régionale sur le recouvrement d'avoirs, hybride (démo)"},
            description_original="Tracing, freezing and returning the proceeds of crime across the region (demo).",
            descriptions={"fr": "Dépister, geler et restituer le produit du crime dans la région (démo)."},
            venue="United Nations Conference Centre, Bangkok (demo)",
            online_url="https://meet.example.org/demo-asset-recovery",
            start=start,
            end=start + dt.timedelta(days=2, hours=8),
            timezone="Asia/Bangkok",
            capacity=40,
            region_m49="142",
        ),
    )
    Event.objects.filter(pk=event.pk).update(
        is_demo=True,
        budget_currency="USD",
        budget_amount=Decimal("12000.00"),
        budget_remaining=Decimal("12000.00"),
        daily_allowance=Decimal("150.00"),
    )
    Session.objects.create(
        event=event,
        title="Non-conviction based confiscation: practice in the region",
        start=start,
        end=start + dt.timedelta(hours=3),
        room="Conference Room 3",
        speakers="Siti Koordinator (demo)",
    )
    _register(event, [users[k] for k in ("coordinator.id", "member.id", "member.br", "member.fr") if k in users])
    ldc = _ldc_participants()
    _register(event, ldc)
    plans = [
        (Decimal("1400.00"), 3, FundingStatus.APPROVED, None, ""),
        (Decimal("900.00"), 3, FundingStatus.PARTLY, Decimal("1000.00"), "Economy fare from the capital (demo)."),
        (Decimal("1100.00"), 3, FundingStatus.PENDING, None, ""),
    ]
    for person, (travel, days, status, partial, reason) in zip(ldc, plans, strict=False):
        requested = travel + days * Decimal("150.00")
        granted = requested if status == FundingStatus.APPROVED else (partial or Decimal("0"))
        FundingRequest.objects.create(
            event=event,
            user=person,
            country=person.country,
            travel_amount=travel,
            allowance_days=days,
            requested_amount=requested,
            justification="No travel budget in the authority this year (demo).",
            status=status,
            approved_amount=granted,
            decision_reason=reason,
            decided_by=admin if status != FundingStatus.PENDING else None,
            decided_at=now if status != FundingStatus.PENDING else None,
        )
        if granted:
            Event.objects.filter(pk=event.pk, budget_remaining__gte=granted).update(
                budget_remaining=F("budget_remaining") - granted
            )
    return event


def meetings_demo_seed(*, now: dt.datetime | None = None) -> dict:
    """Create the demo events that are missing. Returns {"events_created": n, "skipped": [...]}."""
    from comity.directory.demo import refuse_in_production

    refuse_in_production()
    now = now or timezone.now()
    result = MeetingsDemoResult()
    users = _users()
    admin = users.get("admin")
    if admin is None:
        result.skipped.append("the demo users are missing: run seed_demo")
        return {"events_created": 0, "skipped": result.skipped}
    existing = set(Event.objects.filter(is_demo=True).values_list("title_original", flat=True))
    with transaction.atomic():
        if PLENARY_TITLE not in existing:
            _plenary(admin, users, now)
            result.events_created += 1
        if HYBRID_TITLE not in existing:
            _hybrid(admin, users, now)
            result.events_created += 1
    return {"events_created": result.events_created, "skipped": result.skipped}
