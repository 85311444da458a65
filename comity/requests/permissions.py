"""Who may see and do what with drafts and requests. Deny by default; hidden and missing objects both answer 404.

- A draft: its author and the people of the requesting authority it is shared with.
- A request: the people of the requesting and of the requested authority (a current seat in the directory) and
  the national coordinators of either country, in the roles member or coordinator. Nobody else: not the
  secretariat (it sees counts only), not moderators, liaisons or observers, not a third country.
- Status changes: each side sets what the transition table gives it (`transitions.py`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from comity.accounts.models import Role
from comity.directory.models import Authority, Contact
from comity.requests.models import Draft, Request, Side

WRITER_ROLES = (Role.MEMBER, Role.COORDINATOR)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def may_write(user) -> bool:
    """May use the writer and the registers at all (the pages' guard)."""
    return _active(user) and user.role in WRITER_ROLES


def may_see_counts(user) -> bool:
    return _active(user) and user.is_secretariat


def authority_ids_of(user) -> QuerySet:
    """The authorities where the user holds a current seat (a subquery)."""
    return Contact.objects.filter(user=user, end_date__isnull=True).values("authority_id")


def own_authorities(user) -> QuerySet[Authority]:
    """The authorities a user may write on behalf of: where they hold a seat, and, for a national coordinator, the
    active authorities of the countries they coordinate."""
    if not may_write(user):
        return Authority.objects.none()
    condition = Q(pk__in=authority_ids_of(user))
    codes = user.coordinated_country_codes()
    if codes:
        condition |= Q(country__iso2__in=codes)
    return Authority.objects.filter(condition, is_active=True).select_related("country")


def drafts_visible_to(user) -> QuerySet[Draft]:
    if not may_write(user):
        return Draft.objects.none()
    return Draft.objects.filter(Q(author=user) | Q(shared_with=user), finalised_at__isnull=True).distinct()


def can_edit_draft(user, draft: Draft) -> bool:
    if not may_write(user) or draft.finalised_at is not None:
        return False
    return draft.author_id == user.pk or draft.shared_with.filter(pk=user.pk).exists()


def can_share_draft(user, draft: Draft) -> bool:
    return may_write(user) and draft.author_id == user.pk and draft.finalised_at is None


def requests_visible_to(user) -> QuerySet[Request]:
    if not may_write(user):
        return Request.objects.none()
    seats = authority_ids_of(user)
    condition = Q(requesting_authority_id__in=seats) | Q(requested_authority_id__in=seats)
    codes = user.coordinated_country_codes()
    if codes:
        condition |= Q(requesting_country__iso2__in=codes) | Q(requested_country__iso2__in=codes)
    return Request.objects.filter(condition)


def sides_of(user, request: Request) -> set[str]:
    """The sides of a request the user speaks for (empty when none)."""
    if not may_write(user):
        return set()
    seats = set(authority_ids_of(user).values_list("authority_id", flat=True))
    codes = user.coordinated_country_codes()
    sides = set()
    if request.requesting_authority_id in seats or request.requesting_country.iso2 in codes:
        sides.add(Side.REQUESTING.value)
    if request.requested_authority_id in seats or request.requested_country.iso2 in codes:
        sides.add(Side.REQUESTED.value)
    return sides
