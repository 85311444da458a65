"""Confirmation reminders: due -> first reminder, +14 days -> second, +30 days -> escalation; one e-mail per
recipient in their language; idempotent re-runs; confirmed, inactive and former records are left alone."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from comity.accounts.models import Role
from comity.accounts.tests.factories import UserFactory
from comity.audit.models import AuditAction, AuditEvent
from comity.core.i18n import format_day
from comity.directory import services
from comity.directory.importexport.reminders import send_reminders
from comity.directory.models import Authority, Contact
from comity.directory.tests.factories import AuthorityFactory, ContactFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
BASE = settings.COMITY_BASE_URL.rstrip("/")


def ago(days: int) -> dt.datetime:
    return NOW - days * DAY


@pytest.fixture
def records(users, brazil, indonesia, france):
    users["coordinator"].preferred_language = "pt"
    users["coordinator"].save()
    br = AuthorityFactory(
        country=brazil,
        official_name="Ministério da Justiça (demo)",
        last_confirmed_at=ago(183),
        names={"pt": "Ministério da Justiça (demo)"},
    )
    br_contact = ContactFactory(seat__authority=br, name="Ana Souza", last_confirmed_at=ago(190))
    fresh = AuthorityFactory(country=brazil, last_confirmed_at=ago(10))
    ContactFactory(seat__authority=fresh, last_confirmed_at=ago(10))
    idn = AuthorityFactory(country=indonesia, official_name="Kejaksaan Agung (demo)", last_confirmed_at=ago(200))
    fr = AuthorityFactory(
        country=france, official_name="Bureau de l'entraide pénale (demo)", last_confirmed_at=ago(183)
    )
    inactive = AuthorityFactory(country=brazil, is_active=False, last_confirmed_at=ago(400))
    former = ContactFactory(seat__authority=br, end_date=dt.date(2025, 1, 1), last_confirmed_at=ago(400))
    return {
        "br": br,
        "br_contact": br_contact,
        "id": idn,
        "fr": fr,
        "inactive": inactive,
        "former": former,
        "fresh": fresh,
    }


def levels(records) -> dict[str, int]:
    out = {}
    for key, record in records.items():
        record.refresh_from_db()
        out[key] = record.reminder_level
    return out


def outbox() -> list[tuple[list[str], str]]:
    return [(message.to, message.subject) for message in mail.outbox]


def events(action) -> list[tuple[str, str, dict]]:
    return [
        (e.target_type, e.country_code, e.details) for e in AuditEvent.objects.filter(action=action).order_by("seq")
    ]


def test_first_reminder_second_reminder_escalation(records, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=NOW)
    assert (run.records_reminded, run.records_escalated, run.emails_to_coordinators, run.emails_to_secretariat) == (
        4,
        0,
        2,
        1,
    )
    assert levels(records) == {"br": 1, "br_contact": 1, "id": 2, "fr": 1, "inactive": 0, "former": 0, "fresh": 0}
    # The Brazilian coordinator reads Portuguese: subject, body and dates are in her language.
    assert sorted(outbox()) == [
        (["coord.br@example.test"], "Comity: 2 registros do diretório a confirmar"),
        (["coord.id@example.test"], "Comity: 1 directory record to confirm"),
        (["secretariat@example.test"], "Comity: 1 overdue directory record needs the secretariat"),
    ]
    br, contact = records["br"], records["br_contact"]
    to_br = next(m for m in mail.outbox if m.to == ["coord.br@example.test"])
    with translation.override("pt"):
        contact_day, br_day = format_day(ago(190).date()), format_day(ago(183).date())
    assert to_br.body == (
        "Prezado(a) Clara Coordinator,\n\n"
        "Os registros do diretório abaixo não são confirmados há mais de 182 dias. Abra cada um deles e confirme "
        "que continua correto ou corrija-o. Os registros ainda não confirmados 30 dias após o vencimento são "
        "comunicados ao secretariado.\n\n"
        "Brasil (BR)\n"
        "- Ana Souza, Ministério da Justiça (demo) (ponto de contato)\n"
        f"  última confirmação em {contact_day}, 8 dias de atraso; primeiro lembrete\n"
        f"  {BASE}/pt/directory/authorities/{br.pk}/#contact-{contact.pk}\n"
        "- Ministério da Justiça (demo) (autoridade)\n"
        f"  última confirmação em {br_day}, 1 dia de atraso; primeiro lembrete\n"
        f"  {BASE}/pt/directory/authorities/{br.pk}/\n\n"
        "Esta mensagem foi enviada pelo Comity porque o destinatário é coordenador nacional.\n"
    )
    to_secretariat = next(m for m in mail.outbox if m.to == ["secretariat@example.test"])
    assert to_secretariat.body == (
        "Dear Sam Secretariat,\n\n"
        "Due in countries that have no national coordinator:\n\n"
        "France (FR)\n"
        "- Bureau de l'entraide pénale (demo) (authority)\n"
        "  last confirmed Nov 30, 2025, 1 day overdue; first reminder\n"
        f"  {BASE}/en/directory/authorities/{records['fr'].pk}/\n\n"
        f"The freshness dashboard: {BASE}/en/directory/dashboard/\n"
    )
    assert events(AuditAction.DIRECTORY_REMINDER_SENT) == [
        (
            "directory.authority",
            "ID",
            {"level": 2, "previous_level": 0, "overdue_days": 18, "recipients": ["coord.id@example.test"]},
        ),
        (
            "directory.authority",
            "BR",
            {"level": 1, "previous_level": 0, "overdue_days": 1, "recipients": ["coord.br@example.test"]},
        ),
        (
            "directory.authority",
            "FR",
            {"level": 1, "previous_level": 0, "overdue_days": 1, "recipients": ["secretariat@example.test"]},
        ),
        (
            "directory.contact",
            "BR",
            {"level": 1, "previous_level": 0, "overdue_days": 8, "recipients": ["coord.br@example.test"]},
        ),
    ]

    # The same day again: nothing new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=NOW + dt.timedelta(hours=6))
    assert (run.records_reminded, run.records_escalated, mail.outbox) == (0, 0, [])
    assert AuditEvent.objects.filter(action=AuditAction.DIRECTORY_REMINDER_SENT).count() == 4

    # 14 days later: second reminders; Indonesia's record reaches 30 days overdue and is escalated.
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=NOW + 14 * DAY)
    assert levels(records) == {"br": 2, "br_contact": 2, "id": 3, "fr": 2, "inactive": 0, "former": 0, "fresh": 0}
    assert sorted(outbox()) == [
        (["coord.br@example.test"], "Comity: 2 registros do diretório a confirmar"),
        (["secretariat@example.test"], "Comity: 2 overdue directory records need the secretariat"),
    ]
    assert "segundo lembrete" in next(m.body for m in mail.outbox if m.to == ["coord.br@example.test"])
    assert [(t, c, d["level"], d["recipients"]) for t, c, d in events(AuditAction.DIRECTORY_ESCALATED)] == [
        ("directory.authority", "ID", 3, ["secretariat@example.test"])
    ]

    # 30 days after falling due: everything left is escalated to the secretariat only.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=NOW + 30 * DAY)
    assert levels(records) == {"br": 3, "br_contact": 3, "id": 3, "fr": 3, "inactive": 0, "former": 0, "fresh": 0}
    assert outbox() == [(["secretariat@example.test"], "Comity: 3 overdue directory records need the secretariat")]
    assert mail.outbox[0].body.startswith(
        "Dear Sam Secretariat,\n\nStill unconfirmed 30 days after falling due "
        "(escalated):\n\nBrazil (BR)\n- Ana Souza, Ministério da Justiça (demo) "
        "(contact point)\n"
    )
    assert AuditEvent.objects.filter(action=AuditAction.DIRECTORY_ESCALATED).count() == 4

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=NOW + 60 * DAY)
    assert (run.records_reminded, run.records_escalated, mail.outbox) == (0, 0, [])


def test_confirming_or_editing_resets_and_stops_reminders(users, brazil, django_capture_on_commit_callbacks):
    now = timezone.now()
    authority = AuthorityFactory(country=brazil, last_confirmed_at=now - 200 * DAY)
    contact = ContactFactory(seat__authority=authority, last_confirmed_at=now - 200 * DAY)
    send_reminders(now=now)
    assert [Authority.objects.get().reminder_level, Contact.objects.get().reminder_level] == [2, 2]
    services.authority_confirm(actor=users["coordinator"], authority=authority)
    services.contact_update(actor=users["coordinator"], contact=contact, data={"phone": "+55 61 1111"})
    assert [Authority.objects.get().reminder_level, Contact.objects.get().reminder_level] == [0, 0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = send_reminders(now=timezone.now())
    assert (run.records_reminded, run.records_escalated, mail.outbox) == (0, 0, [])
    assert [Authority.objects.get().reminder_level, Contact.objects.get().reminder_level] == [0, 0]


def test_a_record_no_longer_due_is_reset(brazil):
    authority = AuthorityFactory(country=brazil, last_confirmed_at=ago(10))
    Authority.objects.filter(pk=authority.pk).update(reminder_level=2)
    run = send_reminders(now=NOW)
    assert run.records_reset == 1
    authority.refresh_from_db()
    assert authority.reminder_level == 0


def test_a_long_overdue_record_reaches_coordinators_and_secretariat_at_once(
    users, brazil, django_capture_on_commit_callbacks
):
    AuthorityFactory(country=brazil, last_confirmed_at=ago(182 + 45))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(now=NOW)
    assert sorted(outbox()) == [
        (["coord.br@example.test"], "Comity: 1 directory record to confirm"),
        (["secretariat@example.test"], "Comity: 1 overdue directory record needs the secretariat"),
    ]
    assert "45 days overdue; escalated to the secretariat" in mail.outbox[0].body + mail.outbox[1].body
    assert [d["recipients"] for _t, _c, d in events(AuditAction.DIRECTORY_ESCALATED)] == [
        ["coord.br@example.test", "secretariat@example.test"]
    ]


def test_one_email_per_coordinator_of_several_countries(users, brazil, indonesia, django_capture_on_commit_callbacks):
    UserFactory(
        email="coord.both@example.test",
        full_name="Bea Both",
        country=brazil,
        role=Role.COORDINATOR,
        coordinated=[brazil, indonesia],
    )
    AuthorityFactory(country=brazil, last_confirmed_at=ago(183))
    AuthorityFactory(country=indonesia, last_confirmed_at=ago(183))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(now=NOW)
    assert sorted(outbox()) == [
        (["coord.both@example.test"], "Comity: 2 directory records to confirm"),
        (["coord.br@example.test"], "Comity: 1 directory record to confirm"),
        (["coord.id@example.test"], "Comity: 1 directory record to confirm"),
    ]


def test_no_email_is_sent_when_the_run_rolls_back(records, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_reminders(now=NOW)
    # Three deliveries to kick, then the audit chain's hold check: its events are the run's last write.
    assert [callback.__qualname__ for callback in callbacks] == ["_kick"] * 3 + ["_watch_hold.<locals>.report"]
    assert mail.outbox == []


def test_command(records, users, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("comity.directory.importexport.reminders.timezone.now", lambda: NOW)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("directory_reminders", stdout=out)
    assert out.getvalue() == (
        "4 record(s) reminded, 0 escalated, 0 reset; 2 e-mail(s) to coordinators, 1 to the secretariat.\n"
    )
    assert len(mail.outbox) == 3
    out = io.StringIO()
    call_command("directory_reminders", stdout=out)
    assert out.getvalue() == (
        "0 record(s) reminded, 0 escalated, 0 reset; 0 e-mail(s) to coordinators, 0 to the secretariat.\n"
    )
