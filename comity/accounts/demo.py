"""Demo accounts: one user per role, clearly fictional, sharing a documented password and TOTP secret."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.models import Role, User
from comity.reference.models import Country, Network

DEMO_DOMAIN = "demo.comity.test"


@dataclass(frozen=True)
class DemoUser:
    local: str
    full_name: str
    country: str
    role: str
    language: str
    timezone: str
    coordinates: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("admin", "Ana Secretariat (demo)", "AT", Role.SECRETARIAT, "en", "Europe/Vienna"),
    DemoUser("moderator", "Kofi Moderator (demo)", "KE", Role.MODERATOR, "en", "Africa/Nairobi"),
    DemoUser(
        "coordinator.br",
        "Beatriz Coordenadora (demo)",
        "BR",
        Role.COORDINATOR,
        "pt",
        "America/Sao_Paulo",
        coordinates=("BR",),
    ),
    DemoUser("member.br", "Rafael Membro (demo)", "BR", Role.MEMBER, "pt", "America/Sao_Paulo"),
    DemoUser(
        "coordinator.id", "Siti Koordinator (demo)", "ID", Role.COORDINATOR, "en", "Asia/Jakarta", coordinates=("ID",)
    ),
    DemoUser("member.id", "Budi Anggota (demo)", "ID", Role.MEMBER, "en", "Asia/Jakarta"),
    DemoUser(
        "coordinator.fr",
        "Claire Coordinatrice (demo)",
        "FR",
        Role.COORDINATOR,
        "fr",
        "Europe/Paris",
        coordinates=("FR",),
    ),
    DemoUser("member.fr", "Julien Membre (demo)", "FR", Role.MEMBER, "fr", "Europe/Paris"),
    DemoUser(
        "liaison.iberred", "Lucía Enlace (demo)", "ES", Role.LIAISON, "es", "Europe/Madrid", networks=("iberred",)
    ),
    DemoUser("observer", "Olga Observer (demo)", "RU", Role.OBSERVER, "ru", "Europe/Moscow"),
)


def demo_totp_hex() -> str:
    secret = settings.DEMO_TOTP_SECRET.strip().replace(" ", "").upper()
    try:
        raw = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("COMITY_DEMO_TOTP_SECRET must be base32.") from exc
    if len(raw) < 10:
        raise ImproperlyConfigured("COMITY_DEMO_TOTP_SECRET must hold at least 80 bits (16 base32 characters).")
    return raw.hex()


def accounts_demo_seed() -> int:
    """Create (or refresh the authenticator of) the demo accounts; returns how many were created. The caller
    (the demo orchestrator) refuses production and holds the transaction."""
    countries = {
        c.iso2: c
        for c in Country.objects.filter(
            iso2__in={u.country for u in DEMO_USERS} | {c for u in DEMO_USERS for c in u.coordinates}
        )
    }
    missing = sorted({u.country for u in DEMO_USERS} - set(countries))
    if missing:
        raise ImproperlyConfigured(f"Reference data is missing countries {missing}; run load_reference first.")
    key_hex = demo_totp_hex()
    created = 0
    for spec in DEMO_USERS:
        user, was_created = User.objects.get_or_create(
            email=f"{spec.local}@{DEMO_DOMAIN}",
            defaults={
                "full_name": spec.full_name,
                "country": countries[spec.country],
                "role": spec.role,
                "preferred_language": spec.language,
                "timezone": spec.timezone,
                "is_staff": spec.role == Role.SECRETARIAT,
                "languages_spoken": sorted({spec.language, "en"}),
            },
        )
        if was_created:
            created += 1
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.coordinated_countries.set([countries[c] for c in spec.coordinates])
            user.liaison_networks.set(Network.objects.filter(slug__in=spec.networks))
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Demo authenticator",
            defaults={"key": key_hex, "confirmed": True, "digits": 6, "step": 30},
        )
    return created
