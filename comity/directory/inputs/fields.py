"""Field types of the directory's input serializers: how one value of a payload is read, checked and cleaned.

Each type subclasses the DRF field of the same JSON shape, so the API schema documents it (type, format,
maxLength, enum), and overrides `to_internal_value` where the directory's own messages differ from DRF's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core import validators
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from comity.core.i18n import UI_LANGUAGES, is_language_code
from comity.directory.availability import validate_office_hours, validate_timezone
from comity.directory.models import CONTACT_RESTRICTABLE_FIELDS, Closure, Competence, Instrument, Visibility


def model_max_length(model: type[models.Model], name: str) -> int:
    """The database's limit for a text column, which the input fields enforce."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return field.max_length


DATE_MESSAGE = gettext_lazy("Dates must be written YYYY-MM-DD.")
REASON_MAX_LENGTH = model_max_length(Closure, "reason")


class MaxLength(validators.MaxLengthValidator):
    """A length limit with the directory's message; the API schema shows it as maxLength."""

    message = gettext_lazy("At most %(max)s characters.")

    def __call__(self, value) -> None:
        if len(value) > self.limit_value:
            raise DjangoValidationError(self.message, code=self.code, params={"max": self.limit_value})


def too_long(limit: int) -> str:
    """The message of `MaxLength`, for a text inside a list or a mapping."""
    return str(MaxLength.message) % {"max": limit}


def parse_day(value) -> dt.date:
    """A date, or text written YYYY-MM-DD; raises ValueError or TypeError otherwise."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class InputField(serializers.Field):
    """How every directory field reads its value (a base placed before the DRF field class of the JSON shape).

    Left out: skipped, except that a required field of a whole record is judged as if sent empty, so that its
    own message says what is missing (a partial write leaves it out). None: the field's `empty_value` (a
    factory), or the field's "null" message when it has none.
    """

    empty_value: Callable[[], Any] | None = None

    def run_validation(self, data=empty):
        if data is empty:
            if not self.required or getattr(self.root, "partial", False):
                raise SkipField
            data = None
        if data is None:
            if self.empty_value is None:
                self.fail("null")
            else:
                data = self.empty_value()
        value = self.to_internal_value(data)
        self.run_validators(value)
        return value


class Text(InputField, serializers.CharField):
    """Text as typed, without the spaces around it; refused when longer than `max_length`."""

    empty_value = str
    default_error_messages = {"invalid": gettext_lazy("Must be text.")}

    def __init__(self, *, max_length: int | None = None, required_message=None, required: bool | None = None, **kwargs):
        if required_message is not None:
            kwargs["error_messages"] = {"blank": required_message}
        super().__init__(
            required=required_message is not None if required is None else required,
            allow_blank=required_message is None,
            **kwargs,
        )
        if max_length is not None:
            self.validators.append(MaxLength(max_length))

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        if not text and not self.allow_blank:
            self.fail("blank")
        return text

    def run_validators(self, value) -> None:
        if value:  # an empty text is judged by `required_message` alone
            super().run_validators(value)


class UpperCode(Text):
    """A code such as a country's ISO 3166-1 alpha-2, upper-cased; the serializer checks that it exists."""

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).upper()


class Email(Text):
    """An e-mail address, kept in lower case."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validators.EmailValidator(message=gettext_lazy("Enter a valid e-mail address.")))

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).lower()


class Website(Text):
    """A web address starting with https:// (or http://)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(
            validators.URLValidator(
                schemes=["https", "http"], message=gettext_lazy("Enter a valid web address starting with https://.")
            )
        )


class TimeZone(Text):
    """An IANA time zone name such as Europe/Paris."""

    def to_internal_value(self, data) -> str:
        name = super().to_internal_value(data)
        if name:
            try:
                validate_timezone(name)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return name


class Flag(InputField, serializers.BooleanField):
    """true or false and nothing else: a CSV cell or a checkbox is turned into one of them before."""

    default_error_messages = {
        "invalid": gettext_lazy("Must be true or false."),
        "null": gettext_lazy("Must be true or false."),
    }

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Day(InputField, serializers.DateField):
    """A date written YYYY-MM-DD; an empty one is left out (the record keeps or takes its default)."""

    empty_value = str

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data) -> dt.date:
        if not data:
            raise SkipField
        try:
            return parse_day(data)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(str(DATE_MESSAGE)) from exc


class CodeList(InputField, serializers.ListField):
    """Codes from a fixed list (`choices`), kept sorted and without repeats."""

    empty_value = list

    def __init__(self, *, choices=None, **kwargs):
        child = serializers.CharField() if choices is None else serializers.ChoiceField(choices=choices)
        super().__init__(child=child, required=False, **kwargs)
        self.allowed = [value for value, _label in choices or ()]

    def to_internal_value(self, data) -> list[str]:
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            raise serializers.ValidationError(_("Must be a list of codes."))
        unknown = [code for code in data if not self.known(code)]
        if unknown:
            raise serializers.ValidationError(self.unknown_message(unknown))
        return sorted(set(data))

    def known(self, code: str) -> bool:
        return code in self.allowed

    def unknown_message(self, codes: list[str]) -> str:
        return _("Unknown code(s): %(codes)s. Allowed: %(allowed)s.") % {
            "codes": ", ".join(codes),
            "allowed": ", ".join(sorted(self.allowed)),
        }


class LanguageCodes(CodeList):
    """ISO 639-1 language codes such as pt or fr."""

    def known(self, code: str) -> bool:
        return is_language_code(code)

    def unknown_message(self, codes: list[str]) -> str:
        return _("Unknown language code(s): %(codes)s. Use ISO 639-1 codes such as en, fr, pt.") % {
            "codes": ", ".join(codes)
        }


class Names(InputField, serializers.DictField):
    """The name in other UI languages: language code -> name; empty names are dropped."""

    empty_value = dict

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(child=serializers.CharField(max_length=max_length), required=False, **kwargs)
        self.limit = max_length

    def to_internal_value(self, data) -> dict[str, str]:
        data = data or {}
        if not isinstance(data, dict) or not all(isinstance(name, str) for name in data.values()):
            raise serializers.ValidationError(_("Names must map a language code to a name."))
        errors = []
        unknown = [str(code) for code in data if code not in UI_LANGUAGES]
        if unknown:
            errors.append(_("Unknown language(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        names = {code: name.strip() for code, name in data.items() if name.strip()}
        if any(len(name) > self.limit for name in names.values()):
            errors.append(too_long(self.limit))
        if errors:
            raise serializers.ValidationError(errors)
        return names


class VisibilityMap(InputField, serializers.DictField):
    """Who may see each restricted field of a contact: field name -> visibility level."""

    empty_value = dict

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=Visibility.choices), required=False, **kwargs)

    def to_internal_value(self, data) -> dict[str, str]:
        data = data or {}
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Visibility must map a field to a level."))
        unknown = [key for key in data if key not in CONTACT_RESTRICTABLE_FIELDS]
        unknown += [level for level in data.values() if level not in Visibility.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown field or level: %(items)s. Levels: %(levels)s.")
                % {"items": ", ".join(map(str, unknown)), "levels": ", ".join(Visibility.values)}
            )
        return dict(data)


# --- lists of objects ----------------------------------------------------------------------------------------------
# The shapes below document the objects of each list in the API schema; the list fields check them with the
# directory's messages, all of a list's errors under the list's name.


class CompetenceShape(serializers.Serializer):
    code = serializers.ChoiceField(choices=Competence.choices)
    instrument = serializers.ChoiceField(choices=Instrument.choices, required=False, allow_blank=True)
    scope_notes = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        ref_name = "CompetenceWrite"


class OfficeHoursShape(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text=gettext_lazy("0 = Monday ... 6 = Sunday."))
    opens = serializers.CharField(help_text=gettext_lazy("Local wall-clock time HH:MM."))
    closes = serializers.CharField(help_text=gettext_lazy("Local wall-clock time HH:MM; 24:00 for midnight."))

    class Meta:
        ref_name = "OfficeHours"


class ClosureShape(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text=gettext_lazy("Inclusive, in the authority's local dates."))
    reason = serializers.CharField(allow_blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        ref_name = "Closure"


class Competences(InputField, serializers.ListField):
    """At least one competence, each once: a code, or {"code", "instrument", "scope_notes"}."""

    empty_value = list

    def __init__(self, **kwargs):
        super().__init__(child=CompetenceShape(), required=True, **kwargs)

    def to_internal_value(self, data) -> list[dict]:
        data = data or []
        if not isinstance(data, list):
            raise serializers.ValidationError(_("Competences must be a list."))
        errors: list[str] = []
        rows: list[dict] = []
        for item in data:
            row = {"code": item} if isinstance(item, str) else item
            problem = self._problem(row, {done["code"] for done in rows})
            if problem:
                errors.append(problem)
                continue
            rows.append(
                {
                    "code": row["code"],
                    "instrument": row.get("instrument") or "",
                    "scope_notes": str(row.get("scope_notes") or ""),
                }
            )
        if not rows and not errors:
            errors.append(_("An authority needs at least one competence."))
        if errors:
            raise serializers.ValidationError(errors)
        return rows

    @staticmethod
    def _problem(row, seen: set[str]) -> str:
        if not isinstance(row, dict) or row.get("code") not in Competence.values:
            return _("Unknown competence %(code)s. Allowed: %(allowed)s.") % {
                "code": row.get("code") if isinstance(row, dict) else row,
                "allowed": ", ".join(Competence.values),
            }
        instrument = row.get("instrument") or ""
        if instrument and instrument not in Instrument.values:
            return _("Unknown instrument %(code)s.") % {"code": instrument}
        if row["code"] in seen:
            return _("Competence %(code)s is listed twice.") % {"code": row["code"]}
        return ""


class OfficeHours(InputField, serializers.ListField):
    """Weekly intervals in local time; they may not overlap, and a shift past midnight is two intervals."""

    default_error_messages = {"null": gettext_lazy("Office hours must be a list of intervals.")}

    def __init__(self, **kwargs):
        super().__init__(child=OfficeHoursShape(), required=False, **kwargs)

    def to_internal_value(self, data):
        try:
            return validate_office_hours(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class Closures(InputField, serializers.ListField):
    """Periods when the authority is closed, inclusive, each with an optional reason."""

    empty_value = list

    def __init__(self, **kwargs):
        super().__init__(child=ClosureShape(), required=False, **kwargs)

    def to_internal_value(self, data) -> list[dict]:
        data = data or []
        if not isinstance(data, list):
            raise serializers.ValidationError(_("Closures must be a list."))
        errors: list[str] = []
        rows: list[dict] = []
        for row in data:
            if not isinstance(row, dict):
                errors.append(_("Each closure needs start_date, end_date and a reason."))
                continue
            start, end = self._day(row.get("start_date"), errors), self._day(row.get("end_date"), errors)
            reason = str(row.get("reason") or "")
            if start and end and end < start:
                errors.append(_("A closure cannot end before it starts."))
            elif len(reason) > REASON_MAX_LENGTH:
                errors.append(too_long(REASON_MAX_LENGTH))
            elif start and end:
                rows.append({"start_date": start, "end_date": end, "reason": reason})
        if errors:
            raise serializers.ValidationError(errors)
        return rows

    @staticmethod
    def _day(value, errors: list[str]) -> dt.date | None:
        try:
            return parse_day(value)
        except (TypeError, ValueError):
            errors.append(str(DATE_MESSAGE))
            return None
