"""REST API of the country legal profiles: profiles, measure fiches and the comparison of two countries.

Reads are public (no credentials needed), like the pages. Writes (PATCH, and POST .../confirm/) need a write-scope
token or a two-factor session with its CSRF token, and follow the pages' rules: the secretariat edits every country,
a national coordinator the countries they coordinate; for anyone else the write answers 404, as if the page did not
exist, and nothing changes. In a path, an unknown country or measure answers 404; in a query string, an unknown or
missing country, measure or type answers 400 naming the parameter.
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

from comity.core.api.permissions import TokenScopePermission
from comity.legalprofiles import permissions, selectors, services
from comity.legalprofiles.api.serializers import (
    CompareSerializer,
    FicheSerializer,
    FicheWriteSerializer,
    LegalErrorSerializer,
    ProfileSerializer,
    ProfileWriteSerializer,
    fiche_data,
    profile_data,
)
from comity.legalprofiles.choices import CooperationType, Measure
from comity.reference.models import Country


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=LegalErrorSerializer, description=description)


PUBLIC_READ = [{"bearerToken": []}, {"sessionCookie": []}, {}]
NOT_FOUND = _error(
    "Unknown country (ISO 3166-1 alpha-2 in the path) or measure code in the path; for writes also a country the "
    "caller may not edit."
)
INVALID_BODY = _error("Invalid input: `fields` names each rejected field (rules.<type>.<field> inside `rules`).")
UNAUTHENTICATED = _error("No valid token or verified session.")
FORBIDDEN = _error("A read-scope token.")
BAD_QUERY = _error("An unknown or missing parameter (`a`, `b`, `measure` or `type`), named in `fields`.")
ISO2_PARAM = OpenApiParameter(
    "iso2", OpenApiTypes.STR, OpenApiParameter.PATH, description="ISO 3166-1 alpha-2 code, in either case."
)
CODE_PARAM = OpenApiParameter(
    "code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Measure code: " + ", ".join(Measure.values) + ".",
)


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def _measure(code: str) -> str:
    if code not in Measure.values:
        raise Http404
    return code


def _body(request) -> tuple[dict, object]:
    """The JSON object body without `effective_from`, and that date (as sent)."""
    if not isinstance(request.data, dict):
        raise serializers.ValidationError(_("The request body must be a JSON object."))
    data = dict(request.data)
    return data, data.pop("effective_from", None)


def _editable(request, iso2: str) -> Country:
    country = selectors.country_get(iso2=iso2)
    if not permissions.can_edit_country(request.user, country.iso2):
        raise Http404
    return country


class MeasureListView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="A country's measure fiches",
        description="Every measure of the catalogue in catalogue order, with `recorded: false` (availability unknown) "
        "where no fiche is written yet. Public.",
        parameters=[ISO2_PARAM],
        auth=PUBLIC_READ,
        responses={200: FicheSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, iso2):
        country = selectors.country_get(iso2=iso2)
        fiches = selectors.fiches_for(country)
        return Response([fiche_data(country, code, fiches.get(code)) for code in Measure.values])


class MeasureDetailView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="One measure's fiche in a country",
        parameters=[ISO2_PARAM, CODE_PARAM],
        auth=PUBLIC_READ,
        responses={200: FicheSerializer, 404: NOT_FOUND},
    )
    def get(self, request, iso2, code):
        country = selectors.country_get(iso2=iso2)
        code = _measure(code)
        return Response(fiche_data(country, code, selectors.fiche_for(country, code)))

    @extend_schema(
        summary="Change a measure's fiche",
        description="Only the fields sent change (the fiche is created on the first change). Versioned with "
        "`effective_from` (default today) and audited; the fiche counts as confirmed today. An unknown field is "
        "an error.",
        parameters=[ISO2_PARAM, CODE_PARAM],
        request=FicheWriteSerializer,
        responses={200: FicheSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request, iso2, code):
        country = _editable(request, iso2)
        code = _measure(code)
        data, effective_from = _body(request)
        try:
            services.fiche_update(
                actor=request.user, country=country, measure=code, data=data, effective_from=effective_from
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(fiche_data(country, code, selectors.fiche_for(country, code)))


class MeasureConfirmView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="Confirm a fiche as still correct",
        description="Resets its confirmation clock without changing it. 404 when there is no fiche yet.",
        parameters=[ISO2_PARAM, CODE_PARAM],
        request=None,
        responses={200: FicheSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, iso2, code):
        country = _editable(request, iso2)
        code = _measure(code)
        try:
            services.fiche_confirm(actor=request.user, country=country, measure=code)
        except (DjangoValidationError, PermissionDenied) as exc:
            raise Http404 from exc
        return Response(fiche_data(country, code, selectors.fiche_for(country, code)))


class ProfileView(APIView):
    permission_classes = [TokenScopePermission]
    parser_classes = [JSONParser]

    def _data(self, request, country):
        authorities = selectors.authorities_by_type(user=request.user, country=country)
        return profile_data(country, selectors.profile_for(country), authorities)

    @extend_schema(
        summary="A country's legal profile",
        description="The legal tradition, national laws and, per type of cooperation, its rules and the languages "
        "accepted by the competent authorities of the directory. Public.",
        parameters=[ISO2_PARAM],
        auth=PUBLIC_READ,
        responses={200: ProfileSerializer, 404: NOT_FOUND},
    )
    def get(self, request, iso2):
        return Response(self._data(request, selectors.country_get(iso2=iso2)))

    @extend_schema(
        summary="Change a country's legal profile",
        description="Only the fields sent change; `laws` replaces the whole list; `rules` changes the fields sent of "
        "each type named. All or nothing: one invalid field and nothing is written. Versioned with "
        "`effective_from` and audited.",
        parameters=[ISO2_PARAM],
        request=ProfileWriteSerializer,
        responses={200: ProfileSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request, iso2):
        country = _editable(request, iso2)
        data, effective_from = _body(request)
        try:
            services.profile_patch(actor=request.user, country=country, data=data, effective_from=effective_from)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        except PermissionDenied as exc:
            raise Http404 from exc
        return Response(self._data(request, country))


class ProfileConfirmView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="Confirm a legal profile as still correct",
        description="Resets the confirmation clock of the profile and its rules. 404 when there is no profile yet.",
        parameters=[ISO2_PARAM],
        request=None,
        responses={200: ProfileSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, iso2):
        country = _editable(request, iso2)
        try:
            services.profile_confirm(actor=request.user, country=country)
        except (DjangoValidationError, PermissionDenied) as exc:
            raise Http404 from exc
        authorities = selectors.authorities_by_type(user=request.user, country=country)
        return Response(profile_data(country, selectors.profile_for(country), authorities))


def _query_country(request, name: str, errors: dict) -> Country | None:
    value = (request.query_params.get(name) or "").strip()
    if not value:
        errors[name] = [_("This parameter is required: an ISO 3166-1 alpha-2 country code such as BR.")]
        return None
    country = None
    if len(value) == 2 and value.isascii() and value.isalpha():
        country = Country.objects.filter(iso2=value.upper()).first()
    if country is None:
        errors[name] = [_("Unknown country code %(code)s.") % {"code": value}]
    return country


class CompareView(APIView):
    permission_classes = [TokenScopePermission]

    @extend_schema(
        summary="Compare two countries on one measure or one type of cooperation",
        description="Give `a` and `b` (ISO alpha-2) and exactly one of `measure` and `type`. Public.",
        parameters=[
            OpenApiParameter("a", OpenApiTypes.STR, required=True, description="First country, e.g. BR."),
            OpenApiParameter("b", OpenApiTypes.STR, required=True, description="Second country, e.g. ID."),
            OpenApiParameter("measure", OpenApiTypes.STR, description="A measure code, e.g. bank_records."),
            OpenApiParameter("type", OpenApiTypes.STR, description="A type of cooperation, e.g. mla."),
        ],
        auth=PUBLIC_READ,
        responses={200: CompareSerializer, 400: BAD_QUERY},
    )
    def get(self, request):
        errors: dict[str, list[str]] = {}
        a = _query_country(request, "a", errors)
        b = _query_country(request, "b", errors)
        measure = request.query_params.get("measure", "")
        coop_type = request.query_params.get("type", "")
        if measure and measure not in Measure.values:
            errors["measure"] = [_("Unknown measure; use one of: %(codes)s.") % {"codes": ", ".join(Measure.values)}]
        if coop_type and coop_type not in CooperationType.values:
            errors["type"] = [
                _("Unknown type of cooperation; use one of: %(codes)s.") % {"codes": ", ".join(CooperationType.values)}
            ]
        if not measure and not coop_type:
            errors["measure"] = [_("Give a measure or a type of cooperation.")]
        if measure and coop_type:
            errors["type"] = [_("Give a measure or a type of cooperation, not both.")]
        if errors:
            raise serializers.ValidationError(errors)
        assert a is not None and b is not None  # noqa: S101 - both were checked above
        sides = selectors.compare(user=request.user, a=a, b=b, measure=measure, coop_type=coop_type)
        out = {"measure": measure, "type": coop_type}
        for key, side in zip(("a", "b"), sides, strict=True):
            out[key] = {
                "country": side.country.iso2,
                "profile": profile_data(
                    side.country,
                    side.profile,
                    {code: [] for code in CooperationType.values} | {coop_type: side.authorities},
                    only_type=coop_type,
                )
                if coop_type
                else None,
                "fiche": fiche_data(side.country, measure, side.fiche) if measure else None,
            }
        return Response(out, status=status.HTTP_200_OK)
