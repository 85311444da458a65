"""Every write of the meetings app: events, agenda, registrations, funding and calendar feeds.

Each service checks permission itself, validates, writes in one transaction with its audit event where the action is
security-relevant, and queues e-mail through the outbox (delivered after commit), in the recipient's language.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comity.accounts.models import User
from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES, language_name
from comity.core.timeutil import is_valid_timezone
from comity.directory import permissions as directory_permissions
from comity.directory.models import Contact
from comity.forum import permissions as forum_permissions
from comity.forum import services as forum_services
from comity.forum.models import Space, SpaceKind
from comity.mail import services as outbox
from comity.meetings import permissions
from comity.meetings.models import (
    ACTIVE_STATUSES,
    DESCRIPTION_MAX,
    TITLE_MAX,
    ActionItem,
    Audience,
    CalendarFeed,
    Event,
    EventKind,
    EventStatus,
    FundingEligibility,
    FundingRequest,
    FundingStatus,
    Registration,
    RegistrationField,
    RegistrationStatus,
    Session,
)

logger = logging.getLogger(__name__)

SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING)
MAX_ALLOWANCE_DAYS = 60
MAX_AMOUNT = Decimal("9999999999")


def _country(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


# --- e-mail ------------------------------------------------------------------------------------------------------


def mail_to(*, user: User, subject: str, body: str) -> None:
    """Queue one e-mail to a person (built by the caller inside `translation.override(user.preferred_language)`)."""
    if not user.is_active or not user.email:
        return
    outbox.outbox_enqueue(to=user.email, subject=subject, body_text=body, user=user, category="meetings")
    transaction.on_commit(outbox.schedule_delivery)


def event_lines(event: Event, user: User) -> str:
    from comity.core.i18n import format_dt

    zone = user.timezone if is_valid_timezone(user.timezone) else "UTC"
    lines = [
        event.title,
        _("Starts: %(local)s, that is %(event)s")
        % {
            "local": format_dt(event.start, "full", zone),
            "event": format_dt(event.start, "full", event.timezone),
        },
    ]
    if event.venue:
        lines.append(_("Venue: %(venue)s") % {"venue": event.venue})
    if event.online_url:
        lines.append(_("Online: %(link)s") % {"link": event.online_url})
    return "\n".join(lines)


def _notify_registration(registration: Registration) -> None:
    user, event = registration.user, registration.event
    with translation.override(user.preferred_language or "en"):
        subjects = {
            RegistrationStatus.INVITED: _("You are invited: %(title)s"),
            RegistrationStatus.PENDING: _("Registration received, awaiting approval: %(title)s"),
            RegistrationStatus.CONFIRMED: _("Registration confirmed: %(title)s"),
            RegistrationStatus.WAITLISTED: _("You are on the waiting list: %(title)s"),
            RegistrationStatus.DECLINED: _("Registration declined: %(title)s"),
            RegistrationStatus.CANCELLED: _("Registration cancelled: %(title)s"),
        }
        subject = subjects[RegistrationStatus(registration.status)] % {"title": event.title}
        mail_to(user=user, subject=subject, body=subject + "\n\n" + event_lines(event, user))


# --- events ------------------------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "kind",
    "title_original",
    "titles",
    "description_original",
    "descriptions",
    "language",
    "languages",
    "venue",
    "online_url",
    "start",
    "end",
    "timezone",
    "region_m49",
    "audience",
    "network",
    "space",
    "capacity",
    "requires_approval",
    "registration_fields",
)


def _translations(raw: object, *, limit: int, known: set[str]) -> tuple[dict[str, str], str]:
    """Translations by language code, blanks dropped; the second value names the first problem ("" when none):
    a code outside the platform's seven languages, a value that is not text, or a text over `limit` characters."""
    if raw is None or raw == "":
        return {}, ""
    if not isinstance(raw, dict):
        return {}, str(_("Give the translations by language code."))
    texts: dict[str, str] = {}
    for code, value in raw.items():
        if code not in known:
            return {}, str(_("Translations are accepted in the seven languages of the platform only."))
        if not isinstance(value, str):
            return {}, str(_("Give the translations by language code."))
        value = value.strip()
        if len(value) > limit:
            return {}, str(
                _("The translation in %(language)s has more than %(max)d characters.")
                % {"language": language_name(code), "max": limit}
            )
        if value:
            texts[code] = value
    return texts, ""


def _clean_event(*, actor, data: dict[str, Any], event: Event | None = None) -> dict[str, Any]:
    """Validate an event's fields; raise ValidationError naming each rejected field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    kind = data.get("kind")
    if kind not in EventKind.values:
        errors["kind"] = [_("Choose face-to-face, virtual or hybrid.")]
    title = (data.get("title_original") or "").strip()
    if not title:
        errors["title_original"] = [_("Give the event a title.")]
    if len(title) > TITLE_MAX:
        errors["title_original"] = [_("A title has at most %(max)d characters.") % {"max": TITLE_MAX}]
    clean["title_original"] = title
    languages_known = set(UI_LANGUAGES)
    for key, limit in (("titles", TITLE_MAX), ("descriptions", DESCRIPTION_MAX)):
        texts, problem = _translations(data.get(key), limit=limit, known=languages_known)
        if problem:
            errors[key] = [problem]
        clean[key] = texts
    description = (data.get("description_original") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description_original"] = [_("A description has at most %(max)d characters.") % {"max": DESCRIPTION_MAX}]
    clean["description_original"] = description
    language = data.get("language") or "en"
    if language not in languages_known:
        errors["language"] = [_("Unknown language.")]
    clean["language"] = language
    langs = list(data.get("languages") or [])
    if any(code not in languages_known for code in langs):
        errors["languages"] = [_("Unknown language.")]
    clean["languages"] = ("," + ",".join(sorted(set(langs))) + ",") if langs else ""
    clean["venue"] = (data.get("venue") or "").strip()[:300]
    clean["online_url"] = (data.get("online_url") or "").strip()
    if kind in (EventKind.IN_PERSON, EventKind.HYBRID) and not clean["venue"]:
        errors["venue"] = [_("A face-to-face or hybrid event needs a venue.")]
    if kind in (EventKind.VIRTUAL, EventKind.HYBRID) and not clean["online_url"]:
        errors["online_url"] = [_("A virtual or hybrid event needs an online link.")]
    if clean["online_url"] and not clean["online_url"].startswith("https://"):
        errors["online_url"] = [_("The online link must start with https://.")]
    zone = data.get("timezone") or ""
    if not is_valid_timezone(zone):
        errors["timezone"] = [_("Choose a time zone from the list (an IANA name such as Europe/Paris).")]
    start, end = data.get("start"), data.get("end")
    if start is None or timezone.is_naive(start):
        errors["start"] = [_("Give the start date and time.")]
    if end is None or timezone.is_naive(end):
        errors["end"] = [_("Give the end date and time.")]
    elif start is not None and not timezone.is_naive(start) and end <= start:
        errors["end"] = [_("The event must end after it starts.")]
    elif start is not None and (end - start).days > 31:
        errors["end"] = [_("An event lasts at most 31 days.")]
    audience = data.get("audience")
    if audience not in Audience.values:
        errors["audience"] = [_("Choose who may see the event.")]
    network, space = data.get("network"), data.get("space")
    unchanged_network = event is not None and network is not None and network.pk == event.network_id
    unchanged_space = event is not None and space is not None and space.pk == event.space_id
    if (
        network is not None
        and not unchanged_network
        and not permissions.organisable_networks(actor).filter(pk=network.pk).exists()
    ):
        errors["network"] = [_("You cannot organise events for this network.")]
    if (
        space is not None
        and not unchanged_space
        and not permissions.organisable_spaces(actor).filter(pk=space.pk).exists()
    ):
        errors["space"] = [_("You cannot organise events for this space.")]
    if not actor.is_secretariat and network is None and space is None and event is None:
        errors["network"] = [_("Choose the network or the space you organise this event for.")]
    spaces, networks, countries = (
        list(data.get("audience_spaces") or []),
        list(data.get("audience_networks") or []),
        list(data.get("audience_countries") or []),
    )
    if audience == Audience.RESTRICTED and not (spaces or networks or countries):
        errors["audience"] = [_("Name at least one space, network or country for a restricted event.")]
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1 or capacity > 100000):
        errors["capacity"] = [_("The capacity is a whole number from 1 to 100000, or empty for no limit.")]
    fields = list(data.get("registration_fields") or [])
    if any(f not in RegistrationField.values for f in fields):
        errors["registration_fields"] = [_("Unknown registration field.")]
    region = (data.get("region_m49") or "").strip()
    if region and not (region.isdigit() and len(region) == 3):
        errors["region_m49"] = [_("A region is a three-digit UN M49 code.")]
    if errors:
        raise ValidationError(errors)
    clean.update(
        kind=kind,
        start=start,
        end=end,
        timezone=zone,
        audience=audience,
        network=network,
        space=space,
        capacity=capacity,
        requires_approval=bool(data.get("requires_approval")),
        registration_fields=fields,
        region_m49=region,
    )
    clean["_m2m"] = (spaces, networks, countries)
    return clean


def _thread_space(*, actor, event: Event) -> Space | None:
    """Where the event's thread goes: its organising space, else its network's space, else (restricted events) the
    first of its audience spaces, else (events for all members or public) the plenary. A restricted event never goes
    to the plenary, where every member would read its thread."""
    candidates: list[Space | None] = [event.space]
    if event.network_id:
        candidates.append(
            Space.objects.filter(kind=SpaceKind.NETWORK, network_id=event.network_id, is_archived=False).first()
        )
    if event.audience == Audience.RESTRICTED:
        candidates.extend(event.audience_spaces.filter(is_archived=False).order_by("pk"))
    else:
        candidates.append(Space.objects.filter(kind=SpaceKind.PLENARY, is_archived=False).order_by("pk").first())
    for space in candidates:
        if space is not None and forum_permissions.can_start_thread(actor, space):
            return space
    return None


def _open_thread(*, actor, event: Event) -> None:
    space = _thread_space(actor=actor, event=event)
    if space is None:
        logger.info("meetings: no forum space for the thread of event %s", event.pk)
        return
    body = (
        (event.description_original or event.title_original)
        + "\n\n"
        + _("Event page: %(url)s") % {"url": event.get_absolute_url()}
    )
    thread = forum_services.thread_create(
        actor=actor, space=space, title=event.title_original, body=body, language=event.language
    )
    event.thread = thread
    event.save(update_fields=["thread"])


def _invite(*, actor, event: Event, user_ids=(), authority_ids=()) -> list[Registration]:
    """Invite people and the contact points of authorities the organiser may see; skip the already registered."""
    ids = set(User.objects.filter(pk__in=list(user_ids), is_active=True).values_list("pk", flat=True))
    visible = directory_permissions.authorities_visible_to(actor).filter(pk__in=list(authority_ids))
    ids |= set(
        Contact.objects.filter(
            authority__in=visible, end_date__isnull=True, user__isnull=False, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    existing = set(Registration.objects.filter(event=event, user_id__in=ids).values_list("user_id", flat=True))
    created = []
    for user in User.objects.filter(pk__in=ids - existing):
        registration = Registration.objects.create(event=event, user=user, status=RegistrationStatus.INVITED)
        registration.event = event
        _notify_registration(registration)
        created.append(registration)
    return created


def event_create(*, actor, data: dict[str, Any], invite_users=(), invite_authorities=()) -> Event:
    if not permissions.can_organise(actor):
        raise PermissionDenied
    clean = _clean_event(actor=actor, data=data)
    spaces, networks, countries = clean.pop("_m2m")
    with transaction.atomic():
        event = Event.objects.create(created_by=actor, **clean)
        event.audience_spaces.set(spaces)
        event.audience_networks.set(networks)
        event.audience_countries.set(countries)
        event.organisers.add(actor)
        _open_thread(actor=actor, event=event)
        invited = _invite(actor=actor, event=event, user_ids=invite_users, authority_ids=invite_authorities)
        audit_log(
            action=AuditAction.EVENT_CREATED,
            actor=actor,
            target=event,
            country=_country(actor),
            details={"kind": event.kind, "audience": event.audience, "invited": sorted(r.user_id for r in invited)},
        )
    return event


def event_update(*, actor, event: Event, data: dict[str, Any]) -> Event:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    if event.is_cancelled:
        raise ValidationError({"status": [_("A cancelled event cannot be changed.")]})
    clean = _clean_event(actor=actor, data=data, event=event)
    spaces, networks, countries = clean.pop("_m2m")
    changed = sorted(k for k, v in clean.items() if getattr(event, k) != v)
    with transaction.atomic():
        for key, value in clean.items():
            setattr(event, key, value)
        event.updated_at = timezone.now()
        event.save(update_fields=[*clean.keys(), "updated_at"])
        Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
        event.audience_spaces.set(spaces)
        event.audience_networks.set(networks)
        event.audience_countries.set(countries)
        audit_log(
            action=AuditAction.EVENT_UPDATED,
            actor=actor,
            target=event,
            country=_country(actor),
            details={"fields": changed},
        )
    event.refresh_from_db()
    return event


def event_cancel(*, actor, event: Event) -> Event:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    if event.is_cancelled:
        raise ValidationError({"status": [_("The event is already cancelled.")]})
    with transaction.atomic():
        updated = Event.objects.filter(pk=event.pk, status=EventStatus.SCHEDULED).update(
            status=EventStatus.CANCELLED, sequence=F("sequence") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"status": [_("The event is already cancelled.")]})
        event.refresh_from_db()
        audit_log(action=AuditAction.EVENT_CANCELLED, actor=actor, target=event, country=_country(actor))
        for registration in event.registrations.filter(status__in=[*ACTIVE_STATUSES, RegistrationStatus.INVITED]):
            user = registration.user
            with translation.override(user.preferred_language or "en"):
                subject = _("Event cancelled: %(title)s") % {"title": event.title}
                mail_to(user=user, subject=subject, body=subject + "\n\n" + event_lines(event, user))
    return event


def session_add(
    *, actor, event: Event, title: str, start, end, room: str = "", speakers: str = "", documents: str = ""
) -> Session:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the session a title.")]
    if start is None:
        errors["start"] = [_("Give the start date and time.")]
    if end is None or (start is not None and end <= start):
        errors["end"] = [_("The session must end after it starts.")]
    bad_links = [
        line for line in (documents or "").splitlines() if line.strip() and not line.strip().startswith("https://")
    ]
    if bad_links:
        errors["documents"] = [_("Each document is a link starting with https://, one per line.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = Session.objects.create(
            event=event,
            title=title.strip()[:200],
            start=start,
            end=end,
            room=room[:120],
            speakers=speakers[:400],
            documents=documents,
        )
        Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    return session


def action_item_add(*, actor, event: Event, title: str, assignee: User | None, due_date) -> ActionItem:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Describe the action.")]
    if assignee is None or not assignee.is_active:
        errors["assignee"] = [_("Choose an active person.")]
    if due_date is None:
        errors["due_date"] = [_("Give the due date.")]
    if errors or assignee is None:
        raise ValidationError(errors)
    item = ActionItem.objects.create(event=event, title=title.strip()[:300], assignee=assignee, due_date=due_date)
    with translation.override(assignee.preferred_language or "en"):
        subject = _("Action item from %(title)s") % {"title": event.title}
        mail_to(user=assignee, subject=subject, body=f"{item.title}\n{_('Due date')}: {due_date.isoformat()}")
    return item


def minutes_set(*, actor, event: Event, minutes: str, recordings: str) -> Event:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    bad = [line for line in (recordings or "").splitlines() if line.strip() and not line.strip().startswith("https://")]
    if bad:
        raise ValidationError({"recordings": [_("Each recording is a link starting with https://, one per line.")]})
    with transaction.atomic():
        event.minutes, event.recordings, event.updated_at = minutes or "", recordings or "", timezone.now()
        event.save(update_fields=["minutes", "recordings", "updated_at"])
        audit_log(
            action=AuditAction.EVENT_UPDATED, actor=actor, target=event, details={"fields": ["minutes", "recordings"]}
        )
    return event


# --- registration ------------------------------------------------------------------------------------------------


def _locked_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _seats_taken(event: Event) -> int:
    return Registration.objects.filter(event=event, status__in=SEAT_HOLDING).count()


def _promote_from_waiting_list(event: Event) -> Registration | None:
    """Give a freed seat to the first on the waiting list (caller holds the event's lock)."""
    if event.capacity is not None and _seats_taken(event) >= event.capacity:
        return None
    first = (
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
    first.save(update_fields=["status"])
    first.event = event
    _notify_registration(first)
    return first


def _clean_registration(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    asked = set(event.registration_fields)
    clean: dict[str, Any] = {}
    clean["role"] = (data.get("role") or "").strip()[:120] if RegistrationField.ROLE in asked else ""
    authority = data.get("authority") if RegistrationField.AUTHORITY in asked else None
    clean["authority"] = authority
    languages = list(data.get("languages") or []) if RegistrationField.LANGUAGES in asked else []
    from comity.core.i18n import is_language_code

    if any(not is_language_code(code) for code in languages):
        errors["languages"] = [_("Unknown language code.")]
    clean["languages"] = languages
    for key in ("dietary", "accessibility"):
        value = (data.get(key) or "").strip() if key in asked else ""
        if len(value) > 300:
            errors[key] = [_("At most 300 characters.")]
        clean[key] = value
    clean["visa_letter"] = bool(data.get("visa_letter")) if RegistrationField.VISA_LETTER in asked else False
    if errors:
        raise ValidationError(errors)
    return clean


def registration_register(*, actor, event: Event, data: dict[str, Any] | None = None) -> Registration:
    """Register the actor: confirmed, awaiting approval, or on the waiting list when the event is full."""
    if not permissions.can_register(actor, event):
        raise PermissionDenied
    clean = _clean_registration(event, data or {})
    with transaction.atomic():
        locked = _locked_event(event)
        existing = Registration.objects.select_for_update().filter(event=locked, user=actor).first()
        if existing is not None and existing.status in ACTIVE_STATUSES:
            raise ValidationError({"status": [_("You are already registered.")]})
        if existing is not None and existing.status == RegistrationStatus.DECLINED:
            raise ValidationError({"status": [_("The organiser declined your registration.")]})
        full = locked.capacity is not None and _seats_taken(locked) >= locked.capacity
        now = timezone.now()
        if full:
            status = RegistrationStatus.WAITLISTED
        elif locked.requires_approval:
            status = RegistrationStatus.PENDING
        else:
            status = RegistrationStatus.CONFIRMED
        registration = existing or Registration(event=locked, user=actor)
        for key, value in clean.items():
            setattr(registration, key, value)
        registration.status = status
        registration.waitlisted_at = now if full else None
        registration.created_at = now
        registration.reminder_sent_at = None
        registration.save()
        registration.event = locked
        _notify_registration(registration)
    return registration


def registration_cancel(*, actor, registration: Registration) -> Registration:
    """The participant (or an organiser) cancels; the first on the waiting list moves up."""
    event = registration.event
    if not (registration.user_id == actor.pk or permissions.can_manage(actor, event)):
        raise PermissionDenied
    if registration.status not in (*ACTIVE_STATUSES, RegistrationStatus.INVITED):
        raise ValidationError({"status": [_("This registration is not active.")]})
    with transaction.atomic():
        locked = _locked_event(event)
        updated = Registration.objects.filter(
            pk=registration.pk, status__in=[*ACTIVE_STATUSES, RegistrationStatus.INVITED]
        ).update(status=RegistrationStatus.CANCELLED)
        if not updated:
            raise ValidationError({"status": [_("This registration is not active.")]})
        registration.refresh_from_db()
        registration.event = locked
        _notify_registration(registration)
        _promote_from_waiting_list(locked)
    return registration


def registration_decide(*, actor, registration: Registration, approve: bool) -> Registration:
    event = registration.event
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    with transaction.atomic():
        locked = _locked_event(event)
        status = RegistrationStatus.CONFIRMED if approve else RegistrationStatus.DECLINED
        updated = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.PENDING).update(
            status=status, decided_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"status": [_("Only a registration awaiting approval can be decided.")]})
        registration.refresh_from_db()
        registration.event = locked
        audit_log(
            action=AuditAction.EVENT_REGISTRATION_DECIDED,
            actor=actor,
            target=registration,
            country=_country(actor),
            details={"event": event.pk, "user": registration.user_id, "status": status},
        )
        _notify_registration(registration)
        if not approve:
            _promote_from_waiting_list(locked)
    return registration


def participants_export_record(*, actor, event: Event, what: str) -> None:
    """Audit a participant export (CSV, badges or sign-in sheet) before it is streamed."""
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    audit_log(
        action=AuditAction.EVENT_PARTICIPANTS_EXPORTED,
        actor=actor,
        target=event,
        country=_country(actor),
        details={"format": what},
    )


# --- funded participation ----------------------------------------------------------------------------------------


def _decimal(value, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = [_("Give an amount such as 1250.00.")]
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        errors[field] = [_("Give an amount from 0 to 9999999999.")]
        return None
    return amount


def budget_set(*, actor, event: Event, currency: str, amount, daily_allowance) -> Event:
    """Set the budget; what is already approved stays spent, so the new amount cannot be below it."""
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    currency = (currency or "").strip().upper()
    if not (len(currency) == 3 and currency.isalpha()):
        errors["currency"] = [_("A currency is a three-letter ISO 4217 code such as USD.")]
    new_amount = _decimal(amount, "amount", errors)
    allowance = _decimal(daily_allowance, "daily_allowance", errors)
    if errors:
        raise ValidationError(errors)
    assert new_amount is not None and allowance is not None  # noqa: S101 - checked above
    with transaction.atomic():
        locked = _locked_event(event)
        spent = locked.budget_amount - locked.budget_remaining
        if new_amount < spent:
            raise ValidationError(
                {"amount": [_("%(spent)s is already approved: the budget cannot be lower.") % {"spent": spent}]}
            )
        locked.budget_currency, locked.budget_amount = currency, new_amount
        locked.budget_remaining, locked.daily_allowance = new_amount - spent, allowance
        locked.save(update_fields=["budget_currency", "budget_amount", "budget_remaining", "daily_allowance"])
        audit_log(
            action=AuditAction.EVENT_BUDGET_SET,
            actor=actor,
            target=locked,
            country=_country(actor),
            details={"currency": currency, "amount": str(new_amount), "daily_allowance": str(allowance)},
        )
    return locked


def eligibility_add(*, actor, event: Event, country, reason: str) -> FundingEligibility:
    if not permissions.can_add_eligible_country(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if country is None:
        errors["country"] = [_("Choose a country.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason.")]
    if country is not None and (country.is_ldc or event.extra_eligible.filter(country=country).exists()):
        errors["country"] = [_("This country is already eligible.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = FundingEligibility.objects.create(
            event=event, country=country, reason=reason.strip()[:300], added_by=actor
        )
        audit_log(
            action=AuditAction.EVENT_ELIGIBILITY_ADDED,
            actor=actor,
            target=event,
            country=country.iso2,
            details={"reason": row.reason},
        )
    return row


def is_eligible(event: Event, country) -> bool:
    if country is None:
        return False
    return bool(country.is_ldc or event.extra_eligible.filter(country=country).exists())


def funding_request_create(*, actor, event: Event, travel_amount, allowance_days, justification: str) -> FundingRequest:
    if not permissions.is_member(actor) or actor.is_observer:
        raise PermissionDenied
    event = Event.objects.get(pk=event.pk)  # the budget as it is now, not as the caller last read it
    errors: dict[str, list[str]] = {}
    registration = permissions.registration_of(actor, event)
    if registration is None or registration.status not in ACTIVE_STATUSES:
        errors["event"] = [_("Register for the event before asking for funding.")]
    elif not is_eligible(event, actor.country):
        errors["event"] = [_("Participants from your country are not eligible for funding at this event.")]
    elif event.budget_amount <= 0:
        errors["event"] = [_("This event has no funding budget.")]
    elif event.is_past or event.is_cancelled:
        errors["event"] = [_("Funding can no longer be requested for this event.")]
    travel = _decimal(travel_amount, "travel_amount", errors)
    try:
        days = int(allowance_days)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= MAX_ALLOWANCE_DAYS:
        errors["allowance_days"] = [_("Give a number of days from 0 to 60.")]
    if not (justification or "").strip():
        errors["justification"] = [_("Explain why you need funding.")]
    if not errors and event.funding_requests.filter(user=actor).exists():
        errors["event"] = [_("You have already asked for funding for this event.")]
    requested = (travel or Decimal(0)) + days * event.daily_allowance
    if not errors and requested <= 0:
        errors["travel_amount"] = [_("The request must be for more than zero.")]
    if errors or travel is None:
        raise ValidationError(errors)
    with transaction.atomic():
        row = FundingRequest.objects.create(
            event=event,
            user=actor,
            country=actor.country,
            travel_amount=travel,
            allowance_days=days,
            requested_amount=requested,
            justification=justification.strip(),
        )
    return row


def funding_decide(*, actor, request: FundingRequest, decision: str, amount=None, reason: str = "") -> FundingRequest:
    """Approve (the full request), partly approve (an amount below it) or decline, with a reason for the last two.

    The budget is taken with one conditional UPDATE (`remaining >= amount`), backed by the table's check constraint,
    so two organisers approving at the same moment can never take it below zero; the request row is locked so that
    it is decided once.
    """
    event = request.event
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if decision not in (FundingStatus.APPROVED, FundingStatus.PARTLY, FundingStatus.DECLINED):
        errors["decision"] = [_("Choose approve, partly approve or decline.")]
    reason = (reason or "").strip()
    granted = Decimal("0")
    if decision == FundingStatus.APPROVED:
        granted = request.requested_amount
    elif decision == FundingStatus.PARTLY:
        value = _decimal(amount, "amount", errors)
        if value is not None and not (0 < value < request.requested_amount):
            errors["amount"] = [_("A partial approval is more than zero and less than the amount requested.")]
        granted = value or Decimal("0")
    if decision in (FundingStatus.PARTLY, FundingStatus.DECLINED) and not reason:
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FundingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != FundingStatus.PENDING:
            raise ValidationError({"decision": [_("This request has already been decided.")]})
        if granted > 0:
            taken = Event.objects.filter(pk=event.pk, budget_remaining__gte=granted).update(
                budget_remaining=F("budget_remaining") - granted
            )
            if not taken:
                remaining = Event.objects.values_list("budget_remaining", flat=True).get(pk=event.pk)
                raise ValidationError(
                    {"amount": [_("Only %(remaining)s is left in the budget.") % {"remaining": remaining}]}
                )
        locked.status, locked.approved_amount, locked.decision_reason = decision, granted, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "approved_amount", "decision_reason", "decided_by", "decided_at"])
        audit_log(
            action=AuditAction.FUNDING_DECIDED,
            actor=actor,
            target=locked,
            country=locked.country.iso2,
            details={"event": event.pk, "decision": decision, "amount": str(granted), "reason": reason},
        )
        user = locked.user
        with translation.override(user.preferred_language or "en"):
            labels = {
                FundingStatus.APPROVED: _("Funding approved: %(title)s"),
                FundingStatus.PARTLY: _("Funding partly approved: %(title)s"),
                FundingStatus.DECLINED: _("Funding declined: %(title)s"),
            }
            subject = labels[FundingStatus(decision)] % {"title": event.title}
            body = (
                subject
                + "\n\n"
                + _("Amount: %(amount)s %(currency)s")
                % {
                    "amount": granted,
                    "currency": event.budget_currency,
                }
            )
            if reason:
                body += "\n" + _("Reason: %(reason)s") % {"reason": reason}
            mail_to(user=user, subject=subject, body=body)
    return locked


def funding_export_record(*, actor, event: Event) -> None:
    if not permissions.can_manage(actor, event):
        raise PermissionDenied
    audit_log(action=AuditAction.FUNDING_EXPORTED, actor=actor, target=event, country=_country(actor))


# --- personal calendar feed --------------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_create(*, actor) -> str:
    """A new secret feed address (replacing any earlier one). The token is shown once; only its hash is kept."""
    if not permissions.is_member(actor):
        raise PermissionDenied
    token = "cal_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=actor).delete()
        CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token))
        audit_log(action=AuditAction.CALENDAR_FEED_CREATED, actor=actor, target=actor, country=_country(actor))
    return token


def feed_revoke(*, actor) -> bool:
    if not permissions.is_member(actor):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
        if deleted:
            audit_log(action=AuditAction.CALENDAR_FEED_REVOKED, actor=actor, target=actor, country=_country(actor))
    return bool(deleted)
