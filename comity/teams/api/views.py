"""Joint teams under /api/v1/teams/: the same rules as the pages. A team the caller is not an active member of
answers 404; an action the caller may not take on a team they see answers 404 too (as the pages do)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.teams import selectors, services
from comity.teams.api.serializers import (
    TeamActionItemCreateSerializer,
    TeamActionItemSerializer,
    TeamActionItemStatusSerializer,
    TeamDetailSerializer,
    TeamDocumentSerializer,
    TeamMemberAddSerializer,
    TeamMemberSerializer,
    TeamSerializer,
    TeamsErrorSerializer,
)

NOT_FOUND = OpenApiResponse(TeamsErrorSerializer, description="No such team, or one the caller is not a member of.")
INVALID = OpenApiResponse(TeamsErrorSerializer, description="Invalid input, named in `fields`.")
UNAUTHENTICATED = OpenApiResponse(TeamsErrorSerializer, description="Not signed in.")


def _run(call):
    try:
        return call()
    except PermissionDenied as exc:
        raise Http404 from exc
    except DjangoValidationError as exc:
        raise serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        ) from exc


def _detail(team):
    data = dict(TeamSerializer(team).data)
    data["members"] = TeamMemberSerializer(selectors.active_members(team), many=True).data
    data["action_items"] = TeamActionItemSerializer(selectors.action_items(team), many=True).data
    data["documents"] = TeamDocumentSerializer(selectors.documents(team), many=True).data
    return data


class TeamListView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="The joint teams the caller belongs to",
        responses={200: TeamSerializer(many=True), 401: UNAUTHENTICATED},
    )
    def get(self, request):
        return Response(TeamSerializer(selectors.team_list(user=request.user), many=True).data)


class TeamDetailView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="A joint team: members, action items and the document shelf",
        responses={200: TeamDetailSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(_detail(selectors.team_get_for(user=request.user, pk=pk)))


class TeamMembersView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="A leader invites a member of their own country",
        request=TeamMemberAddSerializer,
        responses={201: TeamMemberSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        team = selectors.team_get_for(user=request.user, pk=pk)
        body = TeamMemberAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = selectors.invitable_users(user=request.user, team=team).filter(pk=body.validated_data["user"]).first()
        member = _run(lambda: services.member_add(actor=request.user, team=team, user=person))
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class TeamMemberView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="A leader removes a member of their own country (access ends at once)",
        responses={204: None, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def delete(self, request, pk: int, user_id: int):
        team = selectors.team_get_for(user=request.user, pk=pk)
        person = next((m.user for m in selectors.active_members(team) if m.user_id == user_id), None)
        if person is None:
            raise Http404
        _run(lambda: services.member_remove(actor=request.user, team=team, user=person))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionItemsView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="Add an action item (the due day ends at midnight in the assignee's zone)",
        request=TeamActionItemCreateSerializer,
        responses={201: TeamActionItemSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        team = selectors.team_get_for(user=request.user, pk=pk)
        body = TeamActionItemCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        assignee = next((m.user for m in selectors.active_members(team) if m.user_id == data["assignee"]), None)
        item = _run(
            lambda: services.action_item_create(
                actor=request.user, team=team, title=data["title"], assignee=assignee, due_on=data["due_on"]
            )
        )
        return Response(TeamActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ActionItemView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="Change an action item's status (its assignee, its author or a leader)",
        request=TeamActionItemStatusSerializer,
        responses={200: TeamActionItemSerializer, 400: INVALID, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def patch(self, request, pk: int, item_id: int):
        team = selectors.team_get_for(user=request.user, pk=pk)
        item = selectors.action_item_get_for(user=request.user, team=team, pk=item_id)
        body = TeamActionItemStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = _run(
            lambda: services.action_item_set_status(actor=request.user, item=item, status=body.validated_data["status"])
        )
        return Response(TeamActionItemSerializer(item).data)
