"""Every write to legal profiles: checked, validated, versioned with a snapshot and an effective date, and audited,
all in one transaction. The secretariat edits every country, a national coordinator the countries they coordinate.

A payload is partial: only the keys present change. An unknown key, a value outside its catalogue, a malformed
date or address, raise a ValidationError naming the field, and nothing is written. An edit by a person makes the
record theirs: it is no longer demo content, and it counts as confirmed today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES, is_language_code
from comity.core.search import fold
from comity.directory.models import Authority, Channel
from comity.legalprofiles import permissions
from comity.legalprofiles.choices import CooperationType, LegalTradition, Measure
from comity.legalprofiles.models import (
    Answer,
    Availability,
    CooperationRules,
    CountryProfile,
    MeasureFiche,
    ProfileVersion,
    Rule,
    TreatylessBasis,
)
from comity.reference.models import Country

MAX_LAWS = 40
MAX_CONTENTS = 40
MAX_TEXT = 20_000
MAX_LINE = 500
EARLIEST = dt.date(1800, 1, 1)

COMMON_FIELDS = ("source", "as_of", "verified", "text_language")
PROFILE_FIELDS = ("legal_tradition", "summary", "laws", *COMMON_FIELDS)
RULE_CHOICES: dict[str, type] = {
    "treatyless_basis": TreatylessBasis,
    "dual_criminality": Rule,
    "extradites_nationals": Answer,
    "political_offence_exception": Answer,
    "fiscal_offence_exception": Answer,
    "death_penalty_assurance": Rule,
    "life_sentence_assurance": Rule,
    "certification": Rule,
    "apostille": Rule,
    "originals": Rule,
}
RULE_TEXTS = (
    "treatyless_notes",
    "dual_criminality_notes",
    "evidentiary_standard",
    "formalities_notes",
    "urgent_procedure",
    "practical_tips",
)
RULE_FIELDS = (*RULE_CHOICES, *RULE_TEXTS, "typical_time", "channels", "treatyless_notes_i18n")
FICHE_FIELDS = (
    "availability",
    "legal_conditions",
    "competent_authority",
    "contents",
    "time_limits",
    "remarks",
    *COMMON_FIELDS,
)


# --- validation ------------------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _unknown_keys(data: dict, allowed: tuple[str, ...], errors: _Errors) -> None:
    for key in data:
        if key not in allowed:
            errors.add(key, _("Unknown field."))


def _text(value, name: str, errors: _Errors, *, max_length: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.add(name, _("Enter text."))
        return ""
    value = value.replace("\x00", "").strip()
    if len(value) > max_length:
        errors.add(name, _("At most %(max)d characters.") % {"max": max_length})
    return value


def _choice(value, catalogue, name: str, errors: _Errors, *, blank: bool = False) -> str:
    if blank and value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in catalogue.values:
        errors.add(
            name,
            _("Unknown value %(value)s; use one of: %(codes)s.")
            % {"value": repr(value), "codes": ", ".join(catalogue.values)},
        )
        return ""
    return value


def _date(value, name: str, errors: _Errors, *, allow_empty: bool = True) -> dt.date | None:
    if value in (None, "") and allow_empty:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.add(name, _("Enter a date as YYYY-MM-DD."))
            return None
    if not isinstance(value, dt.date):
        errors.add(name, _("Enter a date as YYYY-MM-DD."))
        return None
    if value < EARLIEST or value.year > 2200:
        errors.add(name, _("Enter a date between 1800 and 2200."))
        return None
    return value


def _bool(value, name: str, errors: _Errors) -> bool:
    if not isinstance(value, bool):
        errors.add(name, _("Enter true or false."))
        return False
    return value


def _url(value, name: str, errors: _Errors) -> str:
    text = _text(value, name, errors, max_length=MAX_LINE)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            errors.add(name, _("Enter a full web address starting with https:// or http://."))
    return text


def _common(data: dict, cleaned: dict, errors: _Errors) -> None:
    if "source" in data:
        cleaned["source"] = _text(data["source"], "source", errors, max_length=MAX_LINE)
    if "as_of" in data:
        cleaned["as_of"] = _date(data["as_of"], "as_of", errors)
    if "verified" in data:
        cleaned["verified"] = _bool(data["verified"], "verified", errors)
    if "text_language" in data:
        code = data["text_language"]
        if not isinstance(code, str) or not is_language_code(code.strip().lower()):
            errors.add("text_language", _("Use an ISO 639-1 language code such as en."))
        else:
            cleaned["text_language"] = code.strip().lower()


def _laws(value, errors: _Errors) -> list[dict]:
    if not isinstance(value, list):
        errors.add("laws", _("Send a list of laws."))
        return []
    if len(value) > MAX_LAWS:
        errors.add("laws", _("At most %(max)d laws.") % {"max": MAX_LAWS})
        return []
    out = []
    for index, law in enumerate(value):
        prefix = f"laws.{index}"
        if not isinstance(law, dict):
            errors.add(prefix, _("Each law is an object with a title."))
            continue
        for key in law:
            if key not in ("title", "date", "url", "text", "types"):
                errors.add(f"{prefix}.{key}", _("Unknown field."))
        title = _text(law.get("title"), f"{prefix}.title", errors, max_length=300)
        if not title:
            errors.add(f"{prefix}.title", _("Give the title of the law."))
        day = _date(law.get("date"), f"{prefix}.date", errors)
        types = law.get("types") or []
        if not isinstance(types, list) or any(code not in CooperationType.values for code in types):
            errors.add(
                f"{prefix}.types",
                _("Use types of cooperation among: %(codes)s.") % {"codes": ", ".join(CooperationType.values)},
            )
            types = []
        out.append(
            {
                "title": title,
                "date": day.isoformat() if day else "",
                "url": _url(law.get("url"), f"{prefix}.url", errors),
                "text": _text(law.get("text"), f"{prefix}.text", errors),
                "types": [code for code in CooperationType.values if code in types],
            }
        )
    return out


def clean_profile_data(data: dict[str, Any]) -> dict[str, Any]:
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object of fields."))
    _unknown_keys(data, PROFILE_FIELDS, errors)
    cleaned: dict[str, Any] = {}
    if "legal_tradition" in data:
        cleaned["legal_tradition"] = _choice(
            data["legal_tradition"], LegalTradition, "legal_tradition", errors, blank=True
        )
    if "summary" in data:
        cleaned["summary"] = _text(data["summary"], "summary", errors)
    if "laws" in data:
        cleaned["laws"] = _laws(data["laws"], errors)
    _common(data, cleaned, errors)
    errors.raise_if_any()
    return cleaned


def clean_rules_data(data: dict[str, Any]) -> dict[str, Any]:
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object of fields."))
    _unknown_keys(data, RULE_FIELDS, errors)
    cleaned: dict[str, Any] = {}
    for name, catalogue in RULE_CHOICES.items():
        if name in data:
            cleaned[name] = _choice(data[name], catalogue, name, errors)
    for name in RULE_TEXTS:
        if name in data:
            cleaned[name] = _text(data[name], name, errors)
    if "typical_time" in data:
        cleaned["typical_time"] = _text(data["typical_time"], "typical_time", errors, max_length=200)
    if "channels" in data:
        channels = data["channels"]
        if not isinstance(channels, list) or any(code not in Channel.values for code in channels):
            errors.add("channels", _("Use channels among: %(codes)s.") % {"codes": ", ".join(Channel.values)})
        else:
            cleaned["channels"] = [code for code in Channel.values if code in channels]
    if "treatyless_notes_i18n" in data:
        value = data["treatyless_notes_i18n"]
        if not isinstance(value, dict) or any(code not in UI_LANGUAGES for code in value):
            errors.add(
                "treatyless_notes_i18n",
                _("Send an object from language code (%(codes)s) to text.") % {"codes": ", ".join(UI_LANGUAGES)},
            )
        else:
            texts = {code: _text(text, f"treatyless_notes_i18n.{code}", errors) for code, text in value.items()}
            cleaned["treatyless_notes_i18n"] = {code: text for code, text in sorted(texts.items()) if text}
    errors.raise_if_any()
    return cleaned


def clean_fiche_data(data: dict[str, Any], *, country: Country) -> dict[str, Any]:
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object of fields."))
    _unknown_keys(data, FICHE_FIELDS, errors)
    cleaned: dict[str, Any] = {}
    if "availability" in data:
        cleaned["availability"] = _choice(data["availability"], Availability, "availability", errors)
    for name in ("legal_conditions", "time_limits", "remarks"):
        if name in data:
            cleaned[name] = _text(data[name], name, errors)
    if "contents" in data:
        items = data["contents"]
        if not isinstance(items, list) or any(not isinstance(item, str) for item in items):
            errors.add("contents", _("Send a list of short texts."))
        elif len(items) > MAX_CONTENTS:
            errors.add("contents", _("At most %(max)d items.") % {"max": MAX_CONTENTS})
        else:
            texts = [item.replace("\x00", "").strip() for item in items]
            if any(len(text) > MAX_LINE for text in texts):
                errors.add("contents", _("Each item has at most %(max)d characters.") % {"max": MAX_LINE})
            cleaned["contents"] = [text for text in texts if text]
    if "competent_authority" in data:
        value = data["competent_authority"]
        if value in (None, ""):
            cleaned["competent_authority"] = None
        else:
            authority = None
            if isinstance(value, Authority):
                authority = value
            elif isinstance(value, int | str) and str(value).isdigit():
                authority = Authority.objects.filter(pk=int(value)).first()
            if authority is None or authority.country_id != country.pk or not authority.is_active:
                errors.add(
                    "competent_authority",
                    _("Choose an active authority of %(country)s from the directory.") % {"country": country.name},
                )
            else:
                cleaned["competent_authority"] = authority
    _common(data, cleaned, errors)
    errors.raise_if_any()
    return cleaned


def clean_effective_from(value) -> dt.date:
    errors = _Errors()
    day = _date(value, "effective_from", errors, allow_empty=True)
    errors.raise_if_any()
    return day or timezone.localdate()


# --- snapshots and versions ------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Authority):
        return value.pk
    return value


def rules_snapshot(rules: CooperationRules) -> dict[str, Any]:
    return {name: _jsonable(getattr(rules, name)) for name in RULE_FIELDS}


def profile_snapshot(profile: CountryProfile) -> dict[str, Any]:
    snap = {name: _jsonable(getattr(profile, name)) for name in PROFILE_FIELDS}
    snap["is_demo"] = profile.is_demo
    snap["rules"] = {rules.coop_type: rules_snapshot(rules) for rules in profile.rules.order_by("coop_type")}
    return snap


def fiche_snapshot(fiche: MeasureFiche) -> dict[str, Any]:
    snap = {name: _jsonable(getattr(fiche, name)) for name in FICHE_FIELDS if name != "competent_authority"}
    snap["competent_authority"] = fiche.competent_authority_id
    snap["is_demo"] = fiche.is_demo
    return snap


def _flatten(snapshot: dict[str, Any]) -> dict[str, Any]:
    flat = {key: value for key, value in snapshot.items() if key != "rules"}
    for coop_type, rules in snapshot.get("rules", {}).items():
        for key, value in rules.items():
            flat[f"{coop_type}.{key}"] = value
    return flat


def diff(before: dict, after: dict) -> dict[str, list]:
    before, after = _flatten(before), _flatten(after)
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _version(
    *, kind: str, country: Country, key: str, record_id: int, action: str, actor, effective_from, snapshot, changes
) -> ProfileVersion:
    return ProfileVersion.objects.create(
        kind=kind,
        country=country,
        key=key,
        record_id=record_id,
        action=action,
        actor=actor if permissions.is_member(actor) else None,
        effective_from=effective_from,
        snapshot=snapshot,
        changes=changes,
    )


# --- search text -----------------------------------------------------------------------------------------------


def profile_search_text(profile: CountryProfile) -> str:
    parts = [profile.country.name_en, profile.summary]
    for law in profile.laws:
        parts += [law.get("title", ""), law.get("text", "")]
    for rules in profile.rules.all():
        parts += [getattr(rules, name) for name in RULE_TEXTS]
        parts.append(rules.typical_time)
        parts += list(rules.treatyless_notes_i18n.values())
    return " ".join(fold(part) for part in parts if part)


def fiche_search_text(fiche: MeasureFiche) -> str:
    from django.utils import translation

    with translation.override("en"):
        label = str(Measure(fiche.measure).label)
    parts = [label, fiche.country.name_en, fiche.legal_conditions, *fiche.contents, fiche.time_limits, fiche.remarks]
    return " ".join(fold(part) for part in parts if part)


# --- profiles and rules ----------------------------------------------------------------------------------------


def _check(actor, country: Country) -> None:
    if not permissions.can_edit_country(actor, country.iso2):
        raise PermissionDenied


def _locked_profile(country: Country) -> tuple[CountryProfile, bool]:
    profile, created = CountryProfile.objects.get_or_create(country=country)
    profile = CountryProfile.objects.select_for_update().select_related("country").get(pk=profile.pk)
    return profile, created


def _mark_edited(record, *, actor, effective_from: dt.date) -> None:
    """An edit by an editor: no longer demo content, in effect from `effective_from`, and counted as a
    confirmation (the freshness cycle and its reminders start again)."""
    now = timezone.now()
    record.is_demo = False
    record.effective_from = effective_from
    record.updated_at = now
    record.updated_by = actor
    record.last_confirmed_at = now
    record.confirmed_by = actor
    record.reminder_level = 0
    record.reminder_sent_at = None


def _save_profile_change(
    *, actor, profile: CountryProfile, before: dict, created: bool, effective_from: dt.date, details: dict
) -> dict:
    after = profile_snapshot(profile)
    changes = diff(before, after)
    if not changes and not created:
        return {}
    _mark_edited(profile, actor=actor, effective_from=effective_from)
    profile.search_text = profile_search_text(profile)
    profile.save()
    snapshot = profile_snapshot(profile)
    changes = diff(before, snapshot)
    _version(
        kind=ProfileVersion.Kind.PROFILE,
        country=profile.country,
        key=details.get("coop_type", ""),
        record_id=profile.pk,
        action="created" if created else "updated",
        actor=actor,
        effective_from=effective_from,
        snapshot=snapshot,
        changes=changes,
    )
    audit_log(
        action=AuditAction.LEGAL_PROFILE_UPDATED,
        actor=actor,
        target=profile,
        country=profile.country.iso2,
        details={**details, "fields": sorted(changes), "effective_from": effective_from.isoformat()},
    )
    return changes


def profile_update(*, actor, country: Country, data: dict[str, Any], effective_from=None) -> dict:
    """Change the profile (created on the first change); returns the changes, empty when nothing changed."""
    _check(actor, country)
    cleaned = clean_profile_data(data)
    day = clean_effective_from(effective_from)
    with transaction.atomic():
        profile, created = _locked_profile(country)
        before = {} if created else profile_snapshot(profile)
        for key, value in cleaned.items():
            setattr(profile, key, value)
        return _save_profile_change(
            actor=actor, profile=profile, before=before, created=created, effective_from=day, details={}
        )


def rules_update(*, actor, country: Country, coop_type: str, data: dict[str, Any], effective_from=None) -> dict:
    """Change the rules of one type of cooperation (the profile and the rules are created on the first change)."""
    _check(actor, country)
    if coop_type not in CooperationType.values:
        raise ValidationError({"coop_type": [_("Unknown type of cooperation.")]})
    cleaned = clean_rules_data(data)
    day = clean_effective_from(effective_from)
    with transaction.atomic():
        profile, created = _locked_profile(country)
        before = {} if created else profile_snapshot(profile)
        rules, _new = CooperationRules.objects.get_or_create(profile=profile, coop_type=coop_type)
        for key, value in cleaned.items():
            setattr(rules, key, value)
        rules.full_clean(exclude=["profile"])
        rules.save()
        return _save_profile_change(
            actor=actor,
            profile=profile,
            before=before,
            created=created,
            effective_from=day,
            details={"coop_type": coop_type},
        )


def profile_confirm(*, actor, country: Country) -> None:
    """'Still correct': resets the freshness clock of the profile (and its rules) without changing them."""
    _check(actor, country)
    profile = CountryProfile.objects.filter(country=country).first()
    if profile is None:
        raise ValidationError({"profile": [_("There is no legal profile to confirm yet.")]})
    with transaction.atomic():
        now = timezone.now()
        CountryProfile.objects.filter(pk=profile.pk).update(
            last_confirmed_at=now, confirmed_by=actor, reminder_level=0, reminder_sent_at=None
        )
        _version(
            kind=ProfileVersion.Kind.PROFILE,
            country=country,
            key="",
            record_id=profile.pk,
            action="confirmed",
            actor=actor,
            effective_from=None,
            snapshot={},
            changes={},
        )
        audit_log(action=AuditAction.LEGAL_PROFILE_CONFIRMED, actor=actor, target=profile, country=country.iso2)


# --- measure fiches ----------------------------------------------------------------------------------------------


def fiche_update(*, actor, country: Country, measure: str, data: dict[str, Any], effective_from=None) -> dict:
    """Change a measure's fiche (created on the first change); returns the changes."""
    _check(actor, country)
    if measure not in Measure.values:
        raise ValidationError({"measure": [_("Unknown measure.")]})
    cleaned = clean_fiche_data(data, country=country)
    day = clean_effective_from(effective_from)
    with transaction.atomic():
        fiche, created = MeasureFiche.objects.get_or_create(country=country, measure=measure)
        fiche = MeasureFiche.objects.select_for_update().select_related("country").get(pk=fiche.pk)
        before = {} if created else fiche_snapshot(fiche)
        for key, value in cleaned.items():
            setattr(fiche, key, value)
        changes = diff(before, fiche_snapshot(fiche))
        if not changes and not created:
            return {}
        _mark_edited(fiche, actor=actor, effective_from=day)
        fiche.search_text = fiche_search_text(fiche)
        fiche.save()
        snapshot = fiche_snapshot(fiche)
        changes = diff(before, snapshot)
        _version(
            kind=ProfileVersion.Kind.FICHE,
            country=country,
            key=measure,
            record_id=fiche.pk,
            action="created" if created else "updated",
            actor=actor,
            effective_from=day,
            snapshot=snapshot,
            changes=changes,
        )
        audit_log(
            action=AuditAction.MEASURE_FICHE_UPDATED,
            actor=actor,
            target=fiche,
            country=country.iso2,
            details={"measure": measure, "fields": sorted(changes), "effective_from": day.isoformat()},
        )
    return changes


def fiche_confirm(*, actor, country: Country, measure: str) -> None:
    _check(actor, country)
    fiche = MeasureFiche.objects.filter(country=country, measure=measure).first()
    if fiche is None:
        raise ValidationError({"measure": [_("There is no fiche for this measure to confirm yet.")]})
    with transaction.atomic():
        now = timezone.now()
        MeasureFiche.objects.filter(pk=fiche.pk).update(
            last_confirmed_at=now, confirmed_by=actor, reminder_level=0, reminder_sent_at=None
        )
        _version(
            kind=ProfileVersion.Kind.FICHE,
            country=country,
            key=measure,
            record_id=fiche.pk,
            action="confirmed",
            actor=actor,
            effective_from=None,
            snapshot={},
            changes={},
        )
        audit_log(
            action=AuditAction.MEASURE_FICHE_CONFIRMED,
            actor=actor,
            target=fiche,
            country=country.iso2,
            details={"measure": measure},
        )


def profile_patch(*, actor, country: Country, data: dict[str, Any], effective_from=None) -> dict:
    """The API's PATCH of a profile: profile fields and `rules` ({type: {field: value}}) in one transaction.

    Everything is validated before anything is written: an error anywhere (named `rules.<type>.<field>` inside the
    rules) leaves the profile and every type's rules as they were."""
    _check(actor, country)
    if not isinstance(data, dict):
        raise ValidationError(_("Send an object of fields."))
    data = dict(data)
    rules = data.pop("rules", None)
    errors = _Errors()
    cleaned_rules: dict[str, dict] = {}
    if rules is not None:
        if not isinstance(rules, dict):
            errors.add("rules", _("Send an object from type of cooperation to its fields."))
        else:
            for coop_type, payload in rules.items():
                if coop_type not in CooperationType.values:
                    errors.add(f"rules.{coop_type}", _("Unknown type of cooperation."))
                    continue
                try:
                    cleaned_rules[coop_type] = clean_rules_data(payload)
                except ValidationError as exc:
                    for key, messages in (
                        exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                    ).items():
                        for message in messages:
                            errors.add(f"rules.{coop_type}.{key}".rstrip("."), message)
    try:
        clean_profile_data(data)
    except ValidationError as exc:
        for key, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
            for message in messages:
                errors.add(key or "non_field_errors", message)
    try:
        clean_effective_from(effective_from)
    except ValidationError as exc:
        errors.add("effective_from", exc.message_dict["effective_from"][0])
    errors.raise_if_any()
    changes: dict = {}
    with transaction.atomic():
        if data or not cleaned_rules:
            changes.update(profile_update(actor=actor, country=country, data=data, effective_from=effective_from))
        for coop_type in cleaned_rules:
            changes.update(
                rules_update(
                    actor=actor,
                    country=country,
                    coop_type=coop_type,
                    data=rules[coop_type],
                    effective_from=effective_from,
                )
            )
    return changes
