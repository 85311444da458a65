"""Invitations: create, look up by token, expire, revoke and accept (which creates the account)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.accounts import permissions
from comity.accounts.models import Invitation, Role, User
from comity.accounts.services._common import _absolute, _send, sha256_hex
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES


def invitation_create(
    *,
    actor: User,
    email: str,
    full_name: str,
    country,
    role: str = Role.MEMBER,
    coordinated_countries=(),
    liaison_networks=(),
    language: str = "en",
) -> tuple[Invitation, str]:
    """Invite someone; returns the invitation and the raw token (sent by e-mail, never stored)."""
    email = User.objects.normalize_email(email)
    if not permissions.can_invite(actor, country_code=country.iso2, role=role):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("A user with this e-mail address already exists.")]
    if role == Role.COORDINATOR and not coordinated_countries:
        coordinated_countries = [country]
    if role == Role.LIAISON and not liaison_networks:
        errors["liaison_networks"] = [_("A network liaison needs at least one network.")]
    if language not in UI_LANGUAGES:
        errors["language"] = [_("Unknown language.")]
    if errors:
        raise ValidationError(errors)
    raw = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        for old in Invitation.objects.select_for_update().filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit_log(
                action=AuditAction.INVITATION_REVOKED,
                actor=actor,
                target=old,
                country=old.country.iso2,
                details={"email": old.email, "reason": "replaced"},
            )
        invitation = Invitation(
            email=email,
            full_name=full_name.strip(),
            country=country,
            role=role,
            language=language,
            token_hash=sha256_hex(raw),
            invited_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.INVITATION_VALIDITY_DAYS),
        )
        invitation.full_clean(exclude=["token_hash"])
        invitation.save()
        invitation.coordinated_countries.set(coordinated_countries)
        invitation.liaison_networks.set(liaison_networks)
        audit_log(
            action=AuditAction.INVITATION_SENT,
            actor=actor,
            target=invitation,
            country=country.iso2,
            details={"email": email, "role": role},
        )
        link = _absolute(reverse("accounts:invitation_accept", kwargs={"token": raw}))
        expires = invitation.expires_at
        _send(
            to=email,
            language=language,
            category="invitation",
            subject_fn=lambda: _("You are invited to join Comity"),
            body_fn=lambda: (
                _(
                    "%(inviter)s invited you to join Comity, the network of competent national authorities.\n\n"
                    "Open this link to set your password and two-factor authentication:\n%(link)s\n\n"
                    "The link can be used once and expires on %(expires)s (UTC)."
                )
                % {"inviter": actor.full_name, "link": link, "expires": expires.strftime("%Y-%m-%d %H:%M")}
            ),
        )
    return invitation, raw


class InvitationError(Exception):
    """The invitation cannot be used; the message says why."""


def invitation_for_token(raw: str) -> Invitation:
    """The usable invitation behind a token, or InvitationError (an expired one is audited once)."""
    invitation = Invitation.objects.select_related("country").filter(token_hash=sha256_hex(raw or "")).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    status = invitation.status
    if status == "accepted":
        raise InvitationError(_("This invitation has already been used. Sign in instead."))
    if status == "revoked":
        raise InvitationError(_("This invitation was withdrawn. Ask for a new one."))
    if status == "expired":
        _audit_expiry(invitation)
        raise InvitationError(_("This invitation has expired. Ask for a new one."))
    return invitation


def _audit_expiry(invitation: Invitation) -> None:
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.expiry_audited:
            return
        locked.expiry_audited = True
        locked.save(update_fields=["expiry_audited"])
        audit_log(
            action=AuditAction.INVITATION_EXPIRED,
            target=locked,
            country=locked.country.iso2,
            details={"email": locked.email},
        )


def invitations_expire() -> int:
    """Audit every invitation that expired since the last run. Returns how many."""
    count = 0
    for invitation in Invitation.objects.select_related("country").filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now(), expiry_audited=False
    ):
        _audit_expiry(invitation)
        count += 1
    return count


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.status != "pending":
        raise ValidationError(_("Only a pending invitation can be revoked."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_log(
            action=AuditAction.INVITATION_REVOKED,
            actor=actor,
            target=invitation,
            country=invitation.country.iso2,
            details={"email": invitation.email},
        )


def invitation_accept(*, raw_token: str, full_name: str, password: str) -> User:
    """Create the account. The new user must still enrol a second factor before signing in."""
    with transaction.atomic():
        invitation = invitation_for_token(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != "pending":
            raise InvitationError(_("This invitation has already been used. Sign in instead."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(_("This invitation has already been used. Sign in instead."))
        user = User(
            email=invitation.email,
            full_name=(full_name or invitation.full_name).strip(),
            country=invitation.country,
            role=invitation.role,
            preferred_language=invitation.language,
            timezone=(invitation.country.primary_timezone if invitation.country.timezones else "UTC"),
        )
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        user.coordinated_countries.set(invitation.coordinated_countries.all())
        user.liaison_networks.set(invitation.liaison_networks.all())
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        audit_log(
            action=AuditAction.INVITATION_ACCEPTED,
            actor=user,
            target=invitation,
            country=invitation.country.iso2,
            details={"email": user.email, "role": user.role},
        )
    return user
