"""Public, read-only API of countries and networks."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from comity.reference import selectors
from comity.reference.api.serializers import CountryFilterSerializer, CountrySerializer, NetworkSerializer

BAD_FILTER = OpenApiResponse(
    description="An unknown region code or network slug: "
    '{"error": {"status": 400, "code": "invalid", "message": ..., "fields": ...}}'
)
NOT_FOUND = OpenApiResponse(description='No such object: {"error": {"status": 404, "code": "not_found", ...}}')


@extend_schema_view(
    list=extend_schema(
        summary="List countries and territories",
        description="Every ISO 3166-1 country or territory, ordered by alpha-2 code. Names are in the language "
        "of the Accept-Language header.",
        parameters=[
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                description="UN M49 region, sub-region or intermediate region code, e.g. 019 (Americas), 419, 005.",
            ),
            OpenApiParameter("network", OpenApiTypes.STR, description="Network slug, e.g. iberred."),
        ],
        responses={200: CountrySerializer(many=True), 400: BAD_FILTER},
    ),
    retrieve=extend_schema(
        summary="One country or territory",
        parameters=[
            OpenApiParameter(
                "iso2", OpenApiTypes.STR, OpenApiParameter.PATH, description="ISO 3166-1 alpha-2 code, in either case."
            )
        ],
        responses={200: CountrySerializer, 404: NOT_FOUND},
    ),
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries and territories with their UN M49 classification, UN status and networks."""

    permission_classes = [AllowAny]
    serializer_class = CountrySerializer
    lookup_field = "iso2"
    lookup_value_regex = "[A-Za-z]{2}"

    def get_queryset(self):
        if self.action != "list":
            return selectors.country_list()
        params = CountryFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        filters = {key: value for key, value in params.validated_data.items() if value}
        return selectors.country_list(**filters)

    def get_object(self):
        return selectors.country_get(iso2=self.kwargs["iso2"])


@extend_schema_view(
    list=extend_schema(summary="List cooperation networks", responses={200: NetworkSerializer(many=True)}),
    retrieve=extend_schema(summary="One cooperation network", responses={200: NetworkSerializer, 404: NOT_FOUND}),
)
class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Cooperation networks, their member countries, and the source and date of each member list."""

    permission_classes = [AllowAny]
    serializer_class = NetworkSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.network_list(with_members=True)

    def get_object(self):
        return selectors.network_get(slug=self.kwargs["slug"])
