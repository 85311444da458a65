"""Forms for the forum pages. They parse what a browser sends; `services` validate and write.

Required fields carry the same messages as the services, so a reader sees one wording whichever layer
refuses. Choices that depend on the viewer (countries, authorities) are passed in by the views.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markupsafe import Markup

from comity.core.formrender import NormalizedChoices
from comity.core.i18n import UI_LANGUAGES, iso639_1_choices, language_name
from comity.forum.models import TLP, NotifyLevel, Thread
from comity.forum.services import MAX_BODY

MARKDOWN_HELP = _(
    "Markdown, a safe subset: **bold**, *italic*, `code`, lists, > quotes, tables and links. HTML "
    "is not allowed and links open without passing on this page's address. Mention a person with "
    "@ and the start of their name (suggestions appear as you type; without them, use the part of their "
    "e-mail address before the @), or a country's contact points in this space with @ and its two-letter "
    "code (@BR)."
)


class LanguageChosen(forms.Form):
    """Mixin fields: whether the writer chose the language themselves ("1", set by the page's script when the
    list is changed) or left the default, which detection from the text may then replace."""

    language_chosen = forms.CharField(required=False, widget=forms.HiddenInput)


# What the platform does with each mark, beside FIRST's definition (`moderation.tlp_definition`).
TLP_PLATFORM_NOTE = {
    TLP.AMBER: _("E-mail about the thread carries only a link."),
    TLP.AMBER_STRICT: _("E-mail about the thread carries only a link."),
    TLP.RED: _("E-mail about the thread carries only a link, and the thread cannot be exported."),
}


def tlp_help(value: str) -> str:
    """FIRST TLP 2.0's definition of a mark, and what Comity does with it."""
    from comity.forum.moderation import tlp_definition

    note = TLP_PLATFORM_NOTE.get(TLP(value))
    return f"{tlp_definition(value)} {note}" if note else tlp_definition(value)


def tlp_help_all() -> dict[str, str]:
    return {value: tlp_help(value) for value in TLP.values}


_EMAIL_SPLIT = re.compile(r"[\s,;]+")


def language_choices() -> list:
    """The seven interface languages first, then every other ISO 639-1 language, named in the viewer's
    language and sorted by name."""
    from django.utils import translation

    return _language_choices(translation.get_language() or "en")


@lru_cache(maxsize=16)
def _language_choices(viewer_language: str) -> list:
    ui = [(code, language_name(code, viewer_language)) for code in UI_LANGUAGES]
    taken = {code.split("-")[0] for code in UI_LANGUAGES}
    others = [pair for pair in iso639_1_choices(viewer_language) if pair[0] not in taken]
    return [(gettext("Interface languages"), ui), (gettext("Other languages"), others)]


def language_options(current: str) -> Markup:
    """The <optgroup>s and <option>s of `language_choices()` with `current` selected, as HTML: built once per
    viewer language and choice (about 185 options on every thread page)."""
    from django.utils import translation

    return _language_options(translation.get_language() or "en", current or "")


@lru_cache(maxsize=512)
def _language_options(viewer_language: str, current: str) -> Markup:
    groups = []
    for group, options in _language_choices(viewer_language):
        items = "".join(
            Markup('<option value="{}"{}>{}</option>').format(
                code, Markup(" selected") if code == current else "", name
            )
            for code, name in options
        )
        groups.append(Markup('<optgroup label="{}">{}</optgroup>').format(group, Markup(items)))  # noqa: S704
    return Markup("\n").join(groups)


def country_choices(countries) -> list[tuple[str, str]]:
    return [(country.iso2, country.name) for country in countries]


def tlp_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in TLP.choices]


class ThreadForm(LanguageChosen):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the thread a title.")}
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_BODY,
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    language = forms.CharField(label=_("Language of the text"), widget=forms.Select)
    tlp = forms.ChoiceField(
        label=_("Handling mark (Traffic Light Protocol)"), widget=forms.RadioSelect, choices=tlp_choices
    )
    kind = forms.ChoiceField(
        label=_("Kind"), widget=forms.RadioSelect, choices=Thread.Kind.choices, initial=Thread.Kind.DISCUSSION
    )
    addressed_countries = forms.MultipleChoiceField(
        label=_("Addressed to (questions only)"),
        required=False,
        help_text=_("The countries whose contact points should answer. Hold Ctrl (or ⌘) to choose several."),
    )

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = NormalizedChoices(language_choices())
        self.fields["language"].options_html = language_options
        self.fields["addressed_countries"].choices = country_choices(countries)

    def service_kwargs(self, countries_by_code: dict) -> dict:
        data = self.cleaned_data
        addressed = (
            [countries_by_code[code] for code in data["addressed_countries"]]
            if data["kind"] == Thread.Kind.QUESTION
            else []
        )
        return {
            "title": data["title"],
            "body": data["body"],
            "language": data["language"],
            "tlp": data["tlp"],
            "kind": data["kind"],
            "addressed_countries": addressed,
        }


class PostForm(LanguageChosen):
    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_BODY,
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    language = forms.CharField(label=_("Language of the text"), widget=forms.Select)
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = NormalizedChoices(language_choices())
        self.fields["language"].options_html = language_options


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_BODY,
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    # Optional: a client that sends only the text keeps the post's language.
    language = forms.CharField(label=_("Language of the text"), widget=forms.Select, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.choices = NormalizedChoices(language_choices())
        self.fields["language"].options_html = language_options


class SpaceLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Notifications for this space"), widget=forms.RadioSelect, choices=NotifyLevel.choices
    )


class ThreadLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Notifications for this thread"),
        widget=forms.RadioSelect,
        required=False,
        choices=[("", _("As for the space"))] + list(NotifyLevel.choices),
    )


def parse_emails(text: str) -> list[str]:
    """E-mail addresses separated by spaces, commas, semicolons or new lines; lower-cased, order kept."""
    seen: list[str] = []
    for item in _EMAIL_SPLIT.split(text or ""):
        email = item.strip().lower()
        if email and email not in seen:
            seen.append(email)
    return seen


def _resolve_people(text: str, lookup) -> list:
    """Users for the given e-mail addresses; every unknown or malformed address is named in the error."""
    emails = parse_emails(text)
    errors = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(gettext("%(email)s is not an e-mail address.") % {"email": email})
    if errors:
        raise ValidationError(errors)
    users = lookup(emails)
    missing = [email for email in emails if email not in users]
    if missing:
        raise ValidationError(
            [gettext("No active member has the e-mail address %(email)s.") % {"email": email} for email in missing]
        )
    return [users[email] for email in emails]


class InvitePersonForm(forms.Form):
    email = forms.EmailField(
        label=_("Invite a person by e-mail address"),
        error_messages={"required": _("Enter the person's e-mail address.")},
    )

    def __init__(self, *args, lookup, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup

    def clean_email(self):
        return _resolve_people(self.cleaned_data["email"], self.lookup)[0]


class AuthorityPickForm(forms.Form):
    """Choose a country, then one of its authorities (the list follows the country; works without JS)."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    authority = forms.TypedChoiceField(
        label=_("Authority"), coerce=int, empty_value=None, error_messages={"required": _("Choose an authority.")}
    )

    def __init__(self, *args, countries=(), authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + country_choices(countries)
        self.fields["authority"].choices = [("", "—")] + [(a.pk, a.localized_name()) for a in authorities]


class ConsultationForm(forms.Form):
    """A private consultation: its name, handling mark, and who is invited (authorities and/or people)."""

    name = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Give the space a name.")},
        help_text=_("Seen by everyone invited. Avoid names of suspects or case numbers."),
    )
    description = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    default_tlp = forms.ChoiceField(
        label=_("Handling mark of new threads"), widget=forms.RadioSelect, choices=tlp_choices, initial=TLP.AMBER
    )
    people = forms.CharField(
        label=_("Invite people"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("E-mail addresses of members, separated by commas or new lines."),
    )
    authorities = forms.TypedMultipleChoiceField(
        label=_("Invite authorities"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their current contact points with an account can read "
            "and write, and so will whoever takes over their "
            "seats."
        ),
    )
    shown = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)
    country = forms.ChoiceField(label=_("Show the authorities of a country"), required=False)

    def __init__(self, *args, countries=(), authorities=(), lookup=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = country_choices(countries)
        self.fields["country"].choices = [("", "—")] + codes
        self.fields["shown"].choices = codes
        self.fields["authorities"].choices = [(a.pk, a.localized_name()) for a in authorities]
        self.lookup = lookup
        self.user = user

    def clean_people(self):
        users = _resolve_people(self.cleaned_data["people"], self.lookup)
        return [user for user in users if user.pk != getattr(self.user, "pk", None)]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("people") and not data.get("authorities"):
            raise ValidationError(_("Invite at least one authority or one person."))
        return data
