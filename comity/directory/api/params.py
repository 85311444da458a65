"""Query parameters of the directory API: parsed and checked here, so a bad value answers 400 naming it.

Nothing is silently ignored: an unknown country, competence, network, region or language, a malformed boolean,
or a date and time without a UTC offset is an error with a message that says how to write it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from comity.core.i18n import UI_LANGUAGES, is_language_code
from comity.directory import selectors
from comity.directory.models import Competence
from comity.reference import regions
from comity.reference import selectors as reference_selectors
from comity.reference.models import Country

ISO2 = re.compile(r"^[A-Za-z]{2}$")
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{2,8})?$")
EARLIEST_AT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST_AT = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)
# A date, a time, then " HH:MM": a "+HH:MM" offset whose "+" the query string decoded as a space.
_SPACE_FOR_PLUS = re.compile(r"^(\d{4}-?\d{2}-?\d{2}[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?) (\d{2}(?::?\d{2})?)$")


def _check_iso2(value: str) -> str:
    code = (value or "").strip()
    if not ISO2.match(code):
        raise serializers.ValidationError(_("Use an ISO 3166-1 alpha-2 country code such as BR."))
    return code.upper()


def _unknown_country(code: str) -> serializers.ValidationError:
    return serializers.ValidationError(_("Unknown country code %(code)s.") % {"code": code})


def parse_country_code(value: str) -> str:
    """A known ISO 3166-1 alpha-2 code, upper case; raises a serializer error otherwise."""
    code = _check_iso2(value)
    if not reference_selectors.country_list().filter(iso2=code).exists():
        raise _unknown_country(code)
    return code


def lookup_country(value: str) -> Country:
    code = _check_iso2(value)
    country = reference_selectors.country_list().prefetch_related(None).filter(iso2=code).first()
    if country is None:
        raise _unknown_country(code)
    return country


def lookup_state(value: str) -> Country:
    """A country that is a State: areas that are not States neither request nor are requested cooperation."""
    country = lookup_country(value)
    if not country.is_state:
        raise serializers.ValidationError(_("%(country)s is not a State: choose a State.") % {"country": country.name})
    return country


def parse_at(value: str) -> dt.datetime:
    """An ISO 8601 datetime with a UTC offset (or Z). A '+' that arrived as a space in the query is accepted."""
    text = (value or "").strip()
    text = _SPACE_FOR_PLUS.sub(r"\1+\2", text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise serializers.ValidationError(
            _(
                "“%(value)s” is not an ISO 8601 date and time; write it like 2026-03-09T10:00:00+01:00 or "
                "2026-03-09T09:00:00Z."
            )
            % {"value": value}
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise serializers.ValidationError(
            _("“%(value)s” has no UTC offset; add one, e.g. 2026-03-09T10:00:00+01:00 or 2026-03-09T09:00:00Z.")
            % {"value": value}
        )
    if not EARLIEST_AT <= moment < LATEST_AT:
        raise serializers.ValidationError(_("The date must be between 1970 and 2100."))
    return moment


def parse_language(value: str) -> str:
    text = (value or "").strip()
    match = LANGUAGE_TAG.match(text)
    if text.lower() in UI_LANGUAGES:
        return text.lower()
    if not match or not is_language_code(match.group(1).lower()):
        raise serializers.ValidationError(
            _("Unknown language %(code)s; use an ISO 639-1 code such as fr or pt.") % {"code": text}
        )
    return text


class AuthorityFilterSerializer(serializers.Serializer):
    """Query parameters of the authority list. Unknown values are rejected, not silently ignored."""

    country = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("ISO 3166-1 alpha-2 code, e.g. BR.")
    )
    competence = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Competence code: %(codes)s.") % {"codes": ", ".join(Competence.values)},
    )
    language = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Language accepted, ISO 639-1 code, e.g. fr.")
    )
    network = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("Network slug, e.g. iberred.")
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("UN M49 region, sub-region or intermediate region code, e.g. 019."),
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=gettext_lazy("Free text over the names in all languages and the country's English name."),
    )
    always_available = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "true: 24/7 authorities and authorities with a 24/7 contact; false: authorities not 24/7 themselves."
        ),
    )

    def validate_country(self, value: str) -> str:
        return parse_country_code(value) if value else ""

    def validate_competence(self, value: str) -> str:
        if value and value not in Competence.values:
            raise serializers.ValidationError(
                _("Unknown competence %(code)s. Allowed: %(allowed)s.")
                % {"code": value, "allowed": ", ".join(Competence.values)}
            )
        return value

    def validate_language(self, value: str) -> str:
        if value and not is_language_code(value):
            raise serializers.ValidationError(
                _("Unknown language %(code)s; use an ISO 639-1 code such as fr or pt.") % {"code": value}
            )
        return value

    def validate_network(self, value: str) -> str:
        if value and value not in reference_selectors.network_slugs():
            raise serializers.ValidationError(_("“%(value)s” is not a network in Comity.") % {"value": value})
        return value

    def validate_region(self, value: str) -> str:
        if value and value not in regions.known_codes():
            raise serializers.ValidationError(
                _("“%(value)s” is not a UN M49 region or sub-region code.") % {"value": value}
            )
        return value


class ContactFilterSerializer(serializers.Serializer):
    """Query parameters of the contact list."""

    authority = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy("Authority id."))
    country = serializers.CharField(
        required=False, allow_blank=True, help_text=gettext_lazy("ISO 3166-1 alpha-2 code, e.g. BR.")
    )
    always_available = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Only 24/7 contacts (true) or only the others (false)."),
    )
    current = serializers.BooleanField(
        required=False,
        default=True,
        help_text=gettext_lazy("true (default): people holding a seat now; false: former holders only."),
    )

    def validate_country(self, value: str) -> str:
        return parse_country_code(value) if value else ""


class AvailabilityQuerySerializer(serializers.Serializer):
    at = serializers.CharField(
        required=False,
        help_text=gettext_lazy(
            "ISO 8601 date and time with a UTC offset or Z, e.g. 2026-03-09T10:00:00+01:00 (encode + as %2B); "
            "default now."
        ),
    )
    lang = serializers.CharField(
        required=False,
        help_text=gettext_lazy(
            "Language of the holiday name (ISO 639-1, e.g. pt); default the Accept-Language header."
        ),
    )

    def validate_at(self, value: str) -> dt.datetime:
        return parse_at(value)

    def validate_lang(self, value: str) -> str:
        return parse_language(value)


class FinderQuerySerializer(AvailabilityQuerySerializer):
    """`from` is a Python keyword, so the field is added in get_fields()."""

    to = serializers.CharField(help_text=gettext_lazy("The requested state, ISO 3166-1 alpha-2 code."))
    type = serializers.ChoiceField(
        choices=sorted(selectors.COOPERATION_TYPES), help_text=gettext_lazy("Type of cooperation.")
    )
    urgent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Put 24/7 options first (authorities, then the contacts within each)."),
    )

    def get_fields(self):
        fields = super().get_fields()
        ordered = {
            "from": serializers.CharField(help_text=gettext_lazy("The requesting state, ISO 3166-1 alpha-2 code."))
        }
        ordered.update(fields)
        return ordered

    def validate_from(self, value: str) -> Country:
        return lookup_state(value)

    def validate_to(self, value: str) -> Country:
        return lookup_state(value)

    def validate(self, attrs: dict) -> dict:
        if attrs["from"].pk == attrs["to"].pk:
            raise serializers.ValidationError({"to": [_("The requested state must differ from the requesting state.")]})
        return attrs
