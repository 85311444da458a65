"""Who may see and do what in a joint team. Deny by default; a team the user is not an active member of
answers 404 in pages and API alike, so its existence is not revealed.

- See the workspace: its active members only (not the secretariat: a joint team's work is confidential, like a
  private consultation). A removed member loses access at the next request; their forum space membership is
  removed in the same transaction, so the team's threads and files close to them too.
- Write (action items, documents): active members who are not observers, while the team is open.
- Invite and remove members: the leader of a country, for members of that country.
- Extend, close, draft the agreement, evaluate: leaders (evaluation once the team has closed or ended).
- Edit the model agreement's template: the secretariat.
"""

from __future__ import annotations

from django.db.models import QuerySet

from comity.teams.models import ActionItem, Team, TeamMember


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def teams_visible_to(user) -> QuerySet[Team]:
    if not is_member(user):
        return Team.objects.none()
    return Team.objects.filter(
        pk__in=TeamMember.objects.filter(user=user, state=TeamMember.State.ACTIVE).values("team_id")
    )


def membership(user, team: Team) -> TeamMember | None:
    """The user's active membership (cached on the team object for the request)."""
    if not is_member(user):
        return None
    cache = team.__dict__.setdefault("_memberships", {})
    if user.pk not in cache:
        cache[user.pk] = (
            TeamMember.objects.filter(team=team, user=user, state=TeamMember.State.ACTIVE)
            .select_related("country")
            .first()
        )
    return cache[user.pk]


def forget(team: Team) -> None:
    team.__dict__.pop("_memberships", None)


def can_create_team(user) -> bool:
    return is_member(user) and not user.is_observer and bool(user.country_id)


def can_write(user, team: Team) -> bool:
    return team.is_open and not user.is_observer and membership(user, team) is not None


def led_country_id(user, team: Team) -> int | None:
    member = membership(user, team)
    return member.country_id if member is not None and member.is_leader else None


def is_leader(user, team: Team) -> bool:
    return led_country_id(user, team) is not None


def can_manage_country(user, team: Team, country_id: int | None) -> bool:
    return team.is_open and country_id is not None and led_country_id(user, team) == country_id


def can_lead(user, team: Team) -> bool:
    """Extend, close, draft the agreement: any leader of an open team."""
    return team.is_open and is_leader(user, team)


def can_evaluate(user, team: Team, today) -> bool:
    return is_leader(user, team) and (not team.is_open or team.ends_on < today)


def can_update_item(user, team: Team, item: ActionItem) -> bool:
    if not can_write(user, team):
        return False
    return user.pk in (item.assignee_id, item.created_by_id) or is_leader(user, team)


def can_edit_template(user) -> bool:
    return is_member(user) and user.is_secretariat
