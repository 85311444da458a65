"""Every write to instruments, their coverage, parties and declarations.

The input is what a JSON body, a form or a data file gives (dates as ISO strings or `date`s, lists of dicts). It is
checked in full before anything is written, and every rejected value is named by its field: unknown kind, type,
country or consent kind, malformed dates, and dates that contradict each other (consent before signature, entry
into force before consent, withdrawal before entry into force, a party bound before the instrument itself).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.legalprofiles.choices import CooperationType
from comity.reference.models import Country
from comity.treaties import permissions
from comity.treaties.models import ConsentKind, Coverage, Declaration, Instrument, Kind, Party

INSTRUMENT_FIELDS = (
    "slug",
    "title",
    "titles",
    "kind",
    "covers",
    "states",
    "adopted_on",
    "in_force_on",
    "text_url",
    "text",
    "source",
    "as_of",
)
PARTY_FIELDS = (
    "signed_on",
    "consent_on",
    "consent_kind",
    "in_force_on",
    "withdrawn_on",
    "source",
    "as_of",
    "declarations",
    "verified",
)
PARTY_DATES = ("signed_on", "consent_on", "in_force_on", "withdrawn_on", "as_of")
# Page paths under /legal/instruments/ that an instrument's slug must not take.
RESERVED_SLUGS = frozenset({"new", "status", "overview", "status-csv"})
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
MAX = {"title": 400, "source": 500, "text_url": 500, "articles": 200, "declaration_articles": 100, "slug": 80}


class Errors:
    """Collects messages per field, then raises one ValidationError naming them all."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def __contains__(self, field: str) -> bool:
        return field in self.by_field

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def parse_date(value: Any, field: str, errors: Errors) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        errors.add(field, _("Give a date (YYYY-MM-DD), not a date and time."))
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, _("Not a valid date: use YYYY-MM-DD."))
    return None


def _text(value: Any, field: str, errors: Errors, *, max_length: int | None = None, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Must be text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    if max_length and len(value) > max_length:
        errors.add(field, _("At most %(max)s characters.") % {"max": max_length})
    return value


def known_types() -> set[str]:
    return set(CooperationType.values)


# --- instruments -----------------------------------------------------------------------------------------------


def clean_instrument_data(data: dict, *, instrument: Instrument | None = None) -> dict:
    """The cleaned values of the fields present in `data` (all required ones when creating)."""
    errors = Errors()
    unknown = [key for key in data if key not in INSTRUMENT_FIELDS]
    for key in unknown:
        errors.add(key, _("Unknown field."))
    out: dict[str, Any] = {}
    creating = instrument is None
    if "slug" in data or creating:
        slug = _text(data.get("slug"), "slug", errors, max_length=MAX["slug"], required=True)
        if slug and slugify(slug) != slug:
            errors.add("slug", _("Use lower-case letters, digits and hyphens only."))
        elif slug in RESERVED_SLUGS:
            errors.add("slug", _("This slug is reserved; choose another."))
        elif slug and _slug_taken(slug, instrument):
            errors.add("slug", _("Another instrument already has this slug."))
        out["slug"] = slug
    if "title" in data or creating:
        out["title"] = _text(data.get("title"), "title", errors, max_length=MAX["title"], required=True)
    if "titles" in data:
        titles = data["titles"] if data["titles"] is not None else {}
        if not isinstance(titles, dict):
            errors.add("titles", _("Give an object of language code to title."))
        else:
            cleaned = {}
            for code, title in titles.items():
                if code not in LANGUAGES:
                    errors.add("titles", _("“%(code)s” is not one of the languages of Comity.") % {"code": code})
                elif not isinstance(title, str) or len(title.strip()) > MAX["title"]:
                    errors.add(
                        "titles", _("The title in “%(code)s” must be text of at most 400 characters.") % {"code": code}
                    )
                elif title.strip():
                    cleaned[code] = title.strip()
            out["titles"] = cleaned
    if "kind" in data or creating:
        kind = data.get("kind")
        if kind not in Kind.values:
            errors.add("kind", _("Unknown kind: use one of %(codes)s.") % {"codes": ", ".join(Kind.values)})
        out["kind"] = kind
    if "covers" in data:
        out["covers"] = _clean_covers(data["covers"], errors)
    if "states" in data:
        out["states"] = _clean_states(data["states"], errors)
    for field in ("adopted_on", "in_force_on", "as_of"):
        if field in data:
            out[field] = parse_date(data[field], field, errors)
    if "text_url" in data:
        url = _text(data["text_url"], "text_url", errors, max_length=MAX["text_url"])
        if url:
            try:
                URLValidator(schemes=["https", "http"])(url)
            except ValidationError:
                errors.add("text_url", _("Give a web address starting with https://."))
        out["text_url"] = url
    if "text" in data:
        out["text"] = _text(data["text"], "text", errors)
    if "source" in data:
        out["source"] = _text(data["source"], "source", errors, max_length=MAX["source"])
    # Cross-field rules, on the values the instrument will have.
    kind = out.get("kind", getattr(instrument, "kind", None))
    if kind in Kind.values:
        states = out.get("states")
        if states is None and instrument is not None:
            states = [c.iso2 for c in instrument.states.all()]
        states = states or []
        if "states" not in errors:
            if kind == Kind.BILATERAL and len(states) != 2:
                errors.add("states", _('A bilateral treaty names its two states, e.g. ["BR", "ID"].'))
            if kind != Kind.BILATERAL and states:
                errors.add("states", _("Only a bilateral treaty names its states; add parties instead."))
    adopted = out.get("adopted_on", getattr(instrument, "adopted_on", None))
    in_force = out.get("in_force_on", getattr(instrument, "in_force_on", None))
    if adopted and in_force and in_force < adopted and "in_force_on" not in errors:
        errors.add("in_force_on", _("The instrument cannot enter into force before it was adopted."))
    if instrument is not None and in_force and "in_force_on" in out:
        earliest = instrument.parties.filter(in_force_on__lt=in_force).order_by("in_force_on").first()
        if earliest is not None and earliest.in_force_on is not None:
            errors.add(
                "in_force_on",
                _("A party (%(country)s) is recorded in force on %(date)s, before this date.")
                % {"country": earliest.country.iso2, "date": earliest.in_force_on.isoformat()},
            )
    errors.raise_if_any()
    return out


def _slug_taken(slug: str, instrument: Instrument | None) -> bool:
    others = Instrument.objects.filter(slug=slug)
    if instrument is not None and instrument.pk is not None:
        others = others.exclude(pk=instrument.pk)
    return others.exists()


def _clean_covers(value: Any, errors: Errors) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add("covers", _('Give a list such as [{"type": "mla", "articles": "art. 18"}].'))
        return []
    covers: list[dict] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict) or set(item) - {"type", "articles"}:
            errors.add("covers", _('Each entry is {"type": ..., "articles": ...}.'))
            continue
        code = item.get("type")
        if code not in known_types():
            errors.add(
                "covers",
                _("Unknown type of cooperation “%(code)s”: use one of %(codes)s.")
                % {"code": code, "codes": ", ".join(CooperationType.values)},
            )
            continue
        if code in seen:
            errors.add("covers", _("The type “%(code)s” is listed twice.") % {"code": code})
            continue
        seen.add(code)
        articles = item.get("articles") or ""
        if not isinstance(articles, str) or len(articles) > MAX["articles"]:
            errors.add("covers", _("Articles must be text of at most 200 characters."))
            continue
        covers.append({"type": code, "articles": articles.strip()})
    return covers


def _clean_states(value: Any, errors: Errors) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        errors.add("states", _('Give a list of ISO codes, e.g. ["BR", "ID"].'))
        return []
    codes = [code.strip().upper() for code in value]
    if len(set(codes)) != len(codes):
        errors.add("states", _("A state is listed twice."))
    known = set(Country.objects.filter(iso2__in=codes).values_list("iso2", flat=True))
    for code in codes:
        if code not in known:
            errors.add("states", _("Unknown country code “%(code)s”.") % {"code": code})
    return codes


def apply_instrument(instrument: Instrument, cleaned: dict) -> list[str]:
    """Apply cleaned values; return the names of the fields that changed."""
    changed: list[str] = []
    for field, value in cleaned.items():
        if field in ("covers", "states"):
            continue
        if getattr(instrument, field) != value:
            setattr(instrument, field, value)
            changed.append(field)
    instrument.save()
    if "covers" in cleaned:
        current = {(c.coop_type, c.articles) for c in instrument.coverages.all()}
        wanted = {(c["type"], c["articles"]) for c in cleaned["covers"]}
        if current != wanted:
            instrument.coverages.all().delete()
            Coverage.objects.bulk_create(
                [Coverage(instrument=instrument, coop_type=t, articles=a) for t, a in sorted(wanted)]
            )
            changed.append("covers")
    if "states" in cleaned:
        current_states = {c.iso2 for c in instrument.states.all()}
        if current_states != set(cleaned["states"]):
            instrument.states.set(Country.objects.filter(iso2__in=cleaned["states"]))
            changed.append("states")
    refresh_search_text(instrument)
    return changed


def refresh_search_text(instrument: Instrument) -> None:
    articles = [c.articles for c in instrument.coverages.all()]
    text = instrument.build_search_text(articles)
    if text != instrument.search_text:
        Instrument.objects.filter(pk=instrument.pk).update(search_text=text)
        instrument.search_text = text


@transaction.atomic
def instrument_create(*, actor, data: dict, is_demo: bool = False) -> Instrument:
    if not permissions.may_write_at_all(actor):
        raise PermissionDenied
    cleaned = clean_instrument_data(data)
    if not permissions.can_create_instrument(actor, kind=cleaned["kind"], states=cleaned.get("states", [])):
        raise PermissionDenied
    instrument = Instrument(is_demo=is_demo)
    try:
        with transaction.atomic():
            changed = apply_instrument(instrument, cleaned)
    except IntegrityError as exc:  # another request took the slug between the check and the insert
        raise ValidationError({"slug": [_("Another instrument already has this slug.")]}) from exc
    audit_log(
        action=AuditAction.INSTRUMENT_CREATED,
        actor=actor,
        target=instrument,
        details={"slug": instrument.slug, "kind": instrument.kind, "fields": changed},
    )
    return instrument


@transaction.atomic
def instrument_update(*, actor, instrument: Instrument, data: dict) -> Instrument:
    if not permissions.can_edit_instrument(actor, instrument):
        raise PermissionDenied
    cleaned = clean_instrument_data(data, instrument=instrument)
    if "kind" in cleaned or "states" in cleaned:
        kind = cleaned.get("kind", instrument.kind)
        states = cleaned.get("states", [c.iso2 for c in instrument.states.all()])
        if not permissions.can_create_instrument(actor, kind=kind, states=states):
            raise PermissionDenied
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    changed = apply_instrument(instrument, cleaned)
    if changed:
        audit_log(
            action=AuditAction.INSTRUMENT_UPDATED,
            actor=actor,
            target=instrument,
            details={"slug": instrument.slug, "fields": changed},
        )
    return instrument


# --- parties -----------------------------------------------------------------------------------------------------


def clean_party_data(data: dict, *, instrument: Instrument, party: Party | None = None) -> dict:
    """Cleaned values for a party row; the dates are checked against each other and the instrument's."""
    errors = Errors()
    for key in data:
        if key not in (*PARTY_FIELDS, "country"):
            errors.add(key, _("Unknown field."))
    out: dict[str, Any] = {}
    for field in PARTY_DATES:
        if field in data:
            out[field] = parse_date(data[field], field, errors)
    if "consent_kind" in data:
        kind = data["consent_kind"] or ""
        if kind not in ("", *ConsentKind.values):
            errors.add(
                "consent_kind",
                _("Unknown kind of consent: use one of %(codes)s.") % {"codes": ", ".join(ConsentKind.values)},
            )
        out["consent_kind"] = kind
    if "source" in data:
        out["source"] = _text(data["source"], "source", errors, max_length=MAX["source"])
    if "verified" in data:
        if not isinstance(data["verified"], bool):
            errors.add("verified", _("Must be true or false."))
        out["verified"] = data["verified"] is True
    if "declarations" in data:
        out["declarations"] = _clean_declarations(data["declarations"], errors)

    def value(field: str) -> dt.date | None:
        return out[field] if field in out else getattr(party, field, None)

    signed, consent, in_force, withdrawn = (
        value(f) for f in ("signed_on", "consent_on", "in_force_on", "withdrawn_on")
    )
    if signed and consent and consent < signed and "consent_on" not in errors:
        errors.add("consent_on", _("Consent to be bound cannot come before the signature."))
    if consent and in_force and in_force < consent and "in_force_on" not in errors:
        errors.add("in_force_on", _("The instrument cannot enter into force for a state before its consent."))
    if in_force and withdrawn and withdrawn < in_force and "withdrawn_on" not in errors:
        errors.add("withdrawn_on", _("A withdrawal cannot take effect before the entry into force."))
    if in_force and instrument.in_force_on and in_force < instrument.in_force_on and "in_force_on" not in errors:
        errors.add(
            "in_force_on",
            _("The instrument itself entered into force on %(date)s; it cannot be in force for a party earlier.")
            % {"date": instrument.in_force_on.isoformat()},
        )
    errors.raise_if_any()
    return out


def _clean_declarations(value: Any, errors: Errors) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.add(
            "declarations", _('Give a list such as [{"text": ..., "types": ["extradition"], "excludes": true}].')
        )
        return []
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"text", "types", "excludes", "articles"}:
            errors.add("declarations", _("Each declaration has text, types, excludes and articles only."))
            continue
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            errors.add("declarations", _("Each declaration needs its text."))
            continue
        types = item.get("types") or []
        if not isinstance(types, list) or any(code not in known_types() for code in types):
            errors.add(
                "declarations",
                _("Unknown type of cooperation in a declaration: use %(codes)s.")
                % {"codes": ", ".join(CooperationType.values)},
            )
            continue
        excludes = item.get("excludes", False)
        if not isinstance(excludes, bool):
            errors.add("declarations", _("“excludes” must be true or false."))
            continue
        articles = item.get("articles") or ""
        if not isinstance(articles, str) or len(articles) > MAX["declaration_articles"]:
            errors.add("declarations", _("Articles must be text of at most 100 characters."))
            continue
        out.append(
            {"text": text.strip(), "types": sorted(set(types)), "excludes": excludes, "articles": articles.strip()}
        )
    return out


def clean_country(value: Any) -> Country:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"country": [_("This field is required: an ISO code such as BR.")]})
    country = Country.objects.filter(iso2=value.strip().upper()).first()
    if country is None:
        raise ValidationError({"country": [_("Unknown country code “%(code)s”.") % {"code": value}]})
    return country


def declarations_of(party: Party) -> list[dict]:
    return [
        {"text": d.text, "types": list(d.types), "excludes": d.excludes, "articles": d.articles}
        for d in party.declarations.all()
    ]


def apply_party(party: Party, cleaned: dict, *, actor) -> list[str]:
    changed: list[str] = []
    verified = cleaned.pop("verified", None)
    declarations = cleaned.pop("declarations", None)
    for field, value in cleaned.items():
        if getattr(party, field) != value:
            setattr(party, field, value)
            changed.append(field)
    if declarations is not None and (party.pk is None or declarations_of(party) != declarations):
        changed.append("declarations")
    if verified is True and (changed or not party.verified):
        party.verified, party.verified_by, party.verified_at = True, actor, timezone.now()
        changed.append("verified")
    elif verified is False and party.verified:
        party.verified, party.verified_by, party.verified_at = False, None, None
        changed.append("verified")
    elif changed and party.verified:
        # A changed row is no longer the one that was checked.
        party.verified, party.verified_by, party.verified_at = False, None, None
        changed.append("verified")
    if changed or party.pk is None:
        party.save()
    if declarations is not None and "declarations" in changed:
        party.declarations.all().delete()
        Declaration.objects.bulk_create([Declaration(party=party, **item) for item in declarations])
    return changed


@transaction.atomic
def party_save(*, actor, instrument: Instrument, country: Country, data: dict) -> tuple[Party, bool]:
    """Record or change a state's participation in an instrument; returns (party, created)."""
    if not permissions.can_edit_party(actor, country_iso2=country.iso2):
        raise PermissionDenied
    if "verified" in data and data["verified"] is not None and not permissions.can_verify(actor):
        raise ValidationError({"verified": [_("Only the secretariat confirms a row against the depositary.")]})
    party = (
        Party.objects.select_for_update()
        .filter(instrument=instrument, country=country)
        .select_related("instrument", "country")
        .first()
    )
    created = party is None
    cleaned = clean_party_data(data, instrument=instrument, party=party)
    if party is None:
        party = Party(instrument=instrument, country=country)
    try:
        with transaction.atomic():
            changed = apply_party(party, cleaned, actor=actor)
    except IntegrityError as exc:  # another request recorded the same state in between
        raise ValidationError(
            {"country": [_("This state's row was just recorded by someone else; try again.")]}
        ) from exc
    if created or changed:
        Instrument.objects.filter(pk=instrument.pk).update(updated_at=timezone.now())
        audit_log(
            action=AuditAction.PARTY_CREATED if created else AuditAction.PARTY_UPDATED,
            actor=actor,
            target=party,
            country=country.iso2,
            details={"instrument": instrument.slug, "country": country.iso2, "fields": changed},
        )
    return party, created


@transaction.atomic
def party_verify(*, actor, party: Party) -> Party:
    if not permissions.can_verify(actor):
        raise PermissionDenied
    party = Party.objects.select_for_update().get(pk=party.pk)
    if not party.verified:
        party.verified, party.verified_by, party.verified_at = True, actor, timezone.now()
        party.save(update_fields=["verified", "verified_by", "verified_at", "updated_at"])
        audit_log(
            action=AuditAction.PARTY_VERIFIED,
            actor=actor,
            target=party,
            country=party.country.iso2,
            details={"instrument": party.instrument.slug, "country": party.country.iso2},
        )
    return party
