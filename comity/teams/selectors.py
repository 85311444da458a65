"""Reads of joint teams, always starting from what the user may see (`permissions.teams_visible_to`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from comity.core.permissions import get_visible_or_404
from comity.core.timeutil import get_zone
from comity.teams import agreement, permissions
from comity.teams.models import (
    ActionItem,
    Activity,
    AgreementTemplate,
    DocumentVersion,
    Evaluation,
    Team,
    TeamDocument,
    TeamMember,
)


def team_list(*, user) -> QuerySet[Team]:
    return permissions.teams_visible_to(user).prefetch_related("countries").order_by("status", "-created_at", "-pk")


def team_get_for(*, user, pk) -> Team:
    qs = permissions.teams_visible_to(user).select_related("space").prefetch_related("countries", "authorities")
    return get_visible_or_404(qs, pk=pk)


def active_members(team: Team) -> list[TeamMember]:
    return list(TeamMember.objects.filter(team=team, state=TeamMember.State.ACTIVE).select_related("user", "country"))


def leaders_of(team: Team) -> list[TeamMember]:
    return [m for m in active_members(team) if m.is_leader]


def action_items(team: Team) -> list[ActionItem]:
    return list(ActionItem.objects.filter(team=team).select_related("assignee", "assignee__country"))


def action_item_get_for(*, user, team: Team, pk) -> ActionItem:
    return get_visible_or_404(ActionItem.objects.filter(team=team).select_related("team", "assignee"), pk=pk)


def due_moment(item: ActionItem) -> dt.datetime:
    """The due date ends at midnight in the assignee's own zone."""
    zone = get_zone(item.assignee.timezone)
    return dt.datetime.combine(item.due_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone) - dt.timedelta(minutes=1)


def documents(team: Team) -> list[TeamDocument]:
    versions = DocumentVersion.objects.select_related("attachment", "created_by").order_by("-number")
    return list(TeamDocument.objects.filter(team=team).prefetch_related(Prefetch("versions", queryset=versions)))


def document_get_for(*, team: Team, pk) -> TeamDocument:
    return get_visible_or_404(TeamDocument.objects.filter(team=team).select_related("team"), pk=pk)


def timeline(team: Team, limit: int = 50) -> list[Activity]:
    return list(Activity.objects.filter(team=team).select_related("actor")[:limit])


def evaluations(team: Team) -> list[Evaluation]:
    return list(Evaluation.objects.filter(team=team).select_related("country", "submitted_by"))


def template_body(language: str) -> str:
    """The secretariat's template in the language, else in English, else the built-in one."""
    rows = {t.language: t.body for t in AgreementTemplate.objects.filter(language__in=[language, "en"])}
    return rows.get(language) or rows.get("en") or agreement.DEFAULT_BODY


def template_list() -> list[AgreementTemplate]:
    return list(AgreementTemplate.objects.select_related("updated_by"))


def invitable_users(*, user, team: Team):
    """Active members of the leader's own country who are not in the team yet."""
    from django.contrib.auth import get_user_model

    country_id = permissions.led_country_id(user, team)
    if country_id is None:
        return get_user_model().objects.none()
    current = TeamMember.objects.filter(team=team, state=TeamMember.State.ACTIVE).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, country_id=country_id)
        .exclude(pk__in=current)
        .order_by("full_name")
    )


def leader_candidates(*, user):
    """People who may be named leaders: active members with a country (the form narrows by search)."""
    from django.contrib.auth import get_user_model

    if not permissions.can_create_team(user):
        return get_user_model().objects.none()
    return get_user_model().objects.filter(is_active=True, country__isnull=False).select_related("country")
