"""Forms of the preferences page: the default e-mail mode, and overrides per space and per thread."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.notifications.models import EmailMode


class DefaultPreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mail for everything else"), choices=EmailMode.choices, widget=forms.RadioSelect
    )


class SpacePreferenceForm(forms.Form):
    space = forms.ChoiceField(label=_("Space"))
    email_mode = forms.ChoiceField(label=_("E-mail"), choices=EmailMode.choices)

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.spaces = {str(space.pk): space for space in spaces}
        self.fields["space"].choices = [(str(space.pk), space.localized_name()) for space in spaces]

    def clean_space(self):
        return self.spaces[self.cleaned_data["space"]]


class ThreadPreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(label=_("E-mail for this thread"), choices=EmailMode.choices)
