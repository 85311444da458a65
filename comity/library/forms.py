"""Forms of the library pages: the filters, the legal search, a document's upload and edit, a glossary term."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.core.i18n import UI_LANGUAGES, iso639_1_choices, language_name, territory_name
from comity.core.search import MAX_QUERY
from comity.legalprofiles.choices import CooperationType
from comity.library import search, services
from comity.library.models import GLOSSARY_LANGUAGES, DocumentKind, GlossaryTerm, Visibility, language_field
from comity.library.selectors import DocumentFilters

DATE = forms.DateInput(attrs={"type": "date"})


def language_choices() -> list[tuple[str, str]]:
    """The seven interface languages first, then every other ISO 639-1 language."""
    first = [(code, language_name(code)) for code in UI_LANGUAGES]
    rest = [(code, name) for code, name in iso639_1_choices() if code not in UI_LANGUAGES]
    return first + rest


def country_choices(countries) -> list[tuple[str, str]]:
    return sorted(((country.iso2, territory_name(country.iso2)) for country in countries), key=lambda item: item[1])


class _Filters(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), required=False)
    type = forms.ChoiceField(
        label=gettext_lazy("Type of cooperation"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(CooperationType.choices),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)

    def __init__(self, *args, countries, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country"))] + country_choices(countries)
        self.fields["instrument"].choices = [("", _("Any instrument"))] + list(instruments)
        self.fields["language"].choices = [("", _("Any language"))] + language_choices()
        messages = {
            "country": _("Unknown country."),
            "instrument": _("Unknown instrument."),
            "type": _("Unknown type of cooperation."),
            "language": _("Unknown language."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["invalid_choice"] = message

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class LibraryFilterForm(_Filters):
    q = forms.CharField(label=gettext_lazy("Words to find"), required=False, max_length=MAX_QUERY)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of document"),
        required=False,
        choices=[("", gettext_lazy("Any"))] + list(DocumentKind.choices),
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), required=False, max_length=80)

    field_order = ["q", "kind", "country", "instrument", "type", "language", "topic", "date_from", "date_to"]

    def filters(self) -> DocumentFilters:
        data = self.cleaned_data
        return DocumentFilters(
            kind=data["kind"],
            country=data["country"],
            instrument=data["instrument"],
            coop_type=data["type"],
            language=data["language"],
            topic=data["topic"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


class LegalSearchForm(_Filters):
    q = forms.CharField(
        label=gettext_lazy("Words to find"),
        required=False,
        max_length=MAX_QUERY,
        help_text=gettext_lazy("Every word must appear, in any language; case does not matter."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Show"), required=False)

    field_order = ["q", "kind", "country", "instrument", "type", "language", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [
            (code, str(label)) for code, label in search.KINDS.items()
        ]
        self.fields["kind"].error_messages["invalid_choice"] = _("Unknown kind of result.")

    def has_criteria(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields if name != "kind")

    def legal_filters(self) -> search.LegalFilters:
        data = self.cleaned_data
        return search.LegalFilters(
            country=data["country"],
            instrument=data["instrument"],
            coop_type=data["type"],
            language=data["language"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            kinds=(data["kind"],) if data["kind"] else (),
        )


class DocumentForm(forms.Form):
    """Upload or edit form. On edit the file is optional (it replaces the stored one when given)."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        required=True,
        help_text=gettext_lazy("PDF, DOCX, HTML or plain text (UTF-8)."),
        allow_empty_file=True,  # the service says "The file is empty." in its own words
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"), choices=DocumentKind.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language of the document"))
    group_key = forms.CharField(
        label=gettext_lazy("Group of language versions"),
        required=False,
        max_length=80,
        help_text=gettext_lazy(
            "Versions of the same document in other languages share this key. Leave it empty for a new document."
        ),
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Who may read it"), choices=Visibility.choices)
    date = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DATE)
    summary = forms.CharField(label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    countries = forms.MultipleChoiceField(label=gettext_lazy("Countries"), required=False)
    instruments = forms.MultipleChoiceField(label=gettext_lazy("Instruments"), required=False)
    cooperation_types = forms.MultipleChoiceField(
        label=gettext_lazy("Types of cooperation"), required=False, choices=CooperationType.choices
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Separated by commas."),
    )
    source = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=300)

    def __init__(self, *args, countries, instruments, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.countries_by_code = {country.iso2: country for country in countries}
        self.fields["countries"].choices = country_choices(countries)
        self.fields["instruments"].choices = list(instruments)
        self.fields["language"].choices = language_choices()
        if editing:
            self.fields["file"].required = False
            self.fields["file"].help_text = _("Leave empty to keep the current file.")

    def document_fields(self) -> services.DocumentFields:
        data = self.cleaned_data
        return services.DocumentFields(
            kind=data["kind"],
            title=data["title"],
            language=data["language"],
            visibility=data["visibility"],
            summary=data["summary"],
            group_key=data["group_key"],
            date=data["date"],
            countries=[self.countries_by_code[code] for code in data["countries"]],
            instruments=data["instruments"],
            cooperation_types=data["cooperation_types"],
            topics=[topic for topic in data["topics"].split(",") if topic.strip()],
            source=data["source"],
        )


class GlossaryFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words to find"), required=False, max_length=MAX_QUERY)
    language = forms.ChoiceField(label=gettext_lazy("Sort and filter by the terms in"), required=False)
    letter = forms.CharField(label=gettext_lazy("Initial letter"), required=False, max_length=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, language_name(code)) for code in GLOSSARY_LANGUAGES]
        self.fields["language"].error_messages["invalid_choice"] = _("Unknown language.")


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = [
            *(f"term_{language_field(code)}" for code in GLOSSARY_LANGUAGES),
            *(f"definition_{language_field(code)}" for code in GLOSSARY_LANGUAGES),
            "source",
            "as_of",
            "verified",
        ]
        widgets = {
            **{f"definition_{language_field(code)}": forms.Textarea(attrs={"rows": 3}) for code in GLOSSARY_LANGUAGES},
            "as_of": DATE,
        }
