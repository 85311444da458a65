"""REST API of requests: the shared record, created from a finalised draft, its status changes and its letter.

Same rules as the pages: only the people of the two authorities (and their coordinators) see a request; everyone
else, the secretariat included, gets 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from comity.core.api.pagination import StandardPagination, paginated
from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.requests import documents, permissions, selectors, services
from comity.requests.api.serializers import (
    FinaliseSerializer,
    RequestDetailSerializer,
    RequestSerializer,
    StatusSerializer,
)
from comity.requests.models import Request


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _visible(request, pk) -> Request:
    if not permissions.may_write(request.user):
        raise Http404
    return selectors.request_get_for(user=request.user, pk=pk)


class RequestListView(GenericAPIView):
    permission_classes = [IsMember, TokenScopePermission]
    serializer_class = RequestSerializer
    pagination_class = StandardPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Request.objects.none()
        return selectors.register(user=self.request.user, filters=selectors.RegisterFilters())

    @extend_schema(
        operation_id="requests_list",
        summary="Your incoming and outgoing requests",
        description=(
            "Requests of the authorities you belong to (and, for a coordinator, of your countries), newest first."
        ),
        responses={200: paginated(RequestSerializer)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RequestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="requests_create",
        summary="Finalise a draft into a request",
        description="Creates the shared record from a complete draft; 400 lists every missing required item.",
        request=FinaliseSerializer,
        responses={201: RequestDetailSerializer},
    )
    def post(self, request):
        body = FinaliseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not permissions.may_write(request.user):
            raise Http404
        draft = selectors.draft_get_for(user=request.user, pk=body.validated_data["draft"])
        try:
            created = services.draft_finalise(actor=request.user, draft=draft)
        except PermissionDenied as exc:
            raise Http404 from exc
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(RequestDetailSerializer(created).data, status=status.HTTP_201_CREATED)


class RequestDetailView(GenericAPIView):
    permission_classes = [IsMember, TokenScopePermission]
    serializer_class = RequestDetailSerializer

    @extend_schema(operation_id="requests_retrieve", summary="One request, with its status history")
    def get(self, request, pk: int):
        return Response(RequestDetailSerializer(_visible(request, pk)).data)


class RequestStatusView(GenericAPIView):
    permission_classes = [IsMember, TokenScopePermission]
    serializer_class = StatusSerializer

    @extend_schema(
        summary="Change the status of a request",
        description="Only the transitions of the table, by the side the table names; a refusal needs its grounds.",
        request=StatusSerializer,
        responses={200: RequestDetailSerializer},
    )
    def post(self, request, pk: int):
        req = _visible(request, pk)
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.request_status_set(
                actor=request.user, request=req, status=body.validated_data["status"], note=body.validated_data["note"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(RequestDetailSerializer(req).data)


class IgnoreFormatNegotiation(BaseContentNegotiation):
    """`?format=docx` names the document's format, not a renderer of the API."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RequestDocumentView(GenericAPIView):
    permission_classes = [IsMember, TokenScopePermission]
    content_negotiation_class = IgnoreFormatNegotiation
    serializer_class = None

    @extend_schema(
        summary="The letter of a request",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["docx"], required=True, description="docx"),
        ],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The letter in its language (Arabic right-to-left)."
            )
        },
    )
    def get(self, request, pk: int):
        req = _visible(request, pk)
        fmt = request.query_params.get("format", "")
        if fmt != "docx":
            raise serializers.ValidationError({"format": [_("Only format=docx is available.")]})
        content = documents.letter_docx(draft=req.draft, request=req, language=req.language)
        services.document_downloaded(actor=request.user, request=req, fmt="docx")
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        response["Content-Disposition"] = f'attachment; filename="request-{req.pk}-{req.language}.docx"'
        response["Cache-Control"] = "no-store"
        return response
