"""Forms of the meetings pages. They parse the browser's input into the services' payloads; the services validate
again and a ValidationError they raise is shown next to the field it names.

Start and end are typed as wall-clock times in the event's own time zone (the `timezone` field) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comity.core.i18n import UI_LANGUAGES, iso639_1_choices, language_name
from comity.core.timeutil import all_timezones, get_zone, is_valid_timezone
from comity.meetings import permissions
from comity.meetings.models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Audience,
    EventKind,
    FundingStatus,
    RegistrationField,
)
from comity.reference.models import Country, Network

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _languages():
    return [(code, language_name(code)) for code in UI_LANGUAGES]


def _aware(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """A wall-clock time in the zone, made aware; a time that does not exist (DST gap) is moved by the fold rule."""
    if value is None:
        return None
    naive = value.replace(tzinfo=None)
    return naive.replace(tzinfo=get_zone(zone_name)).astimezone(dt.UTC)


def parse_id_list(raw: str) -> list[int] | None:
    """ "5,7" -> [5, 7]; None when anything is not a positive whole number."""
    raw = (raw or "").strip()
    if not raw:
        return []
    out = []
    for part in raw.split(","):
        part = part.strip()
        if not part.isdigit() or len(part) > 12 or int(part) == 0:
            return None
        out.append(int(part))
    return out[:200]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title_original = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description_original = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    language = forms.ChoiceField(label=_("Language of the title and description"), choices=())
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    venue = forms.CharField(label=_("Venue"), required=False, max_length=300)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    timezone = forms.ChoiceField(label=_("Time zone of the event"), choices=())
    start = forms.DateTimeField(
        label=_("Start (in the event's time zone)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    end = forms.DateTimeField(
        label=_("End (in the event's time zone)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    region_m49 = forms.CharField(label=_("UN M49 region code (optional)"), required=False, max_length=3)
    network = forms.ModelChoiceField(label=_("Organising network"), required=False, queryset=Network.objects.none())
    space = forms.ModelChoiceField(label=_("Organising space"), required=False, queryset=None)
    audience = forms.ChoiceField(label=_("Who may see it"), choices=Audience.choices, initial=Audience.MEMBERS)
    audience_spaces = forms.ModelMultipleChoiceField(label=_("Spaces"), required=False, queryset=None)
    audience_networks = forms.ModelMultipleChoiceField(
        label=_("Networks"), required=False, queryset=Network.objects.all()
    )
    audience_countries = forms.ModelMultipleChoiceField(
        label=_("Countries"), required=False, queryset=Country.objects.all()
    )
    capacity = forms.IntegerField(
        label=_("Capacity (empty for no limit)"), required=False, min_value=1, max_value=100000
    )
    requires_approval = forms.BooleanField(label=_("Registrations need my approval"), required=False)
    registration_fields = forms.MultipleChoiceField(
        label=_("Ask on the registration form"),
        required=False,
        choices=RegistrationField.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    invite_users = forms.CharField(required=False, widget=forms.HiddenInput)
    invite_authorities = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from comity.forum import permissions as forum_permissions

        self.fields["language"].choices = _languages()
        self.fields["languages"].choices = _languages()
        self.fields["timezone"].choices = [(zone, zone) for zone in all_timezones()]
        self.fields["network"].queryset = permissions.organisable_networks(user)
        self.fields["space"].queryset = permissions.organisable_spaces(user)
        self.fields["audience_spaces"].queryset = forum_permissions.spaces_visible_to(user)
        for code in UI_LANGUAGES:
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": language_name(code)},
                required=False,
                max_length=TITLE_MAX,
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )
        for code in UI_LANGUAGES:
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": language_name(code)},
                required=False,
                max_length=DESCRIPTION_MAX,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code, "dir": "auto"}),
            )

    def clean_invite_users(self):
        ids = parse_id_list(self.cleaned_data.get("invite_users", ""))
        if ids is None:
            raise forms.ValidationError(_("A list of people is numbers separated by commas."))
        return ids

    def clean_invite_authorities(self):
        ids = parse_id_list(self.cleaned_data.get("invite_authorities", ""))
        if ids is None:
            raise forms.ValidationError(_("A list of authorities is numbers separated by commas."))
        return ids

    def payload(self) -> dict:
        data = self.cleaned_data
        zone = data["timezone"]
        return {
            "kind": data["kind"],
            "title_original": data["title_original"],
            "titles": {code: data.get(f"title_{code}", "") for code in UI_LANGUAGES},
            "description_original": data["description_original"],
            "descriptions": {code: data.get(f"description_{code}", "") for code in UI_LANGUAGES},
            "language": data["language"],
            "languages": data["languages"],
            "venue": data["venue"],
            "online_url": data["online_url"],
            "timezone": zone,
            "start": _aware(data["start"], zone),
            "end": _aware(data["end"], zone),
            "region_m49": data["region_m49"],
            "network": data["network"],
            "space": data["space"],
            "audience": data["audience"],
            "audience_spaces": list(data["audience_spaces"]),
            "audience_networks": list(data["audience_networks"]),
            "audience_countries": list(data["audience_countries"]),
            "capacity": data["capacity"],
            "requires_approval": data["requires_approval"],
            "registration_fields": data["registration_fields"],
        }


def initial_from_query(query) -> tuple[dict, dict[str, str]]:
    """The planner's GET parameters as the form's initial values, and an error per rejected parameter."""
    initial: dict = {}
    errors: dict[str, str] = {}
    kind = query.get("kind")
    if kind:
        if kind in EventKind.values:
            initial["kind"] = kind
        else:
            errors["kind"] = str(_("Unknown kind of event."))
    zone = query.get("timezone") or "UTC"
    if not is_valid_timezone(zone):
        errors["timezone"] = str(_("Unknown time zone."))
        zone = "UTC"
    initial["timezone"] = zone
    for key in ("start", "end"):
        raw = query.get(key)
        if not raw:
            continue
        try:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            errors[key] = str(_("Not a date and time in ISO 8601."))
            continue
        if timezone.is_naive(moment):
            errors[key] = str(_("Give the time with its UTC offset (for example 2026-12-07T13:00:00Z)."))
            continue
        initial[key] = moment.astimezone(get_zone(zone)).replace(tzinfo=None)
    for key in ("users", "authorities"):
        ids = parse_id_list(query.get(key, ""))
        if ids is None:
            errors[key] = str(_("A list of numbers separated by commas."))
        else:
            initial[f"invite_{key}"] = ",".join(str(i) for i in ids)
    return initial, errors


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateTimeField(
        label=_("Start (in the event's time zone)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    end = forms.DateTimeField(
        label=_("End (in the event's time zone)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    room = forms.CharField(label=_("Room"), required=False, max_length=120)
    speakers = forms.CharField(label=_("Speakers"), required=False, max_length=400)
    documents = forms.CharField(
        label=_("Documents (one link per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None)
    due_date = forms.DateField(label=_("Due date (in the assignee's time zone)"), widget=DATE_WIDGET)

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    recordings = forms.CharField(
        label=_("Recordings or their links (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RegistrationForm(forms.Form):
    """Only the fields the organiser chose are shown."""

    role = forms.CharField(label=_("Your role"), required=False, max_length=120)
    authority = forms.ModelChoiceField(label=_("Your authority"), required=False, queryset=None)
    languages = forms.MultipleChoiceField(label=_("Languages you speak"), required=False, choices=())
    dietary = forms.CharField(label=_("Dietary needs"), required=False, max_length=300)
    accessibility = forms.CharField(label=_("Accessibility needs"), required=False, max_length=300)
    visa_letter = forms.BooleanField(label=_("I need a visa letter"), required=False)

    def __init__(self, *args, event, user, **kwargs):
        super().__init__(*args, **kwargs)
        from comity.directory import permissions as directory_permissions

        self.fields["authority"].queryset = directory_permissions.authorities_visible_to(user).filter(
            country_id=user.country_id
        )
        self.fields["languages"].choices = iso639_1_choices()
        for name in list(self.fields):
            if name not in event.registration_fields:
                del self.fields[name]


class BudgetForm(forms.Form):
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, min_length=3)
    amount = forms.DecimalField(label=_("Budget"), min_value=0, max_digits=12, decimal_places=2)
    daily_allowance = forms.DecimalField(label=_("Daily allowance"), min_value=0, max_digits=10, decimal_places=2)


class EligibilityForm(forms.Form):
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.filter(is_ldc=False))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class FundingRequestForm(forms.Form):
    travel_amount = forms.DecimalField(label=_("Travel cost"), min_value=0, max_digits=10, decimal_places=2)
    allowance_days = forms.IntegerField(label=_("Days of daily allowance"), min_value=0, max_value=60)
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4}))


class FundingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (FundingStatus.APPROVED, _("Approve")),
            (FundingStatus.PARTLY, _("Partly approve")),
            (FundingStatus.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Amount (for a partial approval)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason (required unless approved in full)"), required=False, max_length=2000)
