"""Forms of the joint-team pages. Choices are built from what the user may pick (selectors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.teams.models import ActionItem, Evaluation


class DateInput(forms.DateInput):
    input_type = "date"


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    agreement_reference = forms.CharField(label=_("Agreement reference"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput)
    ends_on = forms.DateField(label=_("End date"), widget=DateInput)
    leader_search = forms.CharField(label=_("Search people"), required=False, max_length=100)
    leaders = forms.MultipleChoiceField(
        label=_("Leaders, one per country"),
        help_text=_("Include yourself as the leader for your country. Hold Ctrl (Cmd on a Mac) to choose several."),
    )
    authorities = forms.MultipleChoiceField(label=_("Authorities taking part"), required=False)

    def __init__(self, *args, leader_choices, authority_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].choices = leader_choices
        self.fields["authorities"].choices = authority_choices


class MemberAddForm(forms.Form):
    user = forms.ChoiceField(label=_("Member of your country"))

    def __init__(self, *args, choices, **kwargs):
        kwargs.setdefault("auto_id", "member_%s")
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—"), *choices]


class ExtensionForm(forms.Form):
    new_end = forms.DateField(label=_("New end date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "extend_%s")
        super().__init__(*args, **kwargs)


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    assignee = forms.ChoiceField(label=_("Assignee"))
    due_on = forms.DateField(label=_("Due date"), widget=DateInput, help_text=_("In the assignee's time zone."))

    def __init__(self, *args, choices, **kwargs):
        kwargs.setdefault("auto_id", "item_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—"), *choices]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "doc_%s")
        super().__init__(*args, **kwargs)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class EvaluationForm(forms.Form):
    objectives_met = forms.TypedChoiceField(
        label=_("Objectives met"), choices=Evaluation.Rating.choices, coerce=int, widget=forms.RadioSelect
    )
    cooperation = forms.TypedChoiceField(
        label=_("Cooperation between the parties"),
        choices=Evaluation.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    platform = forms.TypedChoiceField(
        label=_("Usefulness of the workspace"), choices=Evaluation.Rating.choices, coerce=int, widget=forms.RadioSelect
    )
    lessons = forms.CharField(label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    would_repeat = forms.BooleanField(label=_("We would set up a joint team again"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "eval_%s")
        super().__init__(*args, **kwargs)


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Agreement text"), widget=forms.Textarea(attrs={"rows": 24}), max_length=20000)


class TemplateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    body = forms.CharField(
        label=_("Template text"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_(
            "Placeholders: {name}, {purpose}, {parties}, {authorities}, {reference}, {start}, {end}, {leaders}."
        ),
    )

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages
