"""Reads for the public pages that combine reference data with the directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef

from comity.core.i18n import language_name
from comity.directory import permissions as directory_permissions
from comity.directory import selectors as directory_selectors
from comity.directory.models import Channel, Competence
from comity.reference import selectors as reference_selectors
from comity.reference.models import Country


def portal_stats() -> dict:
    return reference_selectors.portal_stats()


def country_get_with_directory_flag(*, iso2: str) -> Country:
    """`reference.selectors.country_get`, plus `has_authorities` computed in the same query, so that a country
    without authorities in the directory costs no further query (the page stays at two)."""
    listed = directory_permissions.authorities_visible_to(AnonymousUser()).filter(country=OuterRef("pk"))
    return reference_selectors.country_get(iso2=iso2, annotations={"has_authorities": Exists(listed)})


def country_public_authorities(*, country: Country, now: dt.datetime) -> list[dict]:
    """The country's active authorities with their public fields only (the page is public for everyone)."""
    if not country.has_authorities:  # type: ignore[attr-defined]  # annotated by country_get_with_directory_flag
        return []
    # The page shows no contact point: of the list's prefetches it keeps only what it shows and what availability
    # needs: loading every current contact with its seat was a fifth of the page's time.
    authorities = (
        directory_selectors.authority_list(user=AnonymousUser(), country=country.iso2)
        .prefetch_related(None)
        .prefetch_related("competences", "office_hours", "closures")
    )
    rows = []
    for authority in authorities:
        rows.append(
            {
                "authority": authority,
                "name": authority.localized_name(),
                "competences": [
                    str(Competence(c.code).label) for c in authority.competences.all() if c.code in Competence.values
                ],
                "languages": [language_name(code) for code in authority.languages_accepted],
                "channels": [str(Channel(code).label) for code in authority.channels if code in Channel.values],
                "status": directory_selectors.authority_availability(authority, now),
            }
        )
    return rows


# --- the signed-in start page -------------------------------------------------------------------------------------

START_LIST = 10


@dataclass
class CountryQuestions:
    """Questions addressed to the viewer's country: the latest open ones (with overdue ones marked) and counts."""

    country: Country | None = None
    open: list = field(default_factory=list)
    open_count: int = 0
    answered_count: int = 0
    overdue_count: int = 0
    due_days: int = 0


def questions_to_my_country(*, user, now: dt.datetime) -> CountryQuestions:
    """Open questions to the user's country, newest first; one is overdue when it is still open past the reminder
    delay counted in the country's own business days (the rule of the question reminders)."""
    from comity.forum import permissions as forum_permissions
    from comity.forum.models import Thread
    from comity.notifications import reminders

    result = CountryQuestions(country=user.country if user.country_id else None)
    if result.country is None:
        return result
    days = reminders.business_days_setting()
    result.due_days = days
    asked = forum_permissions.threads_visible_to(user).filter(
        kind=Thread.Kind.QUESTION, addressed_countries=result.country
    )
    counts = dict(asked.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    result.open_count = counts.get(Thread.Status.OPEN, 0)
    result.answered_count = counts.get(Thread.Status.ANSWERED, 0) + counts.get(Thread.Status.RESOLVED, 0)
    schedule = reminders.country_schedule(result.country)
    open_questions = list(
        asked.filter(status=Thread.Status.OPEN).select_related("space", "author").order_by("-created_at")[:200]
    )
    due = {thread.pk: reminders.due_at(schedule, thread.created_at, days) for thread in open_questions}
    for thread in open_questions:  # attributes for the template, set on the rows shown (not model fields)
        thread.due_at = due[thread.pk]  # type: ignore[attr-defined]
        thread.is_overdue = due[thread.pk] <= now  # type: ignore[attr-defined]
    result.overdue_count = sum(1 for thread in open_questions if due[thread.pk] <= now)
    result.open = sorted(open_questions, key=lambda t: (due[t.pk] > now, due[t.pk]))[:START_LIST]
    return result


def my_consultations(*, user) -> list:
    """The private consultations the user takes part in, open ones first, each with its unread thread count."""
    from comity.forum import permissions as forum_permissions
    from comity.forum import selectors as forum_selectors
    from comity.forum.models import SpaceKind

    spaces = list(forum_permissions.spaces_visible_to(user).filter(kind=SpaceKind.PRIVATE).order_by())
    unread = forum_selectors.unread_threads_by_space(user=user, space_ids=[s.pk for s in spaces])
    for space in spaces:
        space.unread_count = unread.get(space.pk, 0)  # type: ignore[attr-defined]
        space.display_name = space.localized_name()  # type: ignore[attr-defined]
    return sorted(spaces, key=lambda s: (s.is_archived, -unread.get(s.pk, 0), s.localized_name().casefold()))


def unread_watched_threads(*, user, limit: int = START_LIST) -> list:
    """Threads the user watches that have posts they have not read, latest activity first: threads they watch, and
    the threads of spaces they watch (every private consultation they are in, unless they chose another level)
    that they did not set to another level."""
    from django.db.models import Q

    from comity.forum import permissions as forum_permissions
    from comity.forum import selectors as forum_selectors
    from comity.forum.models import NotifyLevel, SpaceKind, SpaceMember, ThreadSubscription

    mine = ThreadSubscription.objects.filter(user=user)
    watched = mine.filter(level=NotifyLevel.WATCHING).values("thread_id")
    other_level = mine.exclude(level=NotifyLevel.WATCHING).values("thread_id")
    rows = SpaceMember.objects.filter(user=user).exclude(state=SpaceMember.State.REMOVED)
    watched_spaces = rows.filter(notify_level=NotifyLevel.WATCHING).values("space_id")
    by_default = Q(space__kind=SpaceKind.PRIVATE) & ~Q(space_id__in=rows.values("space_id"))
    threads = (
        forum_permissions.threads_visible_to(user)
        .filter(Q(pk__in=watched) | ((Q(space_id__in=watched_spaces) | by_default) & ~Q(pk__in=other_level)))
        .select_related("space")
        .annotate(unread_count=forum_selectors._unread_count(user))
        .filter(unread_count__gt=0)
        .order_by("-last_post_at")
    )
    return list(threads[:limit])


def records_due(*, user, now: dt.datetime) -> list[dict]:
    """The user's own records past their confirmation window: their contact entries in the directory; for
    national coordinators also their countries' authorities, legal profiles and fiches."""
    from comity.directory.models import Authority, Contact
    from comity.legalprofiles import selectors as legal_selectors

    cutoff = now - directory_selectors.confirmation_window()
    rows: list[dict] = []
    for contact in (
        Contact.objects.filter(user=user, end_date__isnull=True, last_confirmed_at__lt=cutoff)
        .select_related("authority")
        .order_by("last_confirmed_at")[:START_LIST]
    ):
        rows.append(
            {"kind": "contact", "object": contact, "authority": contact.authority, "since": contact.last_confirmed_at}
        )
    if user.is_coordinator:
        codes = sorted(user.coordinated_country_codes())
        for authority in Authority.objects.filter(
            country__iso2__in=codes, is_active=True, last_confirmed_at__lt=cutoff
        ).order_by("last_confirmed_at")[:START_LIST]:
            rows.append(
                {"kind": "authority", "object": authority, "authority": authority, "since": authority.last_confirmed_at}
            )
        overdue = legal_selectors.overdue_for(user=user, now=now, limit=START_LIST)
        for profile in overdue["profiles"]:
            rows.append({"kind": "profile", "object": profile, "authority": None, "since": profile.last_confirmed_at})
        for fiche in overdue["fiches"]:
            rows.append({"kind": "fiche", "object": fiche, "authority": None, "since": fiche.last_confirmed_at})
    return rows
