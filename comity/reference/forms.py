"""The country filter: a GET form that works without JavaScript."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.reference import regions
from comity.reference.models import Network


class CountryFilterForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("A UN M49 region, sub-region or intermediate region."),
        error_messages={"invalid_choice": _("“%(value)s” is not a UN M49 region or sub-region code.")},
    )
    network = forms.ChoiceField(
        label=_("Network"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a network in Comity.")},
    )

    def __init__(self, *args, networks: list[Network], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *regions.grouped_choices()]
        named = sorted(((n.slug, network_label(n)) for n in networks), key=lambda c: regions.collation_key(c[1]))
        self.fields["network"].choices = [("", _("All networks")), *named]


def network_label(network: Network) -> str:
    name = network.localized_name()
    if network.acronym and network.acronym not in name:
        return f"{name} ({network.acronym})"
    return name
