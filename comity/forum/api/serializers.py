"""JSON shapes of the forum API: spaces, threads, posts, search hits, and query parameters.

Output serializers only read what the selectors loaded (no query per row). Writes go through the forum services;
the write serializers here check the shape of the body and describe it in the OpenAPI schema.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from comity.forum.models import TLP, Post, Space, SpaceKind, Thread

# One OpenAPI enum name per choice set, for SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]:
# {"TlpEnum": "comity.forum.api.serializers.TLP_CHOICES", "SpaceKindEnum": "...SPACE_KIND_CHOICES",
#  "ThreadKindEnum": "...THREAD_KIND_CHOICES"}.
TLP_CHOICES = TLP.choices
SPACE_KIND_CHOICES = SpaceKind.choices
THREAD_KIND_CHOICES = Thread.Kind.choices


class ForumErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("For invalid input: the messages by field or query parameter name."),
    )


class ForumErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ForumErrorBodySerializer()


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    country = serializers.SerializerMethodField(help_text=gettext_lazy("ISO alpha-2 code of the author's country."))

    def get_country(self, user) -> str | None:
        return user.country.iso2 if user.country_id else None


# --- spaces ------------------------------------------------------------------------------------------------------


class SpaceSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=gettext_lazy("The name in the request's language."))
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    retention_months = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "Posts older than this many months are deleted (except in threads under legal hold); null keeps them "
            "forever."
        ),
    )

    class Meta:
        model = Space
        fields = [
            "slug",
            "kind",
            "name",
            "names",
            "description",
            "region_m49",
            "network",
            "default_tlp",
            "retention_months",
            "is_archived",
            "created_at",
        ]
        read_only_fields = fields

    def get_name(self, space: Space) -> str:
        return space.localized_name()


# --- threads -----------------------------------------------------------------------------------------------------


class ThreadSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tlp_label = serializers.SerializerMethodField(
        help_text=gettext_lazy("The handling mark as written, e.g. TLP:AMBER.")
    )
    addressed_countries = serializers.SlugRelatedField(slug_field="iso2", many=True, read_only=True)
    author = AuthorSerializer(read_only=True)
    accepted_post = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "space",
            "title",
            "tlp",
            "tlp_label",
            "kind",
            "status",
            "addressed_countries",
            "author",
            "created_at",
            "last_post_at",
            "post_count",
            "accepted_post",
            "is_locked",
            "is_pinned",
            "legal_hold",
        ]
        read_only_fields = fields

    def get_tlp_label(self, thread: Thread) -> str:
        return TLP(thread.tlp).label


class ThreadCreateSerializer(serializers.Serializer):
    space = serializers.CharField(help_text=gettext_lazy("Slug of a space you can write in."))
    title = serializers.CharField(allow_blank=True, max_length=200)
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=gettext_lazy("Markdown (a safe subset).")
    )
    tlp = serializers.ChoiceField(
        choices=TLP.choices, required=False, help_text=gettext_lazy("Handling mark; the space's default when left out.")
    )
    kind = serializers.ChoiceField(choices=Thread.Kind.choices, default=Thread.Kind.DISCUSSION)
    addressed_countries = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        default=list,
        help_text=gettext_lazy("ISO alpha-2 codes; required for a question."),
    )
    language = serializers.CharField(default="en", help_text=gettext_lazy("Language of the text, e.g. en, fr, ar."))


class ThreadFilterSerializer(serializers.Serializer):
    space = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy("Space slug."))
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Thread.Kind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Thread.Status.choices, required=False, allow_blank=True)
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=gettext_lazy("Words that must all appear in the title (any case, any script)."),
    )


# --- posts -------------------------------------------------------------------------------------------------------


class PostSerializer(serializers.ModelSerializer):
    thread = serializers.PrimaryKeyRelatedField(read_only=True)
    author = AuthorSerializer(read_only=True)
    quote_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    body_html = serializers.CharField(read_only=True, help_text=gettext_lazy("Sanitized HTML of the Markdown."))

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "body",
            "body_html",
            "language",
            "quote_of",
            "created_at",
            "edited_at",
            "is_hidden",
            "hidden_reason",
        ]
        read_only_fields = fields


class PostCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=gettext_lazy("Markdown (a safe subset).")
    )
    language = serializers.CharField(default="en")
    quote_of = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=gettext_lazy("Id of a post of the same thread to quote."),
    )


# --- search ------------------------------------------------------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=gettext_lazy(
            "Words that must all appear in a post (or in its thread's title, for the opening post); any case, any "
            "script."
        ),
    )
    space = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy("Space slug."))
    country = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("ISO alpha-2 code of the author's country.")
    )
    author = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=gettext_lazy("A user id, or part of the author's name or e-mail address."),
    )
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False, allow_blank=True)

    def validate_country(self, value: str) -> str:
        from comity.reference.models import Country

        value = (value or "").strip().upper()
        if value and not Country.objects.filter(iso2=value).exists():
            raise serializers.ValidationError(_("Unknown country %(code)s.") % {"code": value})
        return value

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        if not any(value for value in data.values()):
            raise serializers.ValidationError({"q": [_("Give words to search for, or a filter.")]})
        return data


class SearchHitSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    thread = serializers.IntegerField(source="post.thread_id")
    thread_title = serializers.CharField(source="post.thread.title")
    title_html = serializers.CharField(
        source="title", help_text=gettext_lazy("The title, HTML-escaped, with the matches in <mark>.")
    )
    snippet_html = serializers.CharField(
        source="snippet",
        help_text=gettext_lazy("Text around the first match, HTML-escaped, with the matches in <mark>."),
    )
    space = serializers.CharField(source="post.thread.space.slug")
    tlp = serializers.CharField(source="post.thread.tlp")
    tlp_label = serializers.SerializerMethodField()
    author = AuthorSerializer(source="post.author")
    language = serializers.CharField(source="post.language")
    created_at = serializers.DateTimeField(source="post.created_at")

    def get_tlp_label(self, hit) -> str:
        return TLP(hit.post.thread.tlp).label
