"""REST API of instruments, their parties and the legal-basis finder.

Reads are public (no credentials needed). Writes need a write-scope token or a two-factor session and follow the
services' rules: the secretariat writes everything; a national coordinator creates and edits bilateral treaties
of their countries and the party rows of their countries. Creating what one may not create answers 403; changing
an instrument one may not edit answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.pagination import StandardPagination, paginated
from comity.core.api.permissions import TokenScopePermission
from comity.treaties import permissions, queries, selectors, services
from comity.treaties.api.serializers import (
    InstrumentSerializer,
    InstrumentWriteSerializer,
    LegalBasisSerializer,
    PartySerializer,
    PartyWriteSerializer,
    TreatiesErrorSerializer,
)
from comity.treaties.models import Kind

PUBLIC_READ = [{"bearerToken": []}, {"sessionCookie": []}, {}]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=TreatiesErrorSerializer, description=description)


INVALID = _error(
    "Invalid input: `fields` names each rejected field (unknown kind, type or country, contradictory dates)."
)
UNAUTHENTICATED = _error("No valid token or verified session.")
FORBIDDEN = _error("A read-scope token, or a caller who may not write this.")
NOT_FOUND = _error("No such instrument (or, for PATCH, one the caller may not edit).")


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field": exc.messages})


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"body": [_("The request body must be a JSON object.")]})
    return dict(request.data)


class InstrumentListView(APIView):
    """Instruments: treaties, conventions, protocols and schemes, with the types of cooperation they cover."""

    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="instruments_list",
        summary="List instruments",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
            OpenApiParameter("type", OpenApiTypes.STR, description="A type of cooperation the instrument covers."),
        ],
        auth=PUBLIC_READ,
        responses={200: paginated(InstrumentSerializer), 400: INVALID},
    )
    def get(self, request):
        errors = {}
        kind = request.query_params.get("kind") or None
        coop_type = request.query_params.get("type") or None
        if kind and kind not in Kind.values:
            errors["kind"] = [_("Unknown kind: use one of %(codes)s.") % {"codes": ", ".join(Kind.values)}]
        if coop_type and coop_type not in services.known_types():
            errors["type"] = [_("Unknown type of cooperation.")]
        if errors:
            raise serializers.ValidationError(errors)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.instrument_list(kind=kind, coop_type=coop_type), request, self)
        return paginator.get_paginated_response(InstrumentSerializer(page, many=True).data)

    @extend_schema(
        summary="Create an instrument",
        description="The secretariat any instrument; a national coordinator a bilateral treaty naming one of their "
        "countries in `states`. Audited.",
        request=InstrumentWriteSerializer,
        responses={201: InstrumentSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    )
    def post(self, request):
        if not permissions.may_write_at_all(request.user):
            raise PermissionDenied
        try:
            instrument = services.instrument_create(actor=request.user, data=_body(request))
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        instrument = selectors.instrument_get(slug=instrument.slug)
        return Response(InstrumentSerializer(instrument).data, status=status.HTTP_201_CREATED)


class InstrumentDetailView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(summary="One instrument", auth=PUBLIC_READ, responses={200: InstrumentSerializer, 404: NOT_FOUND})
    def get(self, request, slug):
        return Response(InstrumentSerializer(selectors.instrument_get(slug=slug)).data)

    @extend_schema(
        summary="Change some fields of an instrument",
        description="Only the fields sent change; `covers` and `states` replace the whole list.",
        request=InstrumentWriteSerializer(partial=True),
        responses={200: InstrumentSerializer, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request, slug):
        instrument = selectors.instrument_get(slug=slug)
        if not permissions.can_edit_instrument(request.user, instrument):
            raise Http404
        try:
            instrument = services.instrument_update(actor=request.user, instrument=instrument, data=_body(request))
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(InstrumentSerializer(selectors.instrument_get(slug=instrument.slug)).data)


class PartyListView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="The parties to an instrument (for a scheme: its members)",
        description="Rows not checked against the depositary's table have `verified` false.",
        auth=PUBLIC_READ,
        responses={200: paginated(PartySerializer), 404: NOT_FOUND},
    )
    def get(self, request, slug):
        instrument = selectors.instrument_get(slug=slug)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.party_list(instrument=instrument), request, self)
        return paginator.get_paginated_response(PartySerializer(page, many=True).data)

    @extend_schema(
        summary="Record a state's participation",
        description="Creates the state's row (201) or changes the fields sent on the existing one (200); "
        "`declarations`, when sent, replaces the list. The secretariat for any state, a national coordinator for "
        "their countries (403 otherwise). A changed row is unverified again unless the secretariat sends "
        "`verified: true`.",
        request=PartyWriteSerializer,
        responses={
            200: PartySerializer,
            201: PartySerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def post(self, request, slug):
        instrument = selectors.instrument_get(slug=slug)
        if not permissions.may_write_at_all(request.user):
            raise PermissionDenied
        data = _body(request)
        try:
            country = services.clean_country(data.pop("country", None))
            party, created = services.party_save(actor=request.user, instrument=instrument, country=country, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        party = selectors.party_get(instrument=instrument, iso2=country.iso2)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LegalBasisView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="Legal basis between two states",
        description="Every instrument in force for both the requesting (`from`) and the requested (`to`) state on "
        "`on` (default today) that covers `type`: bilateral first, then regional, multilateral and schemes; with "
        "the articles to cite, since when it binds both, and the declarations of either state on the type. An "
        "instrument excluded by a declaration is in `excluded`; with no basis, `fallback` explains reciprocity and "
        "the requested state's domestic law. A missing or unknown state or type, or a malformed date, answers 400 "
        "naming it.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True, description="Requesting state, ISO alpha-2."),
            OpenApiParameter("to", OpenApiTypes.STR, required=True, description="Requested state, ISO alpha-2."),
            OpenApiParameter("type", OpenApiTypes.STR, required=True, description="Type of cooperation, e.g. mla."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="The date (YYYY-MM-DD); default today."),
        ],
        auth=PUBLIC_READ,
        responses={200: LegalBasisSerializer, 400: INVALID},
    )
    def get(self, request):
        try:
            requesting, requested, coop_type, on = queries.parse_basis_query(request.query_params)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        result = selectors.legal_basis(requesting=requesting, requested=requested, coop_type=coop_type, on=on)
        return Response(result.as_api())
