"""REST API of the directory: authorities, contact points, availability and the finder.

Reads follow the pages: authorities are public (anonymous callers and every contact field they receive are
public-only), contact points are for members. Writes need a write-scope token or a two-factor session with its
CSRF token, and follow the services' rules: coordinators edit their own countries, the secretariat all.
A record the caller may not edit answers 404 on PATCH/PUT, exactly like one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.directory import permissions, selectors, services
from comity.directory.api.params import (
    AuthorityFilterSerializer,
    AvailabilityQuerySerializer,
    ContactFilterSerializer,
    FinderQuerySerializer,
)
from comity.directory.api.serializers import (
    AUTHORITY_READ_ONLY,
    AUTHORITY_WRITABLE,
    CONTACT_READ_ONLY,
    CONTACT_WRITABLE,
    AuthoritySerializer,
    AuthorityWriteSerializer,
    AvailabilitySerializer,
    ContactSerializer,
    ContactWriteSerializer,
    DirectoryErrorSerializer,
    FinderSerializer,
)
from comity.directory.models import Authority, Contact

# --- helpers -------------------------------------------------------------------------------------------------


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=DirectoryErrorSerializer, description=description)


BAD_FILTER = _error("An unknown or malformed query parameter, named in `fields`.")
INVALID_BODY = _error(
    "Invalid input: `fields` names each rejected field with its messages (unknown time zone, "
    "overlapping or inverted office hours, unknown language, competence or channel code, ...)."
)
UNAUTHENTICATED = _error("No valid token or verified session (not_authenticated).")
FORBIDDEN = _error(
    "A read-scope token, or a user who may not write this (coordinators write for their own "
    "countries only; members do not write)."
)
# Reads of authorities and the finder are public: no credentials needed.
PUBLIC_READ = [{"bearerToken": []}, {"sessionCookie": []}, {}]
NOT_FOUND = _error("No such record, or one the caller may not see (or, for writes, may not edit).")


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def writable_payload(data, *, writable: tuple[str, ...], read_only: tuple[str, ...], require_all: bool = False) -> dict:
    """The writable fields of a JSON object body. Read-only fields (as sent back from a GET) are ignored; an
    unknown field is an error rather than silently dropped, so a typo never looks like a successful change."""
    if not isinstance(data, dict):
        raise serializers.ValidationError(_("The request body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    for key in data:
        if key not in writable and key not in read_only:
            errors[key] = [_("Unknown field.")]
    if require_all:
        for key in writable:
            if key not in data:
                errors[key] = [
                    _("This field is required when replacing the whole record (PUT); use PATCH to change some fields.")
                ]
    if errors:
        raise serializers.ValidationError(errors)
    return {key: value for key, value in data.items() if key in writable}


def _filters(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {key: value for key, value in params.validated_data.items() if value is not None and value != ""}


# --- authorities ---------------------------------------------------------------------------------------------

AUTHORITY_LIST_DESCRIPTION = (
    "Active authorities, ordered by country and name; the secretariat and a country's coordinators also see its "
    "inactive ones. Public: anonymous callers get every authority field and only the public fields of contacts. "
    "Filters combine; an unknown country, competence, network, region or language, or a malformed boolean, "
    "answers 400 naming the parameter."
)


@extend_schema_view(
    list=extend_schema(
        summary="List competent authorities",
        description=AUTHORITY_LIST_DESCRIPTION,
        parameters=[AuthorityFilterSerializer],
        auth=PUBLIC_READ,
        responses={200: AuthoritySerializer(many=True), 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        summary="One competent authority",
        description=(
            "Anonymous callers receive only the public fields of its contacts; members what each field's visibility "
            "allows them."
        ),
        auth=PUBLIC_READ,
        responses={200: AuthoritySerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Create an authority",
        description=(
            "The secretariat for any country, a national coordinator for the countries they coordinate; a coordinator "
            "naming another country gets 403 and nothing is created. Versioned and audited."
        ),
        request=AuthorityWriteSerializer,
        responses={201: AuthoritySerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    ),
    update=extend_schema(
        summary="Replace an authority",
        description=(
            "Every writable field must be present (the body of a GET is accepted as is: read-only fields are "
            "ignored). Office hours, competences and closures are replaced by the lists sent."
        ),
        request=AuthorityWriteSerializer,
        responses={200: AuthoritySerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an authority",
        description=(
            "Only the fields sent change; a list sent (office_hours, competences, closures, ...) replaces the whole "
            "list. Moving an authority to a country the caller does not coordinate answers 403."
        ),
        request=AuthorityWriteSerializer,
        responses={200: AuthoritySerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class AuthorityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Competent national authorities: competences, how they take requests, office hours, current contacts."""

    serializer_class = AuthoritySerializer
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Authority.objects.none()
        return selectors.authority_list(user=self.request.user, **_filters(AuthorityFilterSerializer, self.request))

    def get_object(self) -> Authority:
        return selectors.authority_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def _editable(self) -> Authority:
        authority = self.get_object()
        if not permissions.can_edit_authority(self.request.user, authority):
            raise Http404
        return authority

    def _detail(self, pk: int) -> dict:
        authority = selectors.authority_get_for(user=self.request.user, pk=pk)
        return AuthoritySerializer(authority, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        if not permissions.may_edit_some_country(request.user):
            raise PermissionDenied
        data = writable_payload(request.data, writable=AUTHORITY_WRITABLE, read_only=AUTHORITY_READ_ONLY)
        try:
            authority = services.authority_create(actor=request.user, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(authority.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        authority = self._editable()
        data = writable_payload(
            request.data, writable=AUTHORITY_WRITABLE, read_only=AUTHORITY_READ_ONLY, require_all=not partial
        )
        try:
            services.authority_update(actor=request.user, authority=authority, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(authority.pk))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Is the authority open at a moment?",
        description=(
            "Local time, status (open, closed, holiday, closure or always for 24/7) and the next opening, "
            "from its weekly office hours in its IANA time zone, its country's public holidays (named in "
            "`lang` or the Accept-Language language where the holidays data has it) and its closures. "
            "`at` defaults to now; without a UTC offset, or malformed, it answers 400."
        ),
        parameters=[AvailabilityQuerySerializer],
        auth=PUBLIC_READ,
        responses={200: AvailabilitySerializer, 400: BAD_FILTER, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="availability", pagination_class=None)
    def availability(self, request, pk=None):
        params = _filters(AvailabilityQuerySerializer, request)
        authority = self.get_object()
        at = params.get("at") or timezone.now()
        language = params.get("lang") or translation.get_language()
        return Response(selectors.authority_availability(authority, at, language).as_api())


# --- contacts --------------------------------------------------------------------------------------------------

CONTACT_ACCESS = (
    "Contact points are for signed-in members (token or verified session): anonymous callers get 401 here, and "
    "see only the public fields of current contacts inside /authorities/. A field is left out of the object when "
    "the caller may not see it (visibility public, members, network or secretariat); never sent as null."
)


@extend_schema_view(
    list=extend_schema(
        summary="List contact points",
        description=CONTACT_ACCESS,
        parameters=[ContactFilterSerializer],
        responses={200: ContactSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="One contact point",
        description=CONTACT_ACCESS,
        responses={200: ContactSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Add a contact point to an authority",
        description=(
            "A new seat in the authority, held by this person. The secretariat, or a coordinator of the authority's "
            "country (403 for another country's authority; 400 naming `authority` when it is unknown or hidden)."
        ),
        request=ContactWriteSerializer,
        responses={201: ContactSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a contact point",
        description=("Only the fields sent change. The authority cannot change (hand the seat over instead)."),
        request=ContactWriteSerializer,
        responses={200: ContactSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People holding seats in authorities, with field-level visibility."""

    serializer_class = ContactSerializer
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return selectors.contact_list(user=self.request.user, **_filters(ContactFilterSerializer, self.request))

    def get_object(self) -> Contact:
        return selectors.contact_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, pk: int) -> dict:
        return ContactSerializer(
            selectors.contact_get_for(user=self.request.user, pk=pk), context=self.get_serializer_context()
        ).data

    def create(self, request, *args, **kwargs):
        if not permissions.may_edit_some_country(request.user):
            raise PermissionDenied
        data = writable_payload(
            request.data, writable=(*CONTACT_WRITABLE, "authority", "seat_title"), read_only=CONTACT_READ_ONLY
        )
        authority_id = data.pop("authority", None)
        seat_title = data.pop("seat_title", "")
        errors: dict[str, list[str]] = {}
        authority = None
        if authority_id is None:
            errors["authority"] = [_("This field is required.")]
        elif isinstance(authority_id, bool) or not isinstance(authority_id, int):
            errors["authority"] = [_("Give the id of an authority (a whole number).")]
        else:
            try:
                authority = selectors.authority_get_for(user=request.user, pk=authority_id)
            except Http404:
                errors["authority"] = [_("There is no authority with this id.")]
        if not isinstance(seat_title, str):
            errors["seat_title"] = [_("Must be text.")]
        if errors:
            raise serializers.ValidationError(errors)
        try:
            contact = services.contact_create(actor=request.user, authority=authority, data=data, seat_title=seat_title)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(contact.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        contact = self.get_object()
        if not permissions.can_edit_authority(request.user, contact.authority):
            raise Http404
        data = writable_payload(request.data, writable=(*CONTACT_WRITABLE, "authority"), read_only=CONTACT_READ_ONLY)
        if "authority" in data and data.pop("authority") != contact.authority_id:
            raise serializers.ValidationError(
                {
                    "authority": [
                        _("A contact cannot move to another authority; hand the seat over or add a contact there.")
                    ]
                }
            )
        try:
            services.contact_update(actor=request.user, contact=contact, data=data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(contact.pk))


# --- the finder ----------------------------------------------------------------------------------------------


class FinderView(APIView):
    """Where do I send this? The requested state's competent authorities for a type of cooperation."""

    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="Where do I send this request?",
        description=(
            "The competent authorities of the requested state (`to`) for the type of cooperation, with channels, "
            "accepted languages and those that are official languages of the requesting state (`from`), whether "
            "UNTOC is accepted as legal basis, availability now (or at `at`) and the networks both states share. "
            "With urgent=true, authorities available 24/7 (themselves or through a contact) come first, then those "
            "open now, and 24/7 contacts come first within each. When the requested state has no authority for the "
            "type, its central authorities for mutual legal assistance are listed instead and `fallback` is true. "
            "Only States can be `from` and `to`; other areas answer 400. Public: anonymous callers see only public "
            "contact fields. A missing or unknown parameter answers 400 naming it."
        ),
        parameters=[FinderQuerySerializer],
        auth=PUBLIC_READ,
        responses={200: FinderSerializer, 400: BAD_FILTER},
    )
    def get(self, request):
        params = _filters(FinderQuerySerializer, request)
        at = params.get("at") or timezone.now()
        result = selectors.finder(
            user=request.user,
            requesting=params["from"],
            requested=params["to"],
            cooperation_type=params["type"],
            urgent=params["urgent"],
            at=at,
        )
        if params.get("lang"):
            for row in result.authorities:
                row["availability"] = selectors.authority_availability(row["authority"], at, params["lang"])
        context = {"request": request, "urgent": params["urgent"]}
        return Response(FinderSerializer(result, context=context).data)
