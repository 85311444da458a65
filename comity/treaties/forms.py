"""Forms of the treaty pages. They only shape the input: the services check it (and name the field at fault)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.core.i18n import language_name
from comity.directory.forms.widgets import CachedSelect
from comity.legalprofiles.choices import CooperationType
from comity.reference import regions
from comity.reference.forms import CountryFilterForm
from comity.reference.models import Country
from comity.treaties.importing import Mode
from comity.treaties.models import ConsentKind, Instrument, Kind, Party

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def country_choices(*, states_only: bool = False) -> list[tuple[str, str]]:
    """(ISO code, name in the active language), in the order of the names; one query. `states_only` leaves out
    the areas that are not States (they cannot request or be requested cooperation)."""
    countries = Country.objects.only("iso2", "name_en")
    if states_only:
        countries = countries.filter(is_state=True)
    rows = [(c.iso2, f"{c.name} ({c.iso2})") for c in countries]
    return sorted(rows, key=lambda row: regions.collation_key(row[1]))


class BasisForm(forms.Form):
    """From, to, type and date of the legal-basis finder (checked by `queries.parse_basis_query`)."""

    type = forms.ChoiceField(label=gettext_lazy("Type of cooperation"), choices=CooperationType.choices)
    on = forms.CharField(
        label=gettext_lazy("On"),
        required=False,
        help_text=gettext_lazy("A date written YYYY-MM-DD; empty for today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *countries]
        self.fields = {
            # About 250 options each: rendered once per language (CachedSelect), not through a template per option.
            "from": forms.ChoiceField(
                label=_("Requesting state"),
                choices=choices,
                help_text=_("The state sending the request."),
                widget=CachedSelect,
            ),
            "to": forms.ChoiceField(
                label=_("Requested state"),
                choices=choices,
                help_text=_("The state asked to cooperate."),
                widget=CachedSelect,
            ),
            **self.fields,
        }


class StatusFilterForm(CountryFilterForm):
    """Region and network filters of the status table (the reference app's own form and messages)."""


class InstrumentForm(forms.Form):
    slug = forms.SlugField(label=gettext_lazy("Slug"), max_length=80, help_text=gettext_lazy("e.g. br-id-mla-2026"))
    title = forms.CharField(label=gettext_lazy("Title (English)"), max_length=400)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    state_a = forms.ChoiceField(label=gettext_lazy("First state (bilateral treaties)"), required=False)
    state_b = forms.ChoiceField(label=gettext_lazy("Second state (bilateral treaties)"), required=False)
    adopted_on = forms.DateField(label=gettext_lazy("Adopted or opened for signature on"), required=False)
    in_force_on = forms.DateField(label=gettext_lazy("Entered into force on"), required=False)
    text_url = forms.URLField(
        label=gettext_lazy("Address of the full text"), required=False, max_length=500, assume_scheme="https"
    )
    text = forms.CharField(label=gettext_lazy("Text or summary"), required=False, widget=forms.Textarea)
    source = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=500)
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False)

    def __init__(self, *args, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("state_a", "state_b"):
            self.fields[name].choices = [("", "—"), *countries]
        for code in LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": language_name(code)}, required=False, max_length=400
            )
        for code, label in CooperationType.choices:
            self.fields[f"covers_{code}"] = forms.CharField(
                label=_("%(type)s: articles to cite") % {"type": label},
                required=False,
                max_length=200,
                help_text=_(
                    "Leave empty if the instrument does not cover this; write “-” if it does but no article is known."
                ),
            )

    @staticmethod
    def initial_for(instrument: Instrument) -> dict:
        initial = {
            field: getattr(instrument, field)
            for field in ("slug", "title", "kind", "adopted_on", "in_force_on", "text_url", "text", "source", "as_of")
        }
        states = sorted(c.iso2 for c in instrument.states.all())
        if len(states) == 2:
            initial["state_a"], initial["state_b"] = states
        for code, title in instrument.titles.items():
            initial[f"title_{code}"] = title
        for coverage in instrument.coverages.all():
            initial[f"covers_{coverage.coop_type}"] = coverage.articles or "-"
        return initial

    def to_data(self) -> dict:
        data = self.cleaned_data
        out = {
            field: data[field]
            for field in ("slug", "title", "kind", "adopted_on", "in_force_on", "text_url", "text", "source", "as_of")
        }
        out["titles"] = {code: data[f"title_{code}"] for code in LANGUAGES if data.get(f"title_{code}")}
        out["states"] = [code for code in (data["state_a"], data["state_b"]) if code]
        out["covers"] = []
        for code in CooperationType.values:
            articles = (data.get(f"covers_{code}") or "").strip()
            if articles:
                out["covers"].append({"type": code, "articles": "" if articles == "-" else articles})
        return out


DECLARATION_HELP = gettext_lazy(
    "One declaration or reservation per line: types | excludes (yes or no) | articles | text. "
    "Types are codes separated by commas, e.g. extradition | yes | 16(5) | The state does not take the "
    "Convention as the legal basis for extradition."
)


class PartyForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("State"))
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), required=False)
    consent_kind = forms.ChoiceField(
        label=gettext_lazy("Consent by"), required=False, choices=[("", "—"), *ConsentKind.choices]
    )
    consent_on = forms.DateField(label=gettext_lazy("Consent to be bound on"), required=False)
    in_force_on = forms.DateField(label=gettext_lazy("In force for this state on"), required=False)
    withdrawn_on = forms.DateField(label=gettext_lazy("Withdrawal effective on"), required=False)
    source = forms.CharField(label=gettext_lazy("Source"), required=False, max_length=500)
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False)
    declarations = forms.CharField(
        label=gettext_lazy("Declarations and reservations"),
        required=False,
        widget=forms.Textarea,
        help_text=DECLARATION_HELP,
    )

    def __init__(self, *args, countries: list[tuple[str, str]], fixed_country: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]
        if fixed_country:
            del self.fields["country"]

    @staticmethod
    def initial_for(party: Party) -> dict:
        initial = {
            field: getattr(party, field)
            for field in ("signed_on", "consent_kind", "consent_on", "in_force_on", "withdrawn_on", "source", "as_of")
        }
        initial["declarations"] = "\n".join(
            " | ".join([",".join(d.types), "yes" if d.excludes else "no", d.articles, d.text])
            for d in party.declarations.all()
        )
        return initial

    def clean_declarations(self) -> list[dict]:
        rows = []
        for number, line in enumerate((self.cleaned_data.get("declarations") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|", 3)]
            if len(parts) != 4:
                raise forms.ValidationError(
                    _("Line %(line)s: write types | excludes | articles | text.") % {"line": number}
                )
            types, excludes, articles, text = parts
            if excludes.lower() not in ("yes", "no", "true", "false", ""):
                raise forms.ValidationError(_("Line %(line)s: excludes is yes or no.") % {"line": number})
            rows.append(
                {
                    "types": [code.strip() for code in types.split(",") if code.strip()],
                    "excludes": excludes.lower() in ("yes", "true"),
                    "articles": articles,
                    "text": text,
                }
            )
        return rows

    def to_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("country", None)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Status table (CSV, UTF-8)"), required=False)
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[
            (Mode.DRY_RUN, gettext_lazy("Check only (dry run)")),
            (Mode.APPLY, gettext_lazy("Apply if every row is valid")),
            (Mode.APPLY_VALID, gettext_lazy("Apply the valid rows only")),
        ],
        initial=Mode.DRY_RUN,
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label=gettext_lazy("Source"), max_length=500, help_text=gettext_lazy("The address of the status page.")
    )
    as_of = forms.DateField(label=gettext_lazy("As of"), help_text=gettext_lazy("The date the table was read."))

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            raw = upload.read(services_max_bytes() + 1)
            if len(raw) > services_max_bytes():
                self.add_error("file", _("The file is larger than 1 MB."))
                return cleaned
            try:
                cleaned["content"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        elif not cleaned.get("content"):
            self.add_error("file", _("Choose a file."))
        return cleaned


def services_max_bytes() -> int:
    return 1024 * 1024


__all__ = ["BasisForm", "ImportForm", "InstrumentForm", "PartyForm", "StatusFilterForm", "country_choices"]
