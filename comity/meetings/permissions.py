"""Who may see and organise events. Deny by default: a hidden event answers 404.

Seeing: a public event, everyone (also anonymous); an event for all members, every active member; a restricted event,
members of its spaces (the forum's rule), of its networks (member countries and liaisons) or of its countries. The
secretariat sees every event; organisers and invited or registered people see theirs.

Organising: the secretariat (any event), a network liaison (events of their networks), a moderator (events of a
space they moderate; a global moderator of any non-private space), and the people named organisers of an event.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from comity.accounts.models import Role
from comity.forum import permissions as forum_permissions
from comity.forum.models import Space, SpaceMember
from comity.meetings.models import ACTIVE_STATUSES, Audience, Event, FundingRequest, Registration, RegistrationStatus

# Registrations that let a person see a restricted event (invited, or registered and not cancelled or declined).
MINE_STATUSES = (*ACTIVE_STATUSES, RegistrationStatus.INVITED)


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def events_visible_to(user) -> QuerySet[Event]:
    if not is_member(user):
        return Event.objects.filter(audience=Audience.PUBLIC)
    if user.is_secretariat:
        return Event.objects.all()
    rule = Q(audience__in=[Audience.PUBLIC, Audience.MEMBERS])
    space_ids = list(forum_permissions.spaces_visible_to(user).values_list("pk", flat=True))
    restricted = Q(audience_spaces__in=space_ids) | Q(audience_networks__liaisons=user)
    if user.country_id:
        restricted |= Q(audience_countries=user.country_id) | Q(
            audience_networks__memberships__country_id=user.country_id
        )
    invited_or_registered = Registration.objects.filter(user=user, status__in=MINE_STATUSES).values("event_id")
    mine = Q(organisers=user) | Q(pk__in=invited_or_registered) | Q(created_by=user)
    ids = Event.objects.filter((Q(audience=Audience.RESTRICTED) & restricted) | mine).values("pk")
    return Event.objects.filter(rule | Q(pk__in=ids))


def moderated_space_ids(user) -> list[int]:
    if not is_member(user):
        return []
    if user.role in forum_permissions.GLOBAL_MODERATORS:
        return list(Space.objects.exclude(kind="private").values_list("pk", flat=True))
    return list(
        SpaceMember.objects.filter(user=user, is_moderator=True, state=SpaceMember.State.MEMBER).values_list(
            "space_id", flat=True
        )
    )


def can_organise(user) -> bool:
    """May open the event-creation page: the secretariat, a liaison of some network, a moderator of some space."""
    if not is_member(user) or user.is_observer:
        return False
    if user.is_secretariat or user.role == Role.MODERATOR:
        return True
    if user.role == Role.LIAISON and user.liaison_networks.exists():
        return True
    return SpaceMember.objects.filter(user=user, is_moderator=True, state=SpaceMember.State.MEMBER).exists()


def organisable_networks(user):
    from comity.reference.models import Network

    if not is_member(user) or user.is_observer:
        return Network.objects.none()
    if user.is_secretariat:
        return Network.objects.all()
    if user.role == Role.LIAISON:
        return user.liaison_networks.all()
    return Network.objects.none()


def organisable_spaces(user) -> QuerySet[Space]:
    if not is_member(user) or user.is_observer:
        return Space.objects.none()
    return Space.objects.filter(pk__in=moderated_space_ids(user), is_archived=False)


def can_manage(user, event: Event) -> bool:
    """Edit, cancel, decide registrations and funding, export: the event's organisers in the broad sense."""
    if not is_member(user) or user.is_observer:
        return False
    if user.is_secretariat:
        return True
    if event.organisers.filter(pk=user.pk).exists():
        return True
    if event.network_id and user.role == Role.LIAISON and user.liaison_networks.filter(pk=event.network_id).exists():
        return True
    return bool(event.space_id and event.space_id in moderated_space_ids(user))


def can_see_participants(user, event: Event) -> bool:
    """The participant list: members only (never anonymous visitors of a public event)."""
    return is_member(user)


def can_register(user, event: Event) -> bool:
    return is_member(user) and not user.is_observer and not event.is_cancelled and not event.is_past


def can_add_eligible_country(user) -> bool:
    return is_member(user) and user.is_secretariat


def funding_requests_visible_to(user, event: Event) -> QuerySet[FundingRequest]:
    if can_manage(user, event):
        return event.funding_requests.all()
    if is_member(user):
        return event.funding_requests.filter(user=user)
    return FundingRequest.objects.none()


def registration_of(user, event: Event) -> Registration | None:
    if not is_member(user):
        return None
    return Registration.objects.filter(event=event, user=user).first()
