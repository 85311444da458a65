"""The library API: documents (public ones to everyone, members-only ones to members), the legal search and the
glossary. Read-only; writes go through the pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.pagination import StandardPagination
from comity.core.api.permissions import TokenScopePermission
from comity.core.search import SearchTimeout, snippet, terms_of, time_limit
from comity.core.search.api import CappedPagination, SearchTimedOut
from comity.library import search, selectors
from comity.library.api.serializers import (
    DocumentDetailSerializer,
    DocumentQuerySerializer,
    DocumentSerializer,
    GlossaryQuerySerializer,
    GlossaryTermSerializer,
    LegalSearchQuerySerializer,
    LegalSearchResponseSerializer,
)

BAD_PARAMETERS = OpenApiResponse(
    description='An unknown or invalid parameter, named: {"error": {"status": 400, "code": "invalid", "fields": ...}}'
)
NOT_FOUND = OpenApiResponse(description="No such document, or not one you may read.")
TIMED_OUT = OpenApiResponse(description="The search took too long and was stopped (search_timeout).")

FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to find (all of them, in any language)."),
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO alpha-2 code of a tagged country."),
    OpenApiParameter("instrument", OpenApiTypes.STR, description="Slug of a tagged instrument."),
    OpenApiParameter("type", OpenApiTypes.STR, description="Type of cooperation, e.g. mla, extradition."),
    OpenApiParameter("language", OpenApiTypes.STR, description="Language code, e.g. en, zh-hans, ar."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Dated on or after."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Dated on or before."),
]


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {key: value for key, value in params.validated_data.items() if value not in (None, "")}


class DocumentList(generics.ListAPIView):
    """Documents of the legal library, newest first. Anonymous callers see public documents only."""

    permission_classes = [AllowAny, TokenScopePermission]
    serializer_class = DocumentSerializer
    pagination_class = CappedPagination

    @extend_schema(
        summary="List library documents",
        parameters=[
            *FILTERS,
            OpenApiParameter("kind", OpenApiTypes.STR, description="Kind of document, e.g. law, guide."),
            OpenApiParameter("topic", OpenApiTypes.STR, description="A topic tag."),
        ],
        responses={200: DocumentSerializer(many=True), 400: BAD_PARAMETERS, 503: TIMED_OUT},
    )
    def get(self, request, *args, **kwargs):
        params = _params(DocumentQuerySerializer, request)
        filters = selectors.DocumentFilters(
            kind=params.get("kind", ""),
            country=params.get("country", ""),
            instrument=params.get("instrument", ""),
            coop_type=params.get("type", ""),
            language=params.get("language", ""),
            topic=params.get("topic", ""),
            date_from=params.get("from"),
            date_to=params.get("to"),
        )
        documents = selectors.document_list(user=request.user, filters=filters, q=params.get("q", ""))
        try:
            with time_limit():
                page = self.paginate_queryset(documents)
                page = list(page) if page is not None else []
        except SearchTimeout as exc:
            raise SearchTimedOut from exc
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class DocumentDetail(APIView):
    permission_classes = [AllowAny, TokenScopePermission]

    @extend_schema(
        summary="One library document, with its other language versions",
        responses={200: DocumentDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        document = selectors.document_get_for(user=request.user, pk=pk)
        versions = selectors.language_versions(user=request.user, document=document)
        return Response(DocumentDetailSerializer(document, context={"versions": versions}).data)


class LegalSearch(APIView):
    """One search across documents, legal profiles and measures, instruments and the glossary."""

    permission_classes = [AllowAny, TokenScopePermission]

    @extend_schema(
        summary="Legal search",
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "kind", OpenApiTypes.STR, description="document, glossary, profile, measure or instrument."
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 100 (default 20)."),
        ],
        responses={200: LegalSearchResponseSerializer, 400: BAD_PARAMETERS, 503: TIMED_OUT},
    )
    def get(self, request):
        params = _params(LegalSearchQuerySerializer, request)
        terms = terms_of(params.get("q", ""))
        filters = search.LegalFilters(
            country=params.get("country", ""),
            instrument=params.get("instrument", ""),
            coop_type=params.get("type", ""),
            language=params.get("language", ""),
            date_from=params.get("from"),
            date_to=params.get("to"),
            kinds=(params["kind"],) if params.get("kind") else (),
        )
        try:
            with time_limit():
                results = search.legal_search(user=request.user, terms=terms, filters=filters)
        except SearchTimeout as exc:
            raise SearchTimedOut from exc
        size = params.get("page_size", 20)
        page = Paginator(results.hits, size).get_page(params.get("page", 1))
        hits = [
            {
                "kind": hit.kind,
                "key": hit.key,
                "title": hit.title,
                "url": hit.url,
                "snippet": str(snippet(hit.text, terms)),
                "language": hit.language,
                "country": hit.country,
                "visibility": hit.visibility,
                "score": hit.score,
                "updated_at": hit.updated_at,
            }
            for hit in page.object_list
        ]
        body = {
            "count": results.count,
            "count_capped": results.more,
            "page": page.number,
            "page_size": size,
            "results": hits,
        }
        return Response(LegalSearchResponseSerializer(body).data)


class GlossaryList(generics.ListAPIView):
    """The multilingual glossary. `verified` is false for terms not copied from a cited terminology source."""

    permission_classes = [AllowAny, TokenScopePermission]
    serializer_class = GlossaryTermSerializer
    pagination_class = StandardPagination

    @extend_schema(
        summary="Glossary terms",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words to find, in any language."),
            OpenApiParameter("letter", OpenApiTypes.STR, description="Initial letter of the term in `language`."),
            OpenApiParameter("language", OpenApiTypes.STR, description="Language to sort and filter by (default en)."),
        ],
        responses={200: GlossaryTermSerializer(many=True), 400: BAD_PARAMETERS},
    )
    def get(self, request, *args, **kwargs):
        params = _params(GlossaryQuerySerializer, request)
        terms = selectors.glossary_list(
            q=params.get("q", ""), letter=params.get("letter", ""), language=params.get("language", "en")
        )
        page = self.paginate_queryset(terms)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
