"""The planner form: searchable pickers of authorities and members that work without JavaScript (a search
narrows the options on the server and keeps what was already chosen), a duration, a number of days, a day."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from comity.planner import selectors


class PlannerForm(forms.Form):
    authority_search = forms.CharField(label=_("Search authorities"), required=False, max_length=100)
    authorities = forms.MultipleChoiceField(
        label=_("Authorities"),
        required=False,
        help_text=_("Hold Ctrl (Cmd on a Mac) or Shift to choose several."),
    )
    user_search = forms.CharField(label=_("Search people"), required=False, max_length=100)
    users = forms.MultipleChoiceField(label=_("People"), required=False)
    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        help_text=_("15 to 480; empty: 60."),
        initial=selectors.DEFAULT_DURATION,
        min_value=selectors.MIN_DURATION,
        max_value=selectors.MAX_DURATION,
    )
    days = forms.IntegerField(
        label=_("Number of days"),
        required=False,
        initial=selectors.DEFAULT_DAYS,
        min_value=1,
        max_value=31,
        help_text=_("1 to 31; empty: 7."),
    )
    start = forms.DateField(
        label=_("First day"),
        required=False,
        help_text=_("YYYY-MM-DD; empty: from now."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.plan_request: selectors.PlanRequest | None = None
        data = self.data
        chosen_authorities = [v for v in data.getlist("authorities") if v.isdigit()] if self.is_bound else []
        chosen_users = [v for v in data.getlist("users") if v.isdigit()] if self.is_bound else []
        self.fields["authorities"].choices = [
            (str(pk), label)
            for pk, label in selectors.authority_choices(
                user=user, q=data.get("authority_search", ""), selected=[int(v) for v in chosen_authorities]
            )
        ]
        self.fields["users"].choices = [
            (str(pk), label)
            for pk, label in selectors.user_choices(
                user=user, q=data.get("user_search", ""), selected=[int(v) for v in chosen_users]
            )
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = {
            "authorities": cleaned.get("authorities") or [],
            "users": cleaned.get("users") or [],
            "duration": cleaned.get("duration"),
            "days": cleaned.get("days"),
            "start": cleaned.get("start").isoformat() if cleaned.get("start") else "",
        }
        try:
            self.plan_request = selectors.parse_request(user=self.user, data=data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned
