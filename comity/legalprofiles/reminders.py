"""Keeping legal profiles current: confirmation reminders and escalation (run daily by `legalprofiles_reminders`).

The same cycle as the directory's (comity/directory/importexport/reminders.py), for profiles and measure fiches. A
record is due when its `last_confirmed_at` is older than LEGALPROFILES_CONFIRMATION_DAYS (default 365). Its
`reminder_level` climbs as it stays overdue:

- 0 -> 1 when it becomes due: the national coordinators of its country are reminded;
- 1 -> 2 after LEGALPROFILES_SECOND_REMINDER_DAYS overdue (default 14): they are reminded again;
- 2 -> 3 after LEGALPROFILES_ESCALATION_DAYS overdue (default 30): the secretariat is told.

A record that skipped levels goes straight to its level. Due records of a country without a national coordinator go
to the secretariat at once. Each recipient gets one e-mail per run listing all their records, in their preferred
language, queued in the outbox (comity.mail) inside the transaction. Only a level rise sends anything, so running
twice a day sends nothing new. Confirming or editing resets the level (the services do that); a record no longer due
(the window was lengthened) is reset here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comity.accounts.models import Role, User
from comity.core.i18n import UI_LANGUAGES, format_day, territory_name
from comity.legalprofiles.choices import Measure
from comity.legalprofiles.models import CountryProfile, MeasureFiche

FIRST, SECOND, ESCALATED = 1, 2, 3
BATCH = 500
CATEGORY = "legal_reminder"  # at most 20 characters (OutboxEmail.category)


def confirmation_days() -> int:
    return int(getattr(settings, "LEGALPROFILES_CONFIRMATION_DAYS", 365))


def second_reminder_days() -> int:
    return int(getattr(settings, "LEGALPROFILES_SECOND_REMINDER_DAYS", 14))


def escalation_days() -> int:
    return int(getattr(settings, "LEGALPROFILES_ESCALATION_DAYS", 30))


def target_level(overdue: dt.timedelta) -> int:
    if overdue < dt.timedelta(0):
        return 0
    if overdue >= dt.timedelta(days=escalation_days()):
        return ESCALATED
    if overdue >= dt.timedelta(days=second_reminder_days()):
        return SECOND
    return FIRST


@dataclass
class DueRecord:
    kind: str  # "profile" or "fiche"
    record: CountryProfile | MeasureFiche
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


def _due_records(now: dt.datetime) -> list[DueRecord]:
    window = dt.timedelta(days=confirmation_days())
    cutoff = now - window
    out: list[DueRecord] = []
    for kind, model in (("profile", CountryProfile), ("fiche", MeasureFiche)):
        rows = (
            model.objects.select_for_update(of=("self",))
            .select_related("country")
            .filter(last_confirmed_at__lt=cutoff, reminder_level__lt=ESCALATED)
            .order_by("last_confirmed_at", "pk")
        )
        for record in rows:
            overdue = now - (record.last_confirmed_at + window)
            level = target_level(overdue)
            if level > record.reminder_level:
                out.append(DueRecord(kind, record, record.country.iso2, record.reminder_level, level, overdue.days))
    return out


def send_reminders(*, now: dt.datetime | None = None) -> ReminderRun:
    """One daily pass: raise levels and e-mail each recipient once (queued in the outbox, sent after commit)."""
    now = now or timezone.now()
    run = ReminderRun()
    cutoff = now - dt.timedelta(days=confirmation_days())
    with transaction.atomic():
        for model in (CountryProfile, MeasureFiche):
            run.records_reset += model.objects.filter(reminder_level__gt=0, last_confirmed_at__gte=cutoff).update(
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
        for record in due:
            escalated = record.new_level == ESCALATED
            run.records_escalated += escalated
            run.records_reminded += not escalated
        for user_pk, records in to_coordinator.items():
            _send_later(people[user_pk], _coordinator_message, records)
            run.emails_to_coordinators += 1
        if to_secretariat["escalated"] or to_secretariat["uncoordinated"]:
            for user in secretariat:
                _send_later(user, _secretariat_message, to_secretariat)
                run.emails_to_secretariat += 1
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
        out[pair.country.iso2].append(users.setdefault(pair.user_id, pair.user))
    return out


def _save_levels(due: list[DueRecord], now: dt.datetime) -> None:
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for record in due:
        groups[(record.kind, record.new_level)].append(record.record.pk)
    for (kind, level), pks in groups.items():
        model = CountryProfile if kind == "profile" else MeasureFiche
        for start in range(0, len(pks), BATCH):
            model.objects.filter(pk__in=pks[start : start + BATCH]).update(reminder_level=level, reminder_sent_at=now)


# --- the e-mails ------------------------------------------------------------------------------------------------


def _language(user: User) -> str:
    return user.preferred_language if user.preferred_language in UI_LANGUAGES else settings.LANGUAGE_CODE


def record_link(record: DueRecord, language: str) -> str:
    with translation.override(language):
        if record.kind == "profile":
            path = reverse("legalprofiles:country_detail", kwargs={"iso2": record.country})
        else:
            path = reverse(
                "legalprofiles:measure_detail",
                kwargs={"iso2": record.country, "code": record.record.measure},  # type: ignore[union-attr]
            )
    return settings.COMITY_BASE_URL.rstrip("/") + path


def _send_later(user: User, compose, records) -> None:
    from comity.mail import services as outbox

    language = _language(user)
    with translation.override(language):
        subject, body = compose(user, records, language)
    outbox.outbox_enqueue(to=user.email, subject=str(subject), body_text=str(body), user=user, category=CATEGORY)
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
        for record in sorted(by_country[code], key=lambda r: (r.kind != "profile", r.record.last_confirmed_at)):
            if record.kind == "profile":
                label = _("Legal profile")
            else:
                label = _("Measure fiche: %(measure)s") % {"measure": Measure(record.record.measure).label}  # type: ignore[union-attr]
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
            lines.append("  " + record_link(record, language))
    return lines


def _coordinator_message(user: User, records: list[DueRecord], language: str) -> tuple[str, str]:
    subject = ngettext(
        "Comity: %(count)d legal profile page to confirm",
        "Comity: %(count)d legal profile pages to confirm",
        len(records),
    ) % {"count": len(records)}
    body = [
        _("Dear %(name)s,") % {"name": user.display_name},
        "",
        _(
            "The legal profile pages below have not been confirmed for more than %(days)s days. Please open each one "
            "and either confirm that it is still correct or correct it. Pages still unconfirmed %(escalation)s days "
            "after they fall due are reported to the secretariat."
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
        "Comity: %(count)d overdue legal profile page needs the secretariat",
        "Comity: %(count)d overdue legal profile pages need the secretariat",
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
        overdue = settings.COMITY_BASE_URL.rstrip("/") + reverse("legalprofiles:overdue")
    body += ["", _("Every overdue page: %(url)s") % {"url": overdue}]
    return subject, "\n".join(body) + "\n"
