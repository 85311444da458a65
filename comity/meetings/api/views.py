"""REST API of events, registrations and funded participation, under the pages' rules.

Reads of events follow the event's audience (public events need no credentials); a hidden or missing event answers
404. Registration and funding need a member (401 otherwise); deciding needs an organiser of the event (404 for
anyone else, and nothing changes). Bad input answers 400 naming the field or parameter.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.pagination import StandardPagination, paginated
from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.meetings import ics, permissions, selectors, services
from comity.meetings.api.serializers import (
    BudgetSerializer,
    EventDetailSerializer,
    EventSerializer,
    EventWriteSerializer,
    FundingDecisionSerializer,
    FundingRequestSerializer,
    FundingRequestWriteSerializer,
    RegistrationDecisionSerializer,
    RegistrationSerializer,
    RegistrationWriteSerializer,
)
from comity.meetings.models import EventKind

PUBLIC_READ = [{"bearerToken": []}, {"sessionCookie": []}, {}]
ID = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The event's id.")


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _payload(request, data: dict) -> dict:
    """The write serializer's data as the services' payload; unknown or hidden ids are a 400 naming the field."""
    from comity.forum import permissions as forum_permissions
    from comity.reference.models import Country, Network

    errors: dict[str, list[str]] = {}
    spaces_ids = data.get("audience_spaces") or []
    spaces = list(forum_permissions.spaces_visible_to(request.user).filter(pk__in=spaces_ids))
    if len(spaces) != len(set(spaces_ids)):
        errors["audience_spaces"] = ["Unknown space."]
    network_ids = data.get("audience_networks") or []
    networks = list(Network.objects.filter(pk__in=network_ids))
    if len(networks) != len(set(network_ids)):
        errors["audience_networks"] = ["Unknown network."]
    codes = [code.upper() for code in data.get("audience_countries") or []]
    countries = list(Country.objects.filter(iso2__in=codes))
    if len(countries) != len(set(codes)):
        errors["audience_countries"] = ["Unknown country."]
    network = space = None
    if data.get("network"):
        network = permissions.organisable_networks(request.user).filter(pk=data["network"]).first()
        if network is None:
            errors["network"] = ["Unknown network, or one you do not organise events for."]
    if data.get("space"):
        space = permissions.organisable_spaces(request.user).filter(pk=data["space"]).first()
        if space is None:
            errors["space"] = ["Unknown space, or one you do not moderate."]
    if errors:
        raise serializers.ValidationError(errors)
    return {
        "kind": data["kind"],
        "title_original": data["title"],
        "titles": data.get("titles") or {},
        "description_original": data.get("description", ""),
        "descriptions": data.get("descriptions") or {},
        "language": data.get("language", "en"),
        "languages": data.get("languages") or [],
        "venue": data.get("venue", ""),
        "online_url": data.get("online_url", ""),
        "start": data["start"],
        "end": data["end"],
        "timezone": data["timezone"],
        "region_m49": data.get("region_m49", ""),
        "audience": data["audience"],
        "audience_spaces": spaces,
        "audience_networks": networks,
        "audience_countries": countries,
        "network": network,
        "space": space,
        "capacity": data.get("capacity"),
        "requires_approval": data.get("requires_approval", False),
        "registration_fields": data.get("registration_fields") or [],
    }


class EventListView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="events_list",
        summary="Events the caller may see",
        description="Upcoming events first by start (or past ones, latest first, with `when=past`). Public events "
        "need no credentials.",
        parameters=[
            OpenApiParameter("when", OpenApiTypes.STR, enum=["upcoming", "past"], description="Default upcoming."),
            OpenApiParameter("network", OpenApiTypes.INT, description="Organised by or for this network (id)."),
            OpenApiParameter("region", OpenApiTypes.STR, description="UN M49 region code (three digits)."),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=EventKind.values),
            OpenApiParameter("language", OpenApiTypes.STR, description="A working language (UI language code)."),
        ],
        auth=PUBLIC_READ,
        responses={200: paginated(EventSerializer)},
    )
    def get(self, request):
        q = request.query_params
        errors: dict[str, list[str]] = {}
        when = q.get("when", "upcoming")
        if when not in ("upcoming", "past"):
            errors["when"] = ["Either upcoming or past."]
        network = q.get("network")
        if network is not None and not (network.isascii() and network.isdigit()):
            errors["network"] = ["A network id is a whole number."]
        kind = q.get("kind", "")
        if kind and kind not in EventKind.values:
            errors["kind"] = ["One of: " + ", ".join(EventKind.values) + "."]
        region = q.get("region", "")
        if region and not (region.isascii() and region.isdigit() and len(region) == 3):
            errors["region"] = ["A three-digit UN M49 code."]
        language = q.get("language", "")
        if len(language) > 10:
            errors["language"] = ["Unknown language."]
        if errors:
            raise serializers.ValidationError(errors)
        filters = selectors.EventFilters(
            when=when, network=int(network) if network else None, region=region, kind=kind, language=language
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.event_list(user=request.user, filters=filters), request, view=self)
        return paginator.get_paginated_response(EventSerializer(page, many=True).data)

    @extend_schema(
        summary="Create an event",
        description="For those who may organise (the secretariat, a network liaison for their network, a space "
        "moderator for their space); anyone else gets 404. The listed people and the contact points of the listed "
        "authorities are invited.",
        request=EventWriteSerializer,
        responses={201: EventDetailSerializer},
    )
    def post(self, request):
        if not permissions.can_organise(request.user):
            raise Http404
        serializer = EventWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            event = services.event_create(
                actor=request.user,
                data=_payload(request, data),
                invite_users=data.get("invite_users") or [],
                invite_authorities=data.get("invite_authorities") or [],
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(EventDetailSerializer(event, context={"member": True}).data, status=status.HTTP_201_CREATED)


class EventDetailView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="One event with its agenda",
        parameters=[ID],
        auth=PUBLIC_READ,
        responses={200: EventDetailSerializer},
    )
    def get(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        context = {"member": permissions.is_member(request.user)}
        return Response(EventDetailSerializer(event, context=context).data)

    @extend_schema(
        summary="Replace an event's details",
        description="For the event's organisers (404 for anyone else). Raises the iCalendar SEQUENCE.",
        parameters=[ID],
        request=EventWriteSerializer,
        responses={200: EventDetailSerializer},
    )
    def put(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        if not permissions.can_manage(request.user, event):
            raise Http404
        serializer = EventWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = services.event_update(
                actor=request.user, event=event, data=_payload(request, serializer.validated_data)
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(EventDetailSerializer(event, context={"member": True}).data)


class EventCancelView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="Cancel an event",
        description="For the event's organisers (404 for anyone else). Participants are told; the iCalendar file "
        "then carries STATUS:CANCELLED.",
        parameters=[ID],
        request=None,
        responses={200: EventDetailSerializer},
    )
    def post(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        if not permissions.can_manage(request.user, event):
            raise Http404
        try:
            event = services.event_cancel(actor=request.user, event=event)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(EventDetailSerializer(event, context={"member": True}).data)


class BudgetView(APIView):
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Set the event's funding budget",
        description="For the event's organisers (404 for anyone else). The amount cannot be below what is already "
        "approved.",
        parameters=[ID],
        request=BudgetSerializer,
        responses={200: EventDetailSerializer},
    )
    def put(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        if not permissions.can_manage(request.user, event):
            raise Http404
        serializer = BudgetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = services.budget_set(actor=request.user, event=event, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(EventDetailSerializer(event, context={"member": True}).data)


class EventIcsView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="The event as iCalendar (RFC 5545)",
        description="`text/calendar` with the VTIMEZONE of the event's zone, a stable UID, SEQUENCE raised on every "
        "change and STATUS:CANCELLED once cancelled.",
        parameters=[ID],
        auth=PUBLIC_READ,
        responses={(200, "text/calendar"): OpenApiResponse(response=OpenApiTypes.STR, description="iCalendar file")},
    )
    def get(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        body = ics.calendar_for(
            [event], members=permissions.is_member(request.user), base_url=request.build_absolute_uri("/")
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ics.filename_for(event)}"'
        return response


class RegistrationView(APIView):
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(summary="My registration", parameters=[ID], responses={200: RegistrationSerializer})
    def get(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        registration = permissions.registration_of(request.user, event)
        if registration is None:
            raise Http404
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(
        summary="Register for the event",
        description="Confirmed, awaiting approval, or on the waiting list when full. Only the fields the organiser "
        "chose are kept.",
        parameters=[ID],
        request=RegistrationWriteSerializer,
        responses={201: RegistrationSerializer},
    )
    def post(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        if not permissions.can_register(request.user, event):
            raise Http404
        serializer = RegistrationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("authority"):
            from comity.directory import permissions as directory_permissions

            authority = directory_permissions.authorities_visible_to(request.user).filter(pk=data["authority"]).first()
            if authority is None:
                raise serializers.ValidationError({"authority": ["Unknown authority."]})
            data["authority"] = authority
        try:
            registration = services.registration_register(actor=request.user, event=event, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel my registration", parameters=[ID], responses={200: RegistrationSerializer})
    def delete(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        registration = permissions.registration_of(request.user, event)
        if registration is None:
            raise Http404
        try:
            registration = services.registration_cancel(actor=request.user, registration=registration)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(RegistrationSerializer(registration).data)


class ParticipantListView(APIView):
    permission_classes = [IsMember, TokenScopePermission]

    @extend_schema(
        summary="The participant list (members only)",
        parameters=[ID],
        responses={200: paginated(RegistrationSerializer)},
    )
    def get(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.participants(event), request, view=self)
        return paginator.get_paginated_response(RegistrationSerializer(page, many=True).data)


class FundingRequestListView(APIView):
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Funding requests",
        description="Organisers see every request of the event, a participant their own.",
        parameters=[ID],
        responses={200: FundingRequestSerializer(many=True)},
    )
    def get(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        rows = selectors.funding_requests(user=request.user, event=event)
        return Response(FundingRequestSerializer(rows, many=True).data)

    @extend_schema(
        summary="Ask for funding",
        description="For registered participants from an eligible country, when the event has a budget.",
        parameters=[ID],
        request=FundingRequestWriteSerializer,
        responses={201: FundingRequestSerializer},
    )
    def post(self, request, pk):
        event = selectors.event_get_for(user=request.user, pk=pk)
        serializer = FundingRequestWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.funding_request_create(actor=request.user, event=event, **serializer.validated_data)
        except PermissionDenied:
            raise Http404 from None
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(FundingRequestSerializer(row).data, status=status.HTTP_201_CREATED)


class FundingDecisionView(APIView):
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Decide a funding request",
        description="Approve in full, partly approve (`amount` below the request) or decline; a reason is needed "
        "unless approved in full. The remaining budget never goes below zero: an approval above it answers 400.",
        parameters=[OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The request's id.")],
        request=FundingDecisionSerializer,
        responses={200: FundingRequestSerializer},
    )
    def post(self, request, pk):
        row = selectors.funding_request_for(user=request.user, pk=pk)
        if not permissions.can_manage(request.user, row.event):
            raise Http404
        serializer = FundingDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.funding_decide(actor=request.user, request=row, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(FundingRequestSerializer(row).data)


class RegistrationDecisionView(APIView):
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Approve or decline a registration awaiting approval",
        description="For the event's organisers (404 for anyone else). A decline moves the waiting list up.",
        parameters=[
            OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The registration's id.")
        ],
        request=RegistrationDecisionSerializer,
        responses={200: RegistrationSerializer},
    )
    def post(self, request, pk):
        registration = selectors.registration_for(user=request.user, pk=pk)
        if not permissions.can_manage(request.user, registration.event):
            raise Http404
        serializer = RegistrationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            registration = services.registration_decide(
                actor=request.user,
                registration=registration,
                approve=serializer.validated_data["decision"] == "approve",
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(RegistrationSerializer(registration).data)
