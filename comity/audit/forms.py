"""The audit log's filter form (a plain GET form, so it works without JavaScript)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.audit.models import AuditAction

_ALPHA2 = re.compile(r"^[A-Z]{2}$")
# Far enough apart for any real query, and clear of datetime's limits in every time zone.
EARLIEST_DAY = dt.date(1970, 1, 1)
LATEST_DAY = dt.date(9998, 12, 31)


class AuditFilterForm(forms.Form):
    """Filters for the audit log. Dates are whole days in the viewer's time zone (`zone`); after
    validation `cleaned_data` also holds `since` (inclusive) and `until` (exclusive) as aware datetimes."""

    actor = forms.CharField(label=_("Actor e-mail contains"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any"))] + list(AuditAction.choices))
    country = forms.CharField(
        label=_("Country code"), required=False, max_length=2, help_text=_("Two letters, for example BR.")
    )
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip()

    def clean_country(self) -> str:
        code = self.cleaned_data["country"].strip().upper()
        if code and not _ALPHA2.match(code):
            raise forms.ValidationError(_("Enter a two-letter ISO country code, such as BR."), code="invalid")
        return code

    def _clean_day(self, field: str) -> dt.date | None:
        day = self.cleaned_data[field]
        if day is not None and not (EARLIEST_DAY <= day <= LATEST_DAY):
            raise forms.ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
            )
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._clean_day("date_to")

    def _day_start(self, day: dt.date) -> dt.datetime:
        # combine() with a ZoneInfo picks the right offset on DST days, including zones where the
        # clocks jump at midnight (the day then starts at the first instant that exists).
        return dt.datetime.combine(day, dt.time.min, tzinfo=self.zone).astimezone(dt.UTC)

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
            return data
        data["since"] = self._day_start(date_from) if date_from else None
        data["until"] = self._day_start(date_to + dt.timedelta(days=1)) if date_to else None
        return data

    def filters(self) -> dict:
        """The validated filters, JSON-ready, as recorded in the audit event of an export."""
        data = self.cleaned_data
        return {
            "actor": data["actor"],
            "action": data["action"],
            "country": data["country"],
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            "time_zone": self.zone.key,
        }
