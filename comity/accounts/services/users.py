"""Users and roles: deactivate, reactivate, change a role; the user's own profile and language."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.accounts import permissions
from comity.accounts.models import ApiToken, Role, User
from comity.accounts.services._common import _country_code
from comity.accounts.services.sessions import _sessions_end
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES
from comity.core.timeutil import is_valid_timezone


def user_deactivate(*, actor: User, user: User) -> None:
    """Deactivate and end every session and API token at once."""
    if not permissions.can_deactivate(actor, user):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError(_("This user is already deactivated."))
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        ended = _sessions_end(user=user)
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(
            action=AuditAction.USER_DEACTIVATED,
            actor=actor,
            target=user,
            country=_country_code(user),
            details={"sessions_ended": ended, "tokens_revoked": tokens},
        )


def user_reactivate(*, actor: User, user: User) -> None:
    if not permissions.can_deactivate(actor, user):
        raise PermissionDenied
    if user.is_active:
        raise ValidationError(_("This user is already active."))
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        audit_log(action=AuditAction.USER_REACTIVATED, actor=actor, target=user, country=_country_code(user))


def user_change_role(*, actor: User, user: User, role: str, coordinated_countries=(), liaison_networks=()) -> None:
    if not permissions.can_change_role(actor, user):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    coordinated_countries = list(coordinated_countries)
    liaison_networks = list(liaison_networks)
    if role == Role.COORDINATOR and not coordinated_countries:
        raise ValidationError({"coordinated_countries": [_("A national coordinator needs at least one country.")]})
    if role == Role.LIAISON and not liaison_networks:
        raise ValidationError({"liaison_networks": [_("A network liaison needs at least one network.")]})
    with transaction.atomic():
        before = {
            "role": user.role,
            "countries": sorted(user.coordinated_countries.values_list("iso2", flat=True)),
            "networks": sorted(user.liaison_networks.values_list("slug", flat=True)),
        }
        user.role = role
        user.is_staff = role == Role.SECRETARIAT
        user.save(update_fields=["role", "is_staff"])
        user.coordinated_countries.set(coordinated_countries if role == Role.COORDINATOR else [])
        user.liaison_networks.set(liaison_networks if role == Role.LIAISON else [])
        user.__dict__.pop("_coordinated_codes", None)
        after = {
            "role": role,
            "countries": sorted(c.iso2 for c in coordinated_countries) if role == Role.COORDINATOR else [],
            "networks": sorted(n.slug for n in liaison_networks) if role == Role.LIAISON else [],
        }
        audit_log(
            action=AuditAction.USER_ROLE_CHANGED,
            actor=actor,
            target=user,
            country=_country_code(user),
            details={"before": before, "after": after},
        )


def profile_update(
    *, user: User, full_name: str, preferred_language: str, timezone_name: str, languages_spoken: list[str]
) -> None:
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = [_("Enter your name.")]
    if preferred_language not in UI_LANGUAGES:
        errors["preferred_language"] = [_("Unknown language.")]
    if not is_valid_timezone(timezone_name):
        errors["timezone"] = [_("Unknown time zone.")]
    if errors:
        raise ValidationError(errors)
    fields = {
        "full_name": full_name.strip(),
        "preferred_language": preferred_language,
        "timezone": timezone_name,
        "languages_spoken": sorted(set(languages_spoken)),
    }
    changed = {k: v for k, v in fields.items() if getattr(user, k) != v}
    if not changed:
        return
    with transaction.atomic():
        for key, value in changed.items():
            setattr(user, key, value)
        user.save(update_fields=list(changed))
        audit_log(
            action=AuditAction.USER_PROFILE_UPDATED,
            actor=user,
            target=user,
            country=_country_code(user),
            details={"fields": sorted(changed)},
        )


def user_set_language(*, user: User, language: str) -> None:
    if language in UI_LANGUAGES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
