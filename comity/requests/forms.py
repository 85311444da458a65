"""Forms of the writer and the follow-up pages: parse input; the services validate and save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.legalprofiles.choices import Measure
from comity.reference.models import Country
from comity.requests import writer
from comity.requests.models import RequestType, Status


class BasicsForm(forms.Form):
    requesting_authority = forms.ModelChoiceField(queryset=None, label=_("Requesting authority (your own)"))
    requested_country = forms.ModelChoiceField(
        queryset=Country.objects.order_by("name_en"), label=_("Requested State"), to_field_name="iso2"
    )
    coop_type = forms.ChoiceField(choices=RequestType.choices, label=_("Type of request"))
    measures = forms.MultipleChoiceField(
        choices=Measure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Measures sought"),
        help_text=_("For mutual legal assistance and asset recovery."),
    )
    urgent = forms.BooleanField(required=False, label=_("Urgent"))
    deadline = forms.DateField(
        required=False, label=_("Execution wanted by"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requesting_authority"].queryset = authorities
        self.fields["requested_country"].label_from_instance = lambda c: c.name


def _text_fields(spec, required_extra=()) -> dict:
    return {
        key: forms.CharField(
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Required before the request can be finalised.") if (required or key in required_extra) else "",
        )
        for key, label, required in spec
    }


class ContentForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields(writer.CONTENT_FIELDS))


class ExtraditionForm(forms.Form):
    def __init__(self, *args, assurances_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_text_fields(writer.EXTRADITION_FIELDS, ("assurances",) if assurances_required else ()))


class AddressingForm(forms.Form):
    requested_authority = forms.ChoiceField(label=_("Addressee"), required=False)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), required=False)
    language = forms.ChoiceField(label=_("Language of the letter"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    our_reference = forms.CharField(label=_("Our reference"), required=False, max_length=100)

    def __init__(self, *args, reqs: writer.Requirements, language_label, channel_label, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["requested_authority"].choices = blank + [
            (str(row["authority"].pk), row["authority"].localized_name()) for row in reqs.authorities
        ]
        self.fields["legal_basis"].choices = (
            blank
            + [
                (
                    b.instrument.slug,
                    f"{b.instrument.localized_title()} ({b.articles})"
                    if b.articles
                    else b.instrument.localized_title(),
                )
                for b in reqs.bases
            ]
            + [(writer.RECIPROCITY, _("Reciprocity"))]
        )
        self.fields["language"].choices = blank + [(code, language_label(code)) for code in reqs.letter_languages]
        self.fields["channel"].choices = blank + [(code, channel_label(code)) for code in reqs.channels]


class ShareForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of a colleague of your authority"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Note (the grounds, for a refusal)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, Status(value).label) for value in targets]


class ReferenceForm(forms.Form):
    reference = forms.CharField(label=_("Your reference"), max_length=100, required=False)


class RegisterFilterForm(forms.Form):
    direction = forms.ChoiceField(
        required=False,
        label=_("Direction"),
        choices=[("", _("Incoming and outgoing")), ("incoming", _("Incoming")), ("outgoing", _("Outgoing"))],
    )
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[("", _("Any"))] + list(Status.choices))
    coop_type = forms.ChoiceField(required=False, label=_("Type"), choices=[("", _("Any"))] + list(RequestType.choices))
    country = forms.CharField(required=False, label=_("Other State (ISO code)"), max_length=2)
    urgent = forms.ChoiceField(
        required=False, label=_("Urgency"), choices=[("", _("Any")), ("1", _("Urgent")), ("0", _("Not urgent"))]
    )
    sent_from = forms.DateField(required=False, label=_("Sent from"), widget=forms.DateInput(attrs={"type": "date"}))
    sent_to = forms.DateField(required=False, label=_("Sent until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_country(self):
        value = (self.cleaned_data.get("country") or "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Enter a two-letter ISO code."))
        return value
