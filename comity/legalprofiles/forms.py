"""The editing forms of a profile, the rules of a type of cooperation and a measure fiche, and the compare form.

They parse what the browser sends into the services' payloads; the services validate again (the API sends the
same payloads), and a ValidationError they raise is shown next to the field it names. National laws are a fixed
number of rows (the current laws plus blank ones): no JavaScript is needed to add one, and a row whose title is
emptied is removed.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comity.core.i18n import UI_LANGUAGES, iso639_1_choices, language_name
from comity.directory.models import Channel
from comity.legalprofiles import services
from comity.legalprofiles.choices import CooperationType, LegalTradition, Measure
from comity.legalprofiles.models import (
    Answer,
    Availability,
    CooperationRules,
    CountryProfile,
    MeasureFiche,
    Rule,
    TreatylessBasis,
)

BLANK_LAW_ROWS = 2
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label, *, rows: int = 4, max_length: int = services.MAX_TEXT, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _effective_from():
    return forms.DateField(
        label=_("In effect from"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "The date from which the new text applies (for example when a new law enters into force). "
            "Empty means today."
        ),
    )


class ProvenanceMixin(forms.Form):
    """Where the facts come from, whether they were checked, and in which language the text is written."""

    source = forms.CharField(label=_("Source"), required=False, max_length=services.MAX_LINE)
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_WIDGET)
    verified = forms.BooleanField(
        label=_("Verified"),
        required=False,
        help_text=_("Tick only when every fact on this page was checked against its source."),
    )
    text_language = forms.ChoiceField(label=_("Language of the text"), choices=())
    effective_from = _effective_from()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_language"].choices = iso639_1_choices()

    def common_data(self) -> dict:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "as_of": data["as_of"],
            "verified": data["verified"],
            "text_language": data["text_language"],
        }

    @staticmethod
    def common_initial(record) -> dict:
        return {
            "source": record.source,
            "as_of": record.as_of,
            "verified": record.verified,
            "text_language": record.text_language,
            "effective_from": timezone.localdate(),
        }


class ProfileForm(ProvenanceMixin):
    legal_tradition = forms.ChoiceField(
        label=_("Legal tradition"), required=False, choices=[("", "—"), *LegalTradition.choices]
    )
    summary = _text(_("Summary"), rows=6)

    field_order = ["legal_tradition", "summary"]

    @classmethod
    def initial_for(cls, profile: CountryProfile | None) -> dict:
        if profile is None:
            return {"text_language": "en", "effective_from": timezone.localdate()}
        return {"legal_tradition": profile.legal_tradition, "summary": profile.summary, **cls.common_initial(profile)}

    def service_data(self) -> dict:
        return {
            "legal_tradition": self.cleaned_data["legal_tradition"],
            "summary": self.cleaned_data["summary"],
            **self.common_data(),
        }


class LawForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    url = forms.URLField(label=_("Link"), required=False, max_length=services.MAX_LINE, assume_scheme="https")
    types = forms.MultipleChoiceField(
        label=_("Types of cooperation"),
        required=False,
        choices=CooperationType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the law applies to every type."),
    )
    text = _text(_("Text or extract"), rows=3)

    def clean(self):
        data = super().clean()
        if not data.get("title") and (data.get("date") or data.get("url") or data.get("text")):
            self.add_error("title", _("Give the title of the law, or empty the whole row to remove it."))
        return data


LawFormSet = forms.formset_factory(LawForm, extra=0, max_num=services.MAX_LAWS, validate_max=True)


def law_formset(data, profile: CountryProfile | None) -> forms.BaseFormSet:
    laws = list(profile.laws) if profile is not None else []
    initial = [
        {
            "title": law.get("title", ""),
            "date": dt.date.fromisoformat(law["date"]) if law.get("date") else None,
            "url": law.get("url", ""),
            "text": law.get("text", ""),
            "types": law.get("types", []),
        }
        for law in laws
    ]
    initial += [{} for _ in range(BLANK_LAW_ROWS)]
    return LawFormSet(data, initial=initial, prefix="laws")


def laws_data(formset) -> list[dict]:
    return [
        {
            "title": form.cleaned_data["title"],
            "date": form.cleaned_data["date"].isoformat() if form.cleaned_data.get("date") else "",
            "url": form.cleaned_data["url"],
            "text": form.cleaned_data["text"],
            "types": form.cleaned_data["types"],
        }
        for form in formset.forms
        if form.cleaned_data.get("title")
    ]


def _select(label, catalogue):
    return forms.ChoiceField(label=label, choices=catalogue.choices)


class RulesForm(forms.Form):
    treatyless_basis = _select(_("Basis for cooperating without a treaty"), TreatylessBasis)
    treatyless_notes = _text(_("Cooperation without a treaty: details"))
    dual_criminality = _select(_("Dual criminality"), Rule)
    dual_criminality_notes = _text(_("Dual criminality: details"), rows=3)
    extradites_nationals = _select(_("Extradition of nationals"), Answer)
    political_offence_exception = _select(_("Political offence exception"), Answer)
    fiscal_offence_exception = _select(_("Fiscal offence exception"), Answer)
    death_penalty_assurance = _select(_("Assurance against the death penalty"), Rule)
    life_sentence_assurance = _select(_("Assurance on life sentences"), Rule)
    evidentiary_standard = _text(_("Evidentiary standard"), rows=3)
    certification = _select(_("Certification"), Rule)
    apostille = _select(_("Apostille or legalisation"), Rule)
    originals = _select(_("Original documents"), Rule)
    formalities_notes = _text(_("Formalities: details"), rows=3)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    urgent_procedure = _text(_("Urgent procedure"), rows=3)
    typical_time = forms.CharField(
        label=_("Typical time to execute"),
        required=False,
        max_length=200,
        help_text=_("For example: two to four months."),
    )
    practical_tips = _text(_("Practical tips"))
    effective_from = _effective_from()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in UI_LANGUAGES:
            self.fields[f"treatyless_notes_{code}"] = forms.CharField(
                label=_("In %(language)s") % {"language": language_name(code)},
                required=False,
                max_length=services.MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            )

    def translation_fields(self) -> list:
        return [self[f"treatyless_notes_{code}"] for code in UI_LANGUAGES]

    def main_fields(self) -> list:
        return [field for field in self.visible_fields() if not field.name.startswith("treatyless_notes_")]

    @classmethod
    def initial_for(cls, rules: CooperationRules | None) -> dict:
        initial: dict = {"effective_from": timezone.localdate()}
        if rules is None:
            return {**initial, **{name: "unknown" for name in services.RULE_CHOICES}}
        for name in services.RULE_FIELDS:
            if name != "treatyless_notes_i18n":
                initial[name] = getattr(rules, name)
        for code, text in rules.treatyless_notes_i18n.items():
            initial[f"treatyless_notes_{code}"] = text
        return initial

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in services.RULE_FIELDS if name in self.cleaned_data}
        data["treatyless_notes_i18n"] = {
            code: self.cleaned_data[f"treatyless_notes_{code}"]
            for code in UI_LANGUAGES
            if self.cleaned_data.get(f"treatyless_notes_{code}", "").strip()
        }
        return data


class AuthorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized_name()


class FicheForm(ProvenanceMixin):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    legal_conditions = _text(_("Legal conditions"))
    competent_authority = AuthorityChoiceField(
        label=_("Competent authority"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("From the directory: the country's active authorities."),
    )
    contents = forms.CharField(
        label=_("What the request must contain"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line."),
        max_length=services.MAX_CONTENTS * (services.MAX_LINE + 1),
    )
    time_limits = _text(_("Time limits"), rows=3)
    remarks = _text(_("Remarks"), rows=3)

    field_order = ["availability", "legal_conditions", "competent_authority", "contents", "time_limits", "remarks"]

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competent_authority"].queryset = authorities

    @classmethod
    def initial_for(cls, fiche: MeasureFiche | None) -> dict:
        if fiche is None:
            return {"availability": "unknown", "text_language": "en", "effective_from": timezone.localdate()}
        return {
            "availability": fiche.availability,
            "legal_conditions": fiche.legal_conditions,
            "competent_authority": fiche.competent_authority_id,
            "contents": "\n".join(fiche.contents),
            "time_limits": fiche.time_limits,
            "remarks": fiche.remarks,
            **cls.common_initial(fiche),
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "availability": data["availability"],
            "legal_conditions": data["legal_conditions"],
            "competent_authority": data["competent_authority"],
            "contents": [line.strip() for line in data["contents"].splitlines() if line.strip()],
            "time_limits": data["time_limits"],
            "remarks": data["remarks"],
            **self.common_data(),
        }


class CompareForm(forms.Form):
    """Two countries and either one measure or one type of cooperation."""

    a = forms.ChoiceField(label=_("First country"), choices=())
    b = forms.ChoiceField(label=_("Second country"), choices=())
    measure = forms.ChoiceField(label=_("Measure"), required=False, choices=[("", "—"), *Measure.choices])
    type = forms.ChoiceField(
        label=_("Type of cooperation"), required=False, choices=[("", "—"), *CooperationType.choices]
    )

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(country.iso2, country.name) for country in countries]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean_a(self):
        return self.cleaned_data["a"].upper()

    def clean_b(self):
        return self.cleaned_data["b"].upper()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("measure") and not data.get("type"):
            self.add_error("measure", _("Choose a measure or a type of cooperation."))
        if data.get("measure") and data.get("type"):
            self.add_error("type", _("Choose a measure or a type of cooperation, not both."))
        return data

    def full_clean(self):
        if self.is_bound:  # country codes in any letter case
            data = self.data.copy()
            for key in ("a", "b"):
                if isinstance(data.get(key), str):
                    data[key] = data[key].upper()
            self.data = data
        super().full_clean()
