"""REST API of the forum: spaces, threads, posts and search, with the same permissions as the pages.

Everything needs a signed-in member (a personal token or a two-factor session; 401 otherwise). A space, thread or
post the caller cannot read answers 404, exactly like one that does not exist, and never shows up in a list, a
count or a search hit. Writes need a write-scope token (or a session with its CSRF token) and go through the forum
services: their validation errors answer 400 naming each field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.core.search import SearchTimeout, time_limit
from comity.core.search.api import CappedPagination, SearchTimedOut
from comity.forum import moderation, permissions, search, services
from comity.forum.api.serializers import (
    ForumErrorSerializer,
    PostCreateSerializer,
    PostSerializer,
    SearchHitSerializer,
    SearchQuerySerializer,
    SpaceSerializer,
    ThreadCreateSerializer,
    ThreadFilterSerializer,
    ThreadSerializer,
)
from comity.forum.models import Post, Space, Thread
from comity.reference.models import Country


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ForumErrorSerializer, description=description)


BAD_FILTER = _error("An unknown or malformed query parameter value, named in `fields`.")
INVALID_BODY = _error("Invalid input: `fields` names each rejected field with its messages.")
UNAUTHENTICATED = _error("No valid token or verified session (not_authenticated).")
FORBIDDEN = _error(
    "A read-scope token, or a user who may not write here (observers; archived spaces; locked "
    "threads for non-moderators)."
)
NOT_FOUND = _error("No such object, or one the caller may not read.")


# The body of POST /threads/{id}/accepted-answer/. Kept here, next to its only use, until it joins the others in
# api/serializers.py.
class AnswerChoiceSerializer(serializers.Serializer):
    """The reply to accept as a question's answer."""

    post = serializers.IntegerField(min_value=1, help_text="The id of a reply in the question.")


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return {key: value for key, value in params.validated_data.items() if value not in (None, "")}


def _body(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("The request body must be a JSON object.")]})
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _visible_space(user, slug: str) -> Space | None:
    return permissions.spaces_visible_to(user).filter(slug=slug).select_related("network").first()


# --- spaces ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the spaces you can read",
        description=(
            "Plenary, regional, network, thematic spaces and private consultations that the caller can read, by "
            "kind and name."
        ),
        responses={200: SpaceSerializer(many=True), 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="One space, by slug", responses={200: SpaceSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND}
    ),
)
class SpaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spaces of the forum."""

    serializer_class = SpaceSerializer
    permission_classes = [IsMember, TokenScopePermission]
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Space.objects.none()
        return permissions.spaces_visible_to(self.request.user).select_related("network").order_by("kind", "name", "pk")

    def get_object(self) -> Space:
        space = _visible_space(self.request.user, self.kwargs["slug"])
        if space is None:
            raise Http404
        return space


# --- threads and posts -------------------------------------------------------------------------------------------


def thread_list(*, user, space: Space | None = None, tlp: str = "", kind: str = "", status: str = "", q: str = ""):
    """Threads the user can read, pinned first then by last activity, with what the serializer needs."""
    threads = permissions.threads_visible_to(user)
    if space is not None:
        threads = threads.filter(space=space)
    if tlp:
        threads = threads.filter(tlp=tlp)
    if kind:
        threads = threads.filter(kind=kind)
    if status:
        threads = threads.filter(status=status)
    terms = search.terms_of(q)
    if terms:
        threads = threads.filter(search.THREAD_TITLE.contains(terms))
    return (
        threads.select_related("space", "author__country")
        .prefetch_related(Prefetch("addressed_countries", queryset=Country.objects.only("pk", "iso2")))
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )


@extend_schema_view(
    list=extend_schema(
        summary="List threads you can read",
        description=(
            "Pinned threads first, then by last activity. Filters combine; an unknown space slug (or one you cannot "
            "read), handling mark, kind or status answers 400 naming the parameter."
        ),
        parameters=[ThreadFilterSerializer],
        responses={200: ThreadSerializer(many=True), 400: BAD_FILTER, 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="One thread", responses={200: ThreadSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary="Start a thread",
        description=(
            "Starts a discussion or a question to countries in a space you can write in, with its first post. Needs "
            "a write-scope token. The handling mark defaults to the space's."
        ),
        request=ThreadCreateSerializer,
        responses={201: ThreadSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    ),
)
class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Threads: discussions and questions to countries, each with a TLP handling mark."""

    serializer_class = ThreadSerializer
    permission_classes = [IsMember, TokenScopePermission]
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Thread.objects.none()
        params = _params(ThreadFilterSerializer, self.request)
        space = None
        if params.get("space"):
            space = _visible_space(self.request.user, params.pop("space"))
            if space is None:
                raise serializers.ValidationError({"space": [_("Unknown space.")]})
        return thread_list(user=self.request.user, space=space, **params)

    def get_object(self) -> Thread:
        thread = thread_list(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if thread is None:
            raise Http404
        return thread

    def _detail(self, pk: int) -> dict:
        thread = thread_list(user=self.request.user).get(pk=pk)
        return ThreadSerializer(thread, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        data = _body(ThreadCreateSerializer, request)
        errors: dict[str, list[str]] = {}
        space = _visible_space(request.user, data["space"])
        if space is None:
            errors["space"] = [_("Unknown space.")]
        codes = sorted({code.upper() for code in data["addressed_countries"]})
        countries = list(Country.objects.filter(iso2__in=codes))
        unknown = sorted(set(codes) - {country.iso2 for country in countries})
        if unknown:
            errors["addressed_countries"] = [_("Unknown country %(code)s.") % {"code": code} for code in unknown]
        if errors:
            raise serializers.ValidationError(errors)
        try:
            thread = services.thread_create(
                actor=request.user,
                space=space,
                title=data["title"],
                body=data["body"],
                tlp=data.get("tlp"),
                kind=data["kind"],
                addressed_countries=countries,
                language=data["language"],
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(thread.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Posts of a thread",
        description=("In reading order, paginated. Hidden posts appear only to the space's moderators."),
        responses={200: PostSerializer(many=True), 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply in a thread",
        description=("Needs a write-scope token. A locked thread answers 403 (except to its moderators)."),
        request=PostCreateSerializer,
        responses={201: PostSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get", "post"], url_path="posts", serializer_class=PostSerializer)
    def posts(self, request, pk=None):
        thread = moderation.visible_thread(request.user, pk)
        if request.method == "POST":
            return self._reply(request, thread)
        posts = (
            permissions.posts_visible_to(request.user)
            .filter(thread=thread)
            .select_related("author__country")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        methods=["POST"],
        summary="Accept an answer to a question",
        description=(
            "The asker or the space's moderators choose a reply as the question's answer; the question becomes "
            "resolved. Not a hidden post, not the question itself; not in an archived space; in a locked thread only "
            "its moderators; never observers. Audited. Needs a write-scope token."
        ),
        request=AnswerChoiceSerializer,
        responses={200: ThreadSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw the accepted answer",
        description=(
            "The question is answered again (or open, if no addressed country replied). Same rules as accepting; "
            "a question without an accepted answer answers 400. Audited. Needs a write-scope token."
        ),
        request=None,
        responses={200: ThreadSerializer, 400: INVALID_BODY, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post", "delete"], url_path="accepted-answer", serializer_class=ThreadSerializer)
    def accepted_answer(self, request, pk=None):
        thread = moderation.visible_thread(request.user, pk)
        try:
            if request.method == "DELETE":
                services.question_unaccept_answer(actor=request.user, thread=thread)
            else:
                data = _body(AnswerChoiceSerializer, request)
                post = permissions.posts_visible_to(request.user).filter(pk=data["post"], thread=thread).first()
                if post is None:
                    raise serializers.ValidationError({"post": [_("Choose an answer in this question.")]})
                services.question_accept_answer(actor=request.user, thread=thread, post=post)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._detail(thread.pk))

    def _reply(self, request, thread: Thread):
        data = _body(PostCreateSerializer, request)
        quote = None
        if data.get("quote_of"):
            quote = permissions.posts_visible_to(request.user).filter(pk=data["quote_of"]).first()
            if quote is None:
                raise serializers.ValidationError({"quote_of": [_("There is no post with this id.")]})
        try:
            post = services.post_create(
                actor=request.user, thread=thread, body=data["body"], language=data["language"], quote_of=quote
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        post = Post.objects.select_related("author__country").get(pk=post.pk)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


# --- search ------------------------------------------------------------------------------------------------------


class SearchView(GenericAPIView):
    """Full-text search over the posts and thread titles the caller can read."""

    permission_classes = [IsMember, TokenScopePermission]
    serializer_class = SearchHitSerializer
    pagination_class = CappedPagination

    @extend_schema(
        summary="Search the forum",
        description=(
            "Every word of `q` must appear (any case, any script, including Arabic, Chinese and Cyrillic) in a post, "
            "or, for a thread's opening post, in the post or the thread's title. Newest first. Only spaces the caller "
            "can read are searched; hidden posts are left out. Snippets and titles are HTML-escaped with the matches "
            "in <mark>. A space you cannot read answers 400 (unknown space), like one that does not exist. Results "
            "are counted up to 1,000 (`count_capped` says there are more) and only those can be paged through. A "
            "search that takes too long is stopped and answers 503 (search_timeout): add words or filters."
        ),
        parameters=[SearchQuerySerializer],
        responses={
            200: SearchHitSerializer(many=True),
            400: BAD_FILTER,
            401: UNAUTHENTICATED,
            503: _error("The search took too long and was stopped (search_timeout)."),
        },
    )
    def get(self, request):
        params = _params(SearchQuerySerializer, request)
        space_id = None
        if params.get("space"):
            space = _visible_space(request.user, params["space"])
            if space is None:
                raise serializers.ValidationError({"space": [_("Unknown space.")]})
            space_id = space.pk
        terms = search.terms_of(params.get("q", ""))
        filters = search.SearchFilters(
            space_id=space_id,
            country=params.get("country", ""),
            author=params.get("author", "").strip(),
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
            tlp=params.get("tlp", ""),
        )
        posts = search.post_search(user=request.user, terms=terms, filters=filters)
        try:
            with time_limit():
                page = self.paginate_queryset(posts)
        except SearchTimeout as exc:
            raise SearchTimedOut from exc
        return self.get_paginated_response(SearchHitSerializer(search.hits(page, terms), many=True).data)
