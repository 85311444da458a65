"""Keeping the directory current: confirmation reminders and escalation (run daily by `directory_reminders`).

A record (an active authority, or a current contact point of one) is due when its `last_confirmed_at` is older
than DIRECTORY_CONFIRMATION_DAYS. Its `reminder_level` climbs as it stays overdue:

- 0 -> 1 when it becomes due: the national coordinators of its country are reminded;
- 1 -> 2 after DIRECTORY_SECOND_REMINDER_DAYS overdue: they are reminded again;
- 2 -> 3 after DIRECTORY_ESCALATION_DAYS overdue: the secretariat is told.

A record that skipped levels (the command did not run, or old data was imported) goes straight to its level;
coordinators who were never reminded about it are included. Due records of a country without a national
coordinator go to the secretariat at once. Each recipient gets one e-mail per run listing all their records, in
their preferred language. Only a level rise sends anything, so running twice a day sends nothing new. Confirming
or editing a record resets its level (the directory services do that); a record that is no longer due (e.g.
after the window was lengthened) is reset here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comity.accounts.models import Role, User
from comity.audit.models import AuditAction
from comity.audit.services import audit_log_many
from comity.core.i18n import UI_LANGUAGES, format_day, territory_name
from comity.directory.models import Authority, Contact

logger = logging.getLogger(__name__)

FIRST, SECOND, ESCALATED = 1, 2, 3
BATCH = 500


def confirmation_days() -> int:
    return int(getattr(settings, "DIRECTORY_CONFIRMATION_DAYS", 182))


def second_reminder_days() -> int:
    return int(getattr(settings, "DIRECTORY_SECOND_REMINDER_DAYS", 14))


def escalation_days() -> int:
    return int(getattr(settings, "DIRECTORY_ESCALATION_DAYS", 30))


def target_level(overdue: dt.timedelta) -> int:
    """The level a record should have reached after being overdue this long (negative = not yet due)."""
    if overdue < dt.timedelta(0):
        return 0
    if overdue >= dt.timedelta(days=escalation_days()):
        return ESCALATED
    if overdue >= dt.timedelta(days=second_reminder_days()):
        return SECOND
    return FIRST


@dataclass
class DueRecord:
    kind: str  # "authority" or "contact"
    record: Authority | Contact
    authority: Authority
    country: str
    old_level: int
    new_level: int
    overdue_days: int
    recipients: list[str] = field(default_factory=list)

    @property
    def coordinators_told(self) -> bool:
        return self.new_level in (FIRST, SECOND) or self.old_level == 0


@dataclass
class ReminderRun:
    records_reminded: int = 0
    records_escalated: int = 0
    records_reset: int = 0
    emails_to_coordinators: int = 0
    emails_to_secretariat: int = 0


def authority_link(authority_id: int, language: str, anchor: str = "") -> str:
    """An absolute link to the authority's page in `language` (the detail view is named directory:authority_detail)."""
    with translation.override(language):
        try:
            path = reverse("directory:authority_detail", kwargs={"pk": authority_id})
        except NoReverseMatch:
            path = f"/{language}/directory/authorities/{authority_id}/"
    return settings.COMITY_BASE_URL.rstrip("/") + path + anchor


def _due_records(now: dt.datetime) -> list[DueRecord]:
    window = dt.timedelta(days=confirmation_days())
    cutoff = now - window
    out: list[DueRecord] = []
    authorities = (
        Authority.objects.select_for_update(of=("self",))
        .select_related("country")
        .filter(is_active=True, last_confirmed_at__lt=cutoff, reminder_level__lt=ESCALATED)
        .order_by("last_confirmed_at", "pk")
    )
    contacts = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("authority", "authority__country")
        .filter(
            end_date__isnull=True, authority__is_active=True, last_confirmed_at__lt=cutoff, reminder_level__lt=ESCALATED
        )
        .order_by("last_confirmed_at", "pk")
    )
    for kind, rows in (("authority", authorities), ("contact", contacts)):
        for record in rows:
            overdue = now - (record.last_confirmed_at + window)
            level = target_level(overdue)
            if level > record.reminder_level:
                authority = record if kind == "authority" else record.authority
                out.append(
                    DueRecord(
                        kind, record, authority, authority.country.iso2, record.reminder_level, level, overdue.days
                    )
                )
    return out


def send_reminders(*, now: dt.datetime | None = None) -> ReminderRun:
    """One daily pass: raise levels, audit each rise, and e-mail each recipient once (after commit)."""
    now = now or timezone.now()
    run = ReminderRun()
    cutoff = now - dt.timedelta(days=confirmation_days())
    with transaction.atomic():
        run.records_reset = Authority.objects.filter(reminder_level__gt=0, last_confirmed_at__gte=cutoff).update(
            reminder_level=0, reminder_sent_at=None
        )
        run.records_reset += Contact.objects.filter(reminder_level__gt=0, last_confirmed_at__gte=cutoff).update(
            reminder_level=0, reminder_sent_at=None
        )
        due = _due_records(now)
        if not due:
            return run
        coordinators = _coordinators_by_country({record.country for record in due})
        secretariat = list(User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk"))
        to_coordinator: dict[int, list[DueRecord]] = defaultdict(list)
        to_secretariat: dict[str, list[DueRecord]] = {"escalated": [], "uncoordinated": []}
        people: dict[int, User] = {user.pk: user for user in secretariat}
        for record in due:
            if record.coordinators_told and coordinators.get(record.country):
                for user in coordinators[record.country]:
                    people[user.pk] = user
                    to_coordinator[user.pk].append(record)
                    record.recipients.append(user.email)
            elif record.coordinators_told and record.new_level != ESCALATED:
                to_secretariat["uncoordinated"].append(record)
                record.recipients.extend(user.email for user in secretariat)
            if record.new_level == ESCALATED:
                to_secretariat["escalated"].append(record)
                record.recipients.extend(user.email for user in secretariat)
        _save_levels(due, now)
        for user_pk, records in to_coordinator.items():
            _send_later(people[user_pk], _coordinator_message, records)
            run.emails_to_coordinators += 1
        if to_secretariat["escalated"] or to_secretariat["uncoordinated"]:
            for user in secretariat:
                _send_later(user, _secretariat_message, to_secretariat)
                run.emails_to_secretariat += 1
        events = []
        for record in due:
            escalated = record.new_level == ESCALATED
            run.records_escalated += escalated
            run.records_reminded += not escalated
            events.append(
                {
                    "action": AuditAction.DIRECTORY_ESCALATED if escalated else AuditAction.DIRECTORY_REMINDER_SENT,
                    "target": record.record,
                    "country": record.country,
                    "details": {
                        "level": record.new_level,
                        "previous_level": record.old_level,
                        "overdue_days": record.overdue_days,
                        "recipients": sorted(set(record.recipients)),
                    },
                }
            )
        # The last write: the audit chain is locked for one insert of every event, not while the e-mails are
        # composed (the whole run stays one transaction, so levels, e-mails and events commit together).
        audit_log_many(events)
    return run


def _coordinators_by_country(codes: set[str]) -> dict[str, list[User]]:
    pairs = (
        User.coordinated_countries.through.objects.filter(
            country__iso2__in=codes, user__role=Role.COORDINATOR, user__is_active=True
        )
        .select_related("user", "country")
        .order_by("user_id")
    )
    out: dict[str, list[User]] = defaultdict(list)
    users: dict[int, User] = {}
    for pair in pairs:
        user = users.setdefault(pair.user_id, pair.user)
        out[pair.country.iso2].append(user)
    return out


def _save_levels(due: list[DueRecord], now: dt.datetime) -> None:
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for record in due:
        groups[(record.kind, record.new_level)].append(record.record.pk)
    for (kind, level), pks in groups.items():
        model = Authority if kind == "authority" else Contact
        for start in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[start : start + BATCH]).update(reminder_level=level, reminder_sent_at=now)


# --- the e-mails ------------------------------------------------------------------------------------------------


def _language(user: User) -> str:
    return user.preferred_language if user.preferred_language in UI_LANGUAGES else settings.LANGUAGE_CODE


def _send_later(user: User, compose, records) -> None:
    """Queue the e-mail in the outbox inside this transaction: an SMTP outage delays it, never loses it."""
    from comity.mail import services as outbox

    language = _language(user)
    with translation.override(language):
        subject, body = compose(user, records, language)
    outbox.outbox_enqueue(
        to=user.email, subject=str(subject), body_text=str(body), user=user, category="directory_reminder"
    )
    outbox.schedule_delivery()


def _level_label(record: DueRecord) -> str:
    if record.new_level == ESCALATED:
        return _("escalated to the secretariat")
    if record.new_level == SECOND:
        return _("second reminder")
    return _("first reminder")


def _record_lines(records: list[DueRecord], language: str) -> list[str]:
    lines: list[str] = []
    by_country: dict[str, list[DueRecord]] = defaultdict(list)
    for record in records:
        by_country[record.country].append(record)
    for code in sorted(by_country, key=lambda c: territory_name(c, language)):
        lines.append("")
        lines.append(f"{territory_name(code, language)} ({code})")
        for record in sorted(by_country[code], key=lambda r: (r.record.last_confirmed_at, r.kind, r.record.pk)):
            if record.kind == "authority":
                label = _("%(name)s (authority)") % {"name": record.authority.localized_name(language)}
                link = authority_link(record.authority.pk, language)
            else:
                label = _("%(name)s, %(authority)s (contact point)") % {
                    "name": record.record.name,
                    "authority": record.authority.localized_name(language),
                }
                link = authority_link(record.authority.pk, language, f"#contact-{record.record.pk}")
            lines.append("- " + label)
            lines.append(
                "  "
                + ngettext(
                    "last confirmed %(date)s, %(days)d day overdue; %(level)s",
                    "last confirmed %(date)s, %(days)d days overdue; %(level)s",
                    record.overdue_days,
                )
                % {
                    "date": format_day(record.record.last_confirmed_at.date()),
                    "days": record.overdue_days,
                    "level": _level_label(record),
                }
            )
            lines.append("  " + link)
    return lines


def _coordinator_message(user: User, records: list[DueRecord], language: str) -> tuple[str, str]:
    subject = ngettext(
        "Comity: %(count)d directory record to confirm", "Comity: %(count)d directory records to confirm", len(records)
    ) % {"count": len(records)}
    body = [
        _("Dear %(name)s,") % {"name": user.display_name},
        "",
        _(
            "The directory records below have not been confirmed for more than %(days)s days. Please open each one "
            "and either confirm that it is still correct or correct it. Records still unconfirmed %(escalation)s "
            "days after they fall due are reported to the secretariat."
        )
        % {"days": confirmation_days(), "escalation": escalation_days()},
        *_record_lines(records, language),
        "",
        _("This message was sent by Comity because you are a national coordinator."),
    ]
    return subject, "\n".join(body) + "\n"


def _secretariat_message(user: User, groups: dict[str, list[DueRecord]], language: str) -> tuple[str, str]:
    count = len(groups["escalated"]) + len(groups["uncoordinated"])
    subject = ngettext(
        "Comity: %(count)d overdue directory record needs the secretariat",
        "Comity: %(count)d overdue directory records need the secretariat",
        count,
    ) % {"count": count}
    body = [_("Dear %(name)s,") % {"name": user.display_name}]
    if groups["escalated"]:
        body += [
            "",
            _("Still unconfirmed %(days)s days after falling due (escalated):") % {"days": escalation_days()},
            *_record_lines(groups["escalated"], language),
        ]
    if groups["uncoordinated"]:
        body += [
            "",
            _("Due in countries that have no national coordinator:"),
            *_record_lines(groups["uncoordinated"], language),
        ]
    with translation.override(language):
        try:
            dashboard = settings.COMITY_BASE_URL.rstrip("/") + reverse("directory:dashboard")
        except NoReverseMatch:
            dashboard = ""
    if dashboard:
        body += ["", _("The freshness dashboard: %(url)s") % {"url": dashboard}]
    return subject, "\n".join(body) + "\n"
