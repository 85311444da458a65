"""Confirmation reminders of profiles and fiches: due -> first reminder, +14 days -> second, +30 days -> escalation;
one e-mail per recipient queued in the outbox in their language; idempotent re-runs; confirming resets."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from comity.legalprofiles import services
from comity.legalprofiles.reminders import CATEGORY, send_reminders
from comity.legalprofiles.tests.factories import FicheFactory, ProfileFactory
from comity.mail.models import OutboxEmail

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
BASE = settings.COMITY_BASE_URL.rstrip("/")


def ago(days: int) -> dt.datetime:
    return NOW - days * DAY


@pytest.fixture
def records(users, brazil, indonesia, france):
    return {
        "br": ProfileFactory(country=brazil, last_confirmed_at=ago(366)),  # 1 day overdue
        "br_fiche": FicheFactory(country=brazil, measure="freezing", last_confirmed_at=ago(370)),
        "fresh": FicheFactory(country=brazil, measure="confiscation", last_confirmed_at=ago(10)),
        "id": ProfileFactory(country=indonesia, last_confirmed_at=ago(365 + 20)),  # second reminder
        "fr": FicheFactory(country=france, measure="interception", last_confirmed_at=ago(366)),  # no coordinator
    }


def levels(records):
    out = {}
    for key, record in records.items():
        record.refresh_from_db()
        out[key] = record.reminder_level
    return out


def mails():
    return sorted((m.to, m.subject) for m in OutboxEmail.objects.filter(category=CATEGORY))


def test_levels_and_emails(records, users):
    run = send_reminders(now=NOW)
    assert (run.records_reminded, run.records_escalated, run.emails_to_coordinators, run.emails_to_secretariat) == (
        4,
        0,
        2,
        1,
    )
    assert levels(records) == {"br": 1, "br_fiche": 1, "fresh": 0, "id": 2, "fr": 1}
    assert mails() == [
        ("coord.br@example.test", "Comity: 2 legal profile pages to confirm"),
        ("coord.id@example.test", "Comity: 1 legal profile page to confirm"),
        ("secretariat@example.test", "Comity: 1 overdue legal profile page needs the secretariat"),
    ]
    body = OutboxEmail.objects.get(to="coord.br@example.test").body_text
    assert f"{BASE}/en/legal/countries/BR/\n" in body
    assert f"{BASE}/en/legal/countries/BR/measures/freezing/\n" in body
    assert "- Measure fiche: Freezing of assets\n" in body
    assert "1 day overdue; first reminder" in body
    secretariat = OutboxEmail.objects.get(to="secretariat@example.test").body_text
    assert "Due in countries that have no national coordinator:" in secretariat
    assert f"{BASE}/en/legal/overdue/" in secretariat


def test_rerun_sends_nothing_new_then_escalates(records, users):
    send_reminders(now=NOW)
    first = OutboxEmail.objects.count()
    again = send_reminders(now=NOW + dt.timedelta(hours=6))
    assert (again.records_reminded, again.records_escalated, OutboxEmail.objects.count()) == (0, 0, first)
    later = send_reminders(now=NOW + 15 * DAY)  # br, br_fiche and fr: second reminder; id (35 days): escalated
    assert (later.records_reminded, later.records_escalated) == (3, 1)
    escalated = send_reminders(now=NOW + 31 * DAY)
    assert (escalated.records_reminded, escalated.records_escalated) == (0, 3)
    assert levels(records) == {"br": 3, "br_fiche": 3, "fresh": 0, "id": 3, "fr": 3}
    body = OutboxEmail.objects.filter(to="secretariat@example.test").order_by("-pk").first().body_text
    assert "Still unconfirmed 30 days after falling due (escalated):" in body


def test_confirming_resets_the_level(records, users):
    send_reminders(now=NOW)
    services.profile_confirm(actor=users["coordinator"], country=records["br"].country)
    assert levels(records)["br"] == 0


def test_preferred_language(records, users):
    users["coordinator"].preferred_language = "fr"
    users["coordinator"].save()
    send_reminders(now=NOW)
    mail = OutboxEmail.objects.get(to="coord.br@example.test")
    assert f"{BASE}/fr/legal/countries/BR/" in mail.body_text


def test_command(records):
    out = io.StringIO()
    call_command("legalprofiles_reminders", stdout=out)
    # Run at the real time: every record created with an old date (2025) is far past due, escalated at once.
    assert out.getvalue().startswith("0 page(s) reminded, 4 escalated, 0 reset;")
    assert timezone.now() > NOW
