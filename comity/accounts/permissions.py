"""Who may manage whom. Deny by default; hidden users and invitations answer 404."""

from __future__ import annotations

from django.db.models import QuerySet

from comity.accounts.models import Invitation, Role, User

COORDINATOR_INVITABLE_ROLES = {Role.MEMBER, Role.OBSERVER}


def is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_invite(actor, *, country_code: str, role: str) -> bool:
    if not is_member(actor):
        return False
    if actor.is_secretariat:
        return True
    if actor.is_coordinator:
        return country_code in actor.coordinated_country_codes() and role in COORDINATOR_INVITABLE_ROLES
    return False


def invitations_visible_to(actor) -> QuerySet[Invitation]:
    if not is_member(actor):
        return Invitation.objects.none()
    if actor.is_secretariat:
        return Invitation.objects.all()
    if actor.is_coordinator:
        return Invitation.objects.filter(country__iso2__in=actor.coordinated_country_codes())
    return Invitation.objects.none()


def users_manageable_by(actor) -> QuerySet[User]:
    if not is_member(actor):
        return User.objects.none()
    if actor.is_secretariat:
        return User.objects.all()
    if actor.is_coordinator:
        return User.objects.filter(country__iso2__in=actor.coordinated_country_codes())
    return User.objects.none()


def can_deactivate(actor, target: User) -> bool:
    if not is_member(actor) or actor.pk == target.pk:
        return False
    if actor.is_secretariat:
        return True
    return (
        actor.is_coordinator
        and target.country is not None
        and target.country.iso2 in actor.coordinated_country_codes()
        and target.role in COORDINATOR_INVITABLE_ROLES
    )


def can_change_role(actor, target: User) -> bool:
    return is_member(actor) and actor.is_secretariat and actor.pk != target.pk


def can_reset_second_factor(actor, target: User) -> bool:
    return is_member(actor) and actor.is_secretariat and actor.pk != target.pk
