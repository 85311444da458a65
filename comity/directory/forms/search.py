"""The search forms: browse filters and the finder, and the country and language choices they offer."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.core.formrender import NormalizedChoices
from comity.core.i18n import iso639_1_choices
from comity.directory.forms.widgets import CachedSelect
from comity.directory.models import Competence
from comity.directory.selectors import COOPERATION_TYPES
from comity.reference import l10n, regions
from comity.reference.models import Country

COOPERATION_LABELS = {
    "mla": _("Mutual legal assistance"),
    "extradition": _("Extradition"),
    "sentenced_transfer": _("Transfer of sentenced persons"),
    "proceedings_transfer": _("Transfer of criminal proceedings"),
    "asset_recovery": _("Asset recovery"),
    "cybercrime": _("Cybercrime (24/7 point of contact)"),
}


def country_choices(countries) -> list[tuple[str, str]]:
    """(ISO code, localized name) for already sorted countries; the names are looked up once per language."""
    return list(_country_choices(l10n.active_language(), tuple((c.iso2, c.name_en) for c in countries)))


@lru_cache(maxsize=32)
def _country_choices(language: str, codes: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((iso2, Country(iso2=iso2, name_en=name_en).name) for iso2, name_en in codes)


def language_choices() -> list[tuple[str, str]]:
    """Every ISO 639-1 language, named and sorted in the viewer's language (cached per language)."""
    return iso639_1_choices()


# --- browse ---------------------------------------------------------------------------------------------


class AuthorityFilterForm(forms.Form):
    """The browse and search filters: a GET form that works without JavaScript."""

    q = forms.CharField(
        label=_("Search names"), required=False, max_length=200, help_text=_("Any part of a name, in any language.")
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not a country in Comity.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not a UN M49 region or sub-region code.")},
    )
    network = forms.ChoiceField(
        label=_("Network"),
        required=False,
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not a network in Comity.")},
    )
    competence = forms.ChoiceField(
        label=_("Competence"),
        required=False,
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not a competence.")},
    )
    language = forms.ChoiceField(
        label=_("Language accepted"),
        required=False,
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not an ISO 639-1 language code.")},
    )
    always_available = forms.BooleanField(label=_("24/7 only"), required=False)

    def __init__(self, *args, countries, networks, **kwargs):
        super().__init__(*args, **kwargs)
        from comity.reference.forms import network_label

        self.fields["country"].choices = NormalizedChoices([("", _("All countries")), *country_choices(countries)])
        self.fields["region"].choices = NormalizedChoices([("", _("All regions")), *regions.grouped_choices()])
        named = sorted(((n.slug, network_label(n)) for n in networks), key=lambda c: regions.collation_key(c[1]))
        self.fields["network"].choices = [("", _("All networks")), *named]
        self.fields["competence"].choices = [("", _("All competences")), *Competence.choices]
        self.fields["language"].choices = NormalizedChoices([("", _("All languages")), *language_choices()])

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"].strip(),
            "country": data["country"],
            "region": data["region"],
            "network": data["network"],
            "competence": data["competence"],
            "language": data["language"],
            "always_available": True if data["always_available"] else None,
        }


# --- the finder ------------------------------------------------------------------------------------------------


class FinderForm(forms.Form):
    requesting = forms.ChoiceField(
        label=_("Requesting state"), help_text=_("The state sending the request."), widget=CachedSelect
    )
    requested = forms.ChoiceField(
        label=_("Requested state"), help_text=_("The state asked for cooperation."), widget=CachedSelect
    )
    type = forms.ChoiceField(
        label=_("Type of cooperation"),
        widget=CachedSelect,
        error_messages={"invalid_choice": _("“%(value)s” is not a type of cooperation.")},
    )
    urgent = forms.BooleanField(label=_("Urgent request"), required=False, help_text=_("Lists 24/7 options first."))

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        choices = NormalizedChoices([("", _("Choose a state")), *country_choices(countries)])
        for name in ("requesting", "requested"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = _("“%(value)s” is not a country in Comity.")
        self.fields["type"].choices = [(key, COOPERATION_LABELS[key]) for key in COOPERATION_TYPES]

    def clean(self):
        data = super().clean()
        if data.get("requesting") and data.get("requesting") == data.get("requested"):
            self.add_error("requested", _("Choose a state other than the requesting state."))
        return data
