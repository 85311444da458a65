"""The demo orchestrator: calls each app's own demo seeder in layer order and records one audit event."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from comity.accounts import demo as accounts_demo
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.directory import demo as directory_demo
from comity.directory.demo import ScaleResult
from comity.files import demo as files_demo
from comity.forum import demo as forum_demo
from comity.legalprofiles import demo as legalprofiles_demo
from comity.library import demo as library_demo
from comity.meetings import demo as meetings_demo
from comity.requests import demo as requests_demo
from comity.teams import demo as teams_demo
from comity.treaties import demo as treaties_demo


def demo_seed() -> dict:
    """Every app's demo data, in layer order (accounts, directory, legal profiles, treaties, forum, files, library).
    Refused in production."""
    if settings.COMITY_ENVIRONMENT == "production":
        raise ImproperlyConfigured("Demo data is refused under production settings.")
    with transaction.atomic():
        created = accounts_demo.accounts_demo_seed()
        directory = directory_demo.directory_demo_seed()
        profiles = legalprofiles_demo.legalprofiles_demo_seed()
        treaties = treaties_demo.treaties_demo_seed()
        forum = forum_demo.forum_demo_seed()
        files = files_demo.files_demo_seed()
        library = library_demo.library_demo_seed()
        meetings = meetings_demo.meetings_demo_seed()
        teams = teams_demo.teams_demo_seed()
        requests_seeded = requests_demo.requests_demo_seed()
        legal_created = (
            profiles["profiles_created"] + profiles["fiches_created"] + treaties["instruments_created"]
        ) + library["documents"]
        if (
            created
            or directory.authorities_created
            or forum.threads_created
            or files["attachments"]
            or legal_created
            or meetings["events_created"]
            or teams["teams"]
            or requests_seeded["requests_created"]
        ):
            audit_log(
                action=AuditAction.DEMO_SEEDED,
                details={
                    "users_created": created,
                    "authorities_created": directory.authorities_created,
                    "contacts_created": directory.contacts_created,
                    "forum_threads_created": forum.threads_created,
                    "attachments_created": files["attachments"],
                    "legal_profiles_created": profiles["profiles_created"],
                    "measure_fiches_created": profiles["fiches_created"],
                    "demo_treaties_created": treaties["instruments_created"],
                    "library_documents_created": library["documents"],
                    "events_created": meetings["events_created"],
                    "teams_created": teams["teams"],
                    "requests_created": requests_seeded["requests_created"],
                },
            )
    return {
        "users_created": created,
        "users": len(accounts_demo.DEMO_USERS),
        "authorities": directory.authorities,
        "forum_spaces": forum.spaces,
        "forum_threads_created": forum.threads_created,
        "forum_posts_created": forum.posts_created,
        "attachments_created": files["attachments"],
        "authorities_created": directory.authorities_created,
        "contacts_created": directory.contacts_created,
        "contacts_linked": directory.contacts_linked,
        "countries_missing": list(directory.countries_missing),
        "legal_profiles_created": profiles["profiles_created"],
        "measure_fiches_created": profiles["fiches_created"],
        "demo_treaties_created": treaties["instruments_created"],
        "library_documents_created": library["documents"],
        "events_created": meetings["events_created"],
        "teams_created": teams["teams"],
        "requests_created": requests_seeded["requests_created"],
    }


def demo_seed_scale(*, count: int, seed: int = 2026, progress=None) -> ScaleResult:
    """Top the directory up to `count` synthetic authorities (4 contact points each) for benchmarks."""
    if settings.COMITY_ENVIRONMENT == "production":
        raise ImproperlyConfigured("Demo data is refused under production settings.")
    result = directory_demo.directory_scale_seed(count=count, seed=seed, progress=progress)
    if result.authorities_created:
        audit_log(
            action=AuditAction.DEMO_SEEDED,
            details={
                "synthetic_authorities_created": result.authorities_created,
                "synthetic_contacts_created": result.contacts_created,
                "seed": seed,
            },
        )
    return result
