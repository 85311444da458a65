"""Every write to a joint team: permission checked here, validated, audited, and recorded on the timeline.

The team's private forum space is created and managed through the forum's services (its creation, invitations
and removals are audited there too); the shelf's files go through the files app (encrypted, in the space's file
log). Leaders are made moderators of the space so that they may invite and remove through those services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES
from comity.files.services import attachment_create
from comity.forum import permissions as forum_permissions
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind, SpaceMember
from comity.teams import agreement, permissions
from comity.teams.models import (
    ActionItem,
    Activity,
    AgreementTemplate,
    DocumentVersion,
    Evaluation,
    Team,
    TeamDocument,
    TeamExtension,
    TeamMember,
)
from comity.teams.selectors import leaders_of, template_body

# The audit enum gains team actions at merge (see the report); until then the nearest forum action is used and
# the team's own event name travels in the details.
_ACTIONS = {
    "team.created": ("TEAM_CREATED", AuditAction.SPACE_CREATED),
    "team.member_added": ("TEAM_MEMBER_ADDED", AuditAction.SPACE_MEMBER_ADDED),
    "team.member_removed": ("TEAM_MEMBER_REMOVED", AuditAction.SPACE_MEMBER_REMOVED),
    "team.extended": ("TEAM_EXTENDED", AuditAction.SPACE_UPDATED),
    "team.closed": ("TEAM_CLOSED", AuditAction.SPACE_UPDATED),
    "team.agreement_drafted": ("TEAM_AGREEMENT_DRAFTED", AuditAction.SPACE_UPDATED),
    "team.evaluated": ("TEAM_EVALUATED", AuditAction.SPACE_UPDATED),
    "team.document_added": ("TEAM_DOCUMENT_ADDED", AuditAction.FILE_UPLOADED),
    "team.template_updated": ("TEAM_TEMPLATE_UPDATED", AuditAction.SPACE_UPDATED),
}
MAX_TEXT = 20_000


def _audit(event: str, *, actor, team: Team | None, details: dict | None = None, target=None) -> None:
    name, fallback = _ACTIONS[event]
    audit_log(
        action=getattr(AuditAction, name, fallback),
        actor=actor,
        target=target if target is not None else team,
        country=actor.country.iso2 if getattr(actor, "country_id", None) else "",
        details={"event": event, **({"team": team.pk} if team is not None else {}), **(details or {})},
    )


def _activity(team: Team, actor, verb: str, **details) -> None:
    Activity.objects.create(team=team, actor=actor, verb=verb, details=details)


def _require_open(team: Team) -> None:
    if not team.is_open:
        raise ValidationError(_("This team is closed: its workspace is read-only."))


# --- the team ----------------------------------------------------------------------------------------------------


def team_create(
    *,
    actor,
    name: str,
    purpose: str,
    agreement_reference: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
    leaders: list,
    authorities=(),
) -> Team:
    """Set up a team: one leader per country (at least two countries), the creator among them."""
    if not permissions.can_create_team(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the team a name.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say what the team is for.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The end date cannot be before the start date.")]
    leader_countries = [leader.country_id for leader in leaders]
    if any(leader.country_id is None or not leader.is_active or leader.is_observer for leader in leaders):
        errors["leaders"] = [_("Each leader must be an active member (not an observer) with a country.")]
    elif len(set(leader_countries)) != len(leader_countries):
        errors["leaders"] = [_("Name one leader per country.")]
    elif len(leaders) < 2:
        errors["leaders"] = [_("A joint team needs leaders from at least two countries.")]
    elif actor.pk not in {leader.pk for leader in leaders}:
        errors["leaders"] = [_("You must be the leader for your own country.")]
    for authority in authorities:
        if authority.country_id not in leader_countries:
            errors["authorities"] = [_("Each authority must belong to one of the team's countries.")]
            break
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        space = forum_services.space_create(
            actor=actor,
            kind=SpaceKind.PRIVATE,
            name=name.strip(),
            description=_("The private workspace of a joint team."),
            invite_users=[leader for leader in leaders if leader.pk != actor.pk],
        )
        # Leaders moderate the space: they invite and remove their country's members through the forum.
        SpaceMember.objects.filter(space=space, user__in=leaders).update(is_moderator=True)
        team = Team.objects.create(
            name=name.strip(),
            purpose=purpose.strip(),
            agreement_reference=(agreement_reference or "").strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            original_end=ends_on,
            space=space,
            created_by=actor,
        )
        team.countries.set(leader_countries)
        team.authorities.set(list(authorities))
        TeamMember.objects.bulk_create(
            [
                TeamMember(team=team, user=leader, country_id=leader.country_id, is_leader=True, added_by=actor)
                for leader in leaders
            ]
        )
        _activity(team, actor, "created")
        _audit("team.created", actor=actor, team=team, details={"leaders": [leader.pk for leader in leaders]})
    for leader in leaders:
        forum_permissions.forget(leader)
    return team


def team_extend(*, actor, team: Team, new_end: dt.date, reason: str) -> Team:
    if not permissions.can_lead(actor, team):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if new_end is None or new_end <= team.ends_on:
        errors["new_end"] = [_("The new end date must be after the current one (%(day)s).") % {"day": team.ends_on}]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the extension.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        _require_open(locked)
        TeamExtension.objects.create(
            team=team, previous_end=locked.ends_on, new_end=new_end, reason=reason.strip(), created_by=actor
        )
        previous = locked.ends_on
        locked.ends_on = new_end
        locked.save(update_fields=["ends_on"])
        _activity(team, actor, "extended", previous=str(previous), new=str(new_end))
        _audit("team.extended", actor=actor, team=team, details={"from": str(previous), "to": str(new_end)})
    team.ends_on = new_end
    return team


def team_close(*, actor, team: Team) -> Team:
    """Close the team: the workspace and its space become read-only (the forum's retention rules then apply)."""
    if not permissions.can_lead(actor, team):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        if not Team.objects.filter(pk=team.pk, status=Team.Status.ACTIVE).update(
            status=Team.Status.CLOSED, closed_at=now
        ):
            raise ValidationError(_("This team is already closed."))
        if not team.space.is_archived:
            forum_services.space_close(actor=actor, space=team.space)
        _activity(team, actor, "closed")
        _audit("team.closed", actor=actor, team=team)
    team.status, team.closed_at = Team.Status.CLOSED, now
    return team


# --- members -----------------------------------------------------------------------------------------------------


def member_add(*, actor, team: Team, user) -> TeamMember:
    """A leader invites a member of their own country; they join the team's space at once."""
    country_id = permissions.led_country_id(actor, team)
    if not permissions.can_manage_country(actor, team, country_id):
        raise PermissionDenied
    if user is None or not user.is_active or user.country_id != country_id:
        raise ValidationError({"user": [_("Invite an active member from your own country.")]})
    with transaction.atomic():
        existing = TeamMember.objects.select_for_update().filter(team=team, user=user).first()
        if existing is not None and existing.state == TeamMember.State.ACTIVE:
            raise ValidationError({"user": [_("This person is already a member of the team.")]})
        if existing is None:
            try:
                with transaction.atomic():  # two leaders' requests at once: the unique constraint decides
                    member = TeamMember.objects.create(team=team, user=user, country_id=country_id, added_by=actor)
            except IntegrityError as exc:
                raise ValidationError({"user": [_("This person is already a member of the team.")]}) from exc
        else:
            existing.state, existing.added_by, existing.added_at = TeamMember.State.ACTIVE, actor, timezone.now()
            existing.removed_by, existing.removed_at, existing.is_leader = None, None, False
            existing.save(update_fields=["state", "added_by", "added_at", "removed_by", "removed_at", "is_leader"])
            member = existing
        forum_services.space_member_add(actor=actor, space=team.space, user=user)
        _activity(team, actor, "member_added", user=user.display_name)
        _audit("team.member_added", actor=actor, team=team, details={"user": user.pk})
    permissions.forget(team)
    forum_permissions.forget(user)
    return member


def member_remove(*, actor, team: Team, user) -> None:
    """A leader removes a member of their own country: access to the pages, API, space and files ends at once."""
    country_id = permissions.led_country_id(actor, team)
    if not permissions.can_manage_country(actor, team, country_id):
        raise PermissionDenied
    with transaction.atomic():
        member = (
            TeamMember.objects.select_for_update().filter(team=team, user=user, state=TeamMember.State.ACTIVE).first()
        )
        if member is None:
            raise ValidationError({"user": [_("This person is not a member of the team.")]})
        if member.country_id != country_id:
            raise PermissionDenied  # another country's leader decides about their members
        if member.is_leader:
            raise ValidationError({"user": [_("A leader cannot be removed; hand the leadership over first.")]})
        member.state, member.removed_by, member.removed_at = TeamMember.State.REMOVED, actor, timezone.now()
        member.save(update_fields=["state", "removed_by", "removed_at"])
        forum_services.space_member_remove(actor=actor, space=team.space, user=user)
        _activity(team, actor, "member_removed", user=user.display_name)
        _audit("team.member_removed", actor=actor, team=team, details={"user": user.pk})
    permissions.forget(team)
    forum_permissions.forget(user)


# --- action items --------------------------------------------------------------------------------------------------


def action_item_create(*, actor, team: Team, title: str, assignee, due_on: dt.date) -> ActionItem:
    if not permissions.can_write(actor, team):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Say what must be done.")]
    if (
        assignee is None
        or not TeamMember.objects.filter(team=team, user=assignee, state=TeamMember.State.ACTIVE).exists()
    ):
        errors["assignee"] = [_("Assign the action to a member of the team.")]
    if due_on is None:
        errors["due_on"] = [_("Give a due date.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = ActionItem.objects.create(
            team=team, title=title.strip()[:300], assignee=assignee, due_on=due_on, created_by=actor
        )
        _activity(team, actor, "action_added", title=item.title, assignee=assignee.display_name)
    return item


def action_item_set_status(*, actor, item: ActionItem, status: str) -> ActionItem:
    team = item.team
    if not permissions.can_update_item(actor, team, item):
        raise PermissionDenied
    if status not in ActionItem.Status.values:
        raise ValidationError({"status": [_("Choose open, in progress or done.")]})
    with transaction.atomic():
        item.status, item.updated_at = status, timezone.now()
        item.save(update_fields=["status", "updated_at"])
        _activity(team, actor, "action_status", title=item.title, status=status)
    return item


# --- the shelf ------------------------------------------------------------------------------------------------------


def document_add(*, actor, team: Team, title: str, filename: str, content, note: str = "") -> DocumentVersion:
    """A new document on the shelf; its first version is an encrypted attachment of the team's space."""
    if not permissions.can_write(actor, team):
        raise PermissionDenied
    if not (title or "").strip():
        raise ValidationError({"title": [_("Give the document a title.")]})
    attachment = attachment_create(actor=actor, space=team.space, filename=filename, content=content)
    with transaction.atomic():
        document = TeamDocument.objects.create(team=team, title=title.strip()[:200], created_by=actor)
        version = DocumentVersion.objects.create(
            document=document, number=1, attachment=attachment, note=(note or "")[:300], created_by=actor
        )
        _activity(team, actor, "document_added", title=document.title, version=1)
        _audit(
            "team.document_added",
            actor=actor,
            team=team,
            details={"document": document.pk, "attachment": attachment.pk},
        )
    return version


def document_version_add(*, actor, document: TeamDocument, filename: str, content, note: str = "") -> DocumentVersion:
    team = document.team
    if not permissions.can_write(actor, team):
        raise PermissionDenied
    attachment = attachment_create(actor=actor, space=team.space, filename=filename, content=content)
    with transaction.atomic():
        TeamDocument.objects.select_for_update().get(pk=document.pk)
        last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = DocumentVersion.objects.create(
            document=document, number=last + 1, attachment=attachment, note=(note or "")[:300], created_by=actor
        )
        _activity(team, actor, "version_added", title=document.title, version=version.number)
        _audit(
            "team.document_added",
            actor=actor,
            team=team,
            details={"document": document.pk, "attachment": attachment.pk, "version": version.number},
        )
    return version


# --- agreement and evaluation ---------------------------------------------------------------------------------------


def agreement_draft(*, actor, team: Team, language: str = "en") -> Team:
    """Fill the template (in the actor's language when the secretariat wrote one) into the team's agreement."""
    if not permissions.can_lead(actor, team):
        raise PermissionDenied
    text = agreement.fill(template_body(language), team, leaders_of(team))
    with transaction.atomic():
        team.agreement_text = text
        team.save(update_fields=["agreement_text"])
        _activity(team, actor, "agreement_drafted")
        _audit("team.agreement_drafted", actor=actor, team=team)
    return team


def agreement_update(*, actor, team: Team, text: str) -> Team:
    if not permissions.can_lead(actor, team):
        raise PermissionDenied
    if not (text or "").strip() or len(text) > MAX_TEXT:
        raise ValidationError({"text": [_("The agreement needs some text (at most 20,000 characters).")]})
    with transaction.atomic():
        team.agreement_text = text.strip()
        team.save(update_fields=["agreement_text"])
        _activity(team, actor, "agreement_edited")
        _audit("team.agreement_drafted", actor=actor, team=team, details={"edited": True})
    return team


def evaluation_submit(
    *,
    actor,
    team: Team,
    objectives_met: int,
    cooperation: int,
    platform: int,
    lessons: str = "",
    would_repeat: bool = True,
) -> Evaluation:
    """Each country's leader evaluates once, when the team has closed or its end date has passed."""
    if not permissions.can_evaluate(actor, team, timezone.localdate()):
        raise PermissionDenied
    country_id = permissions.led_country_id(actor, team)
    if country_id is None:  # can_evaluate checked leadership; this keeps the type checker informed
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for name, value in (("objectives_met", objectives_met), ("cooperation", cooperation), ("platform", platform)):
        if value not in Evaluation.Rating.values:
            errors[name] = [_("Choose a rating.")]
    if Evaluation.objects.filter(team=team, country_id=country_id).exists():
        errors["__all__"] = [_("Your country has already evaluated this team.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(
            team=team,
            country_id=country_id,
            objectives_met=objectives_met,
            cooperation=cooperation,
            platform=platform,
            lessons=(lessons or "").strip()[:MAX_TEXT],
            would_repeat=would_repeat,
            submitted_by=actor,
        )
        _activity(team, actor, "evaluated")
        _audit("team.evaluated", actor=actor, team=team)
    return evaluation


def template_update(*, actor, language: str, body: str) -> AgreementTemplate:
    if not permissions.can_edit_template(actor):
        raise PermissionDenied
    if language not in UI_LANGUAGES:
        raise ValidationError({"language": [_("Unknown language.")]})
    text = agreement.validate_template(body)
    with transaction.atomic():
        template, _created = AgreementTemplate.objects.update_or_create(
            language=language, defaults={"body": text, "updated_by": actor, "updated_at": timezone.now()}
        )
        _audit("team.template_updated", actor=actor, team=None, target=template, details={"language": language})
    return template
