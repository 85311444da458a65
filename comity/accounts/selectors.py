"""Reads for account management pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from comity.accounts import permissions
from comity.accounts.models import Invitation, User, UserSession
from comity.core.permissions import get_visible_or_404


def member_list(*, actor, q: str = "", country: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    qs = permissions.users_manageable_by(actor).select_related("country")
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if country:
        qs = qs.filter(country__iso2=country.upper())
    if role:
        qs = qs.filter(role=role)
    if active in {"yes", "no"}:
        qs = qs.filter(is_active=(active == "yes"))
    return qs.order_by("full_name", "pk")


def member_get_for(*, actor, pk) -> User:
    qs = (
        permissions.users_manageable_by(actor)
        .select_related("country")
        .prefetch_related("coordinated_countries", "liaison_networks")
    )
    return get_visible_or_404(qs, pk=pk)


def invitation_list(*, actor) -> QuerySet[Invitation]:
    return permissions.invitations_visible_to(actor).select_related("country", "invited_by").order_by("-created_at")


def invitation_get_for(*, actor, pk) -> Invitation:
    return get_visible_or_404(permissions.invitations_visible_to(actor), pk=pk)


def session_list(*, user) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user).order_by("-last_seen_at")
