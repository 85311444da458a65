"""Forms of the import, export and dashboard pages. They parse what the browser sends; nothing more."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.directory.forms import AuthorityFilterForm
from comity.directory.importexport.csv_import import Mode, max_bytes
from comity.reference import selectors as reference_selectors


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, comma- or semicolon-separated, header line first."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size).1f MB); the limit is %(limit).1f MB. Split it, or ask the "
                    "secretariat to run the import command."
                ),
                code="too_large",
                params={"size": upload.size / (1024 * 1024), "limit": limit / (1024 * 1024)},
            )
        return upload


class ImportApplyForm(forms.Form):
    """The second step: the token of the stored upload, and which way to apply it."""

    token = forms.RegexField(regex=re.compile(r"^[0-9a-f]{32}$"), widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(Mode.APPLY, _("Apply")), (Mode.APPLY_VALID, _("Apply the valid rows only"))])


def export_filter_form(data=None) -> AuthorityFilterForm:
    """The browse page's filter form, so that an export honours exactly the same filters."""
    countries = reference_selectors.sorted_by_name(reference_selectors.country_list())
    return AuthorityFilterForm(data, countries=countries, networks=reference_selectors.networks_shared())


class DashboardFilterForm(forms.Form):
    country = forms.RegexField(
        label=_("Overdue records of one country"),
        required=False,
        regex=re.compile(r"^[A-Za-z]{2}$"),
        max_length=2,
        help_text=_("Two letters, for example BR."),
        error_messages={"invalid": _("Enter a two-letter ISO country code, such as BR.")},
    )

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()
