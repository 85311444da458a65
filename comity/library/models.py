"""The legal library (documents with their extracted text) and the multilingual glossary."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from comity.core.search import TextIndex, fold

# The seven languages of the glossary, in the order of its data file.
GLOSSARY_LANGUAGES = ("en", "fr", "es", "ru", "zh-hans", "ar", "pt")


def language_field(code: str) -> str:
    """The column suffix of a language code: "zh-hans" → "zh_hans"."""
    return code.replace("-", "_")


class DocumentKind(models.TextChoices):
    LAW = "law", _("Law")
    TREATY_TEXT = "treaty_text", _("Treaty text")
    MODEL_TREATY = "model_treaty", _("Model treaty")
    MODEL_LAW = "model_law", _("Model law")
    GUIDE = "guide", _("Guide")
    REQUEST_TEMPLATE = "request_template", _("Request template")
    MEETING_REPORT = "meeting_report", _("Meeting report")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class Document(models.Model):
    """A document of the legal library: one language version of a law, treaty text, model, guide, template or
    report. Versions of the same document in other languages share its `group_key`.

    The file is stored encrypted under the file root like the file exchange's attachments (a random key per file,
    wrapped by the master key). Its text, extracted at upload, is kept for search (`search_text`, case-folded).
    A deleted document keeps its row (without file or text) so that "last modified" never moves backwards.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(_("language"), max_length=10, db_index=True)
    group_key = models.SlugField(
        _("group"),
        max_length=80,
        db_index=True,
        help_text=_("Language versions of the same document share this key."),
    )
    date = models.DateField(_("date"), null=True, blank=True, db_index=True)
    countries = models.ManyToManyField(
        "reference.Country", blank=True, related_name="library_documents", verbose_name=_("countries")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    storage_name = models.CharField(max_length=64, blank=True, editable=False)
    wrapped_key = models.CharField(max_length=200, blank=True, editable=False)
    key_fingerprint = models.CharField(max_length=16, blank=True, editable=False)

    text = models.TextField(_("extracted text"), blank=True, editable=False)
    text_note = models.CharField(_("note on the text"), max_length=300, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=dj_timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=dj_timezone.now, db_index=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("library document")
        verbose_name_plural = _("library documents")
        indexes = [models.Index(fields=["-date", "-id"], name="library_document_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def size_label(self) -> str:
        from comity.files.formatting import file_size

        return file_size(self.size)

    def tag_values(self, kind: str) -> list[str]:
        """Values of one kind of tag, from prefetched `tags` (no query when prefetched)."""
        return sorted(tag.value for tag in self.tags.all() if tag.kind == kind)

    def build_search_text(self, *, topics: list[str] | None = None) -> str:
        parts = [self.title, self.summary, " ".join(topics or []), self.text]
        return fold("\n".join(part for part in parts if part))


class TagKind(models.TextChoices):
    INSTRUMENT = "instrument", _("Instrument")
    COOPERATION = "cooperation", _("Type of cooperation")
    TOPIC = "topic", _("Topic")


class DocumentTag(models.Model):
    """A tag of a document: an instrument (its slug in the treaties app, no foreign key across the layers), a type
    of cooperation (`legalprofiles.choices.CooperationType`) or a free topic."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=20, choices=TagKind.choices)
    value = models.CharField(max_length=80)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["document", "kind", "value"], name="uniq_library_tag")]
        indexes = [models.Index(fields=["kind", "value"], name="library_tag_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class GlossaryTerm(models.Model):
    """A term of international cooperation in criminal matters, in the seven languages, with a definition.

    `verified` is True only where every language was copied from the cited terminology source; terms typed from
    knowledge stay unverified, and the pages say so.
    """

    key = models.SlugField(_("key"), max_length=80, unique=True)
    term_en = models.CharField(_("term (English)"), max_length=200)
    term_fr = models.CharField(_("term (French)"), max_length=200, blank=True)
    term_es = models.CharField(_("term (Spanish)"), max_length=200, blank=True)
    term_ru = models.CharField(_("term (Russian)"), max_length=200, blank=True)
    term_zh_hans = models.CharField(_("term (Chinese)"), max_length=200, blank=True)
    term_ar = models.CharField(_("term (Arabic)"), max_length=200, blank=True)
    term_pt = models.CharField(_("term (Portuguese)"), max_length=200, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    definition_es = models.TextField(_("definition (Spanish)"), blank=True)
    definition_ru = models.TextField(_("definition (Russian)"), blank=True)
    definition_zh_hans = models.TextField(_("definition (Chinese)"), blank=True)
    definition_ar = models.TextField(_("definition (Arabic)"), blank=True)
    definition_pt = models.TextField(_("definition (Portuguese)"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    search_text = models.TextField(editable=False, blank=True, default="")
    updated_at = models.DateTimeField(_("updated"), default=dj_timezone.now, db_index=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["term_en"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.term_en

    def term(self, language: str) -> str:
        return getattr(self, f"term_{language_field(language)}", "") or ""

    def definition(self, language: str) -> str:
        return getattr(self, f"definition_{language_field(language)}", "") or ""

    def localized_term(self, language: str | None = None) -> str:
        return self.term(language or translation.get_language() or "en") or self.term_en

    def localized_definition(self, language: str | None = None) -> tuple[str, str]:
        """(definition, its language): the viewer's language where written, else English."""
        code = language or translation.get_language() or "en"
        text = self.definition(code)
        return (text, code) if text else (self.definition_en, "en")

    def build_search_text(self) -> str:
        parts = [self.key.replace("_", " ")]
        parts += [self.term(code) for code in GLOSSARY_LANGUAGES]
        parts += [self.definition(code) for code in GLOSSARY_LANGUAGES]
        return fold("\n".join(part for part in parts if part))


DOCUMENT_INDEX = TextIndex(table="library_document", column="search_text", name="library_document_search")
GLOSSARY_INDEX = TextIndex(table="library_glossaryterm", column="search_text", name="library_glossary_search")
