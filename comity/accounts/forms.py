"""Account forms: parsing and field validation only; rules live in services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from comity.accounts.models import ApiToken, Role
from comity.core.i18n import language_name, timezone_choices
from comity.reference.models import Country, Network

ISO639_1 = [
    "ar",
    "zh",
    "en",
    "fr",
    "ru",
    "es",
    "pt",
    "de",
    "it",
    "nl",
    "ja",
    "ko",
    "id",
    "ms",
    "tr",
    "fa",
    "hi",
    "bn",
    "ur",
    "sw",
    "ha",
    "am",
    "pl",
    "uk",
    "ro",
    "el",
    "hu",
    "cs",
    "sv",
    "da",
    "fi",
    "no",
    "he",
    "th",
    "vi",
    "tl",
    "km",
    "lo",
    "my",
    "ne",
    "si",
    "ta",
    "kk",
    "ky",
    "uz",
    "tg",
    "tk",
    "az",
    "ka",
    "hy",
    "mn",
    "so",
    "rw",
    "mg",
    "sr",
    "hr",
    "bs",
    "sq",
    "mk",
    "bg",
    "sk",
    "sl",
    "lt",
    "lv",
    "et",
    "is",
    "ga",
    "mt",
]


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput, max_length=256)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Authentication code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "one-time-code"}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ReauthForm(forms.Form):
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput, max_length=256)
    code = forms.CharField(
        label=_("Authentication code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("At least 12 characters. A long passphrase is easiest to remember."),
    )
    password2 = forms.CharField(label=_("Repeat the new password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match."))
        elif first and self.user is not None:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class PasswordChangeForm(SetPasswordForm):
    """The member's own password change: the current password and a code, then the new one twice."""

    current_password = forms.CharField(
        label=_("Current password"), strip=False, widget=forms.PasswordInput, max_length=256
    )
    code = forms.CharField(
        label=_("Authentication code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "one-time-code"})
    )
    field_order = ["current_password", "code", "password1", "password2"]


class AcceptInvitationForm(SetPasswordForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    field_order = ["full_name", "password1", "password2"]


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.none(), to_field_name="iso2")
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    coordinated_countries = forms.ModelMultipleChoiceField(
        label=_("Coordinated countries"),
        queryset=Country.objects.none(),
        required=False,
        to_field_name="iso2",
        help_text=_("For national coordinators; defaults to the country above."),
    )
    liaison_networks = forms.ModelMultipleChoiceField(
        label=_("Networks"),
        queryset=Network.objects.all(),
        required=False,
        to_field_name="slug",
        help_text=_("For network liaisons."),
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Country.objects.all()
        if actor is not None and not actor.is_secretariat:
            countries = countries.filter(iso2__in=actor.coordinated_country_codes())
            self.fields["role"].choices = [(Role.MEMBER, Role.MEMBER.label), (Role.OBSERVER, Role.OBSERVER.label)]
            del self.fields["coordinated_countries"]
            del self.fields["liaison_networks"]
        else:
            self.fields["coordinated_countries"].queryset = Country.objects.all()
        self.fields["country"].queryset = countries
        self.fields["country"].label_from_instance = lambda c: c.name
        if "coordinated_countries" in self.fields:
            self.fields["coordinated_countries"].label_from_instance = lambda c: c.name


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    coordinated_countries = forms.ModelMultipleChoiceField(
        label=_("Coordinated countries"), queryset=Country.objects.all(), required=False, to_field_name="iso2"
    )
    liaison_networks = forms.ModelMultipleChoiceField(
        label=_("Networks"), queryset=Network.objects.all(), required=False, to_field_name="slug"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinated_countries"].label_from_instance = lambda c: c.name


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=())
    languages_spoken = forms.MultipleChoiceField(label=_("Languages you speak"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("timezone") or (self.data.get("timezone") if self.is_bound else None)
        self.fields["timezone"].choices = timezone_choices(current)
        self.fields["languages_spoken"].choices = sorted(
            ((code, language_name(code)) for code in ISO639_1), key=lambda item: item[1]
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=366, initial=settings.API_TOKEN_DEFAULT_DAYS
    )


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    country = forms.CharField(label=_("Country code"), required=False, max_length=2)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Any"))] + list(Role.choices), required=False)
