"""Reminders: a request without acknowledgement after N business days of the requested authority (its office
hours, holidays and closures), or past its deadline, reminds both sides; urgent ones sooner; never twice at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from comity.audit.models import AuditEvent
from comity.requests import selectors, services, tasks
from comity.requests.models import Notice, Request
from comity.requests.tests.conftest import complete_draft

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def sent(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    # Monday 2 November 2026, 10:00 in Jakarta
    return services.draft_finalise(
        actor=people["br_member"], draft=draft, now=dt.datetime(2026, 11, 2, 10, tzinfo=JAKARTA)
    )


def test_business_days_follow_the_requested_authority(authorities):
    authority = authorities["ID"]
    start = dt.datetime(2026, 11, 2, 10, tzinfo=JAKARTA)  # Monday
    assert selectors.business_days_between(authority, start, start + dt.timedelta(days=7)) == 5
    # Christmas Day is a public holiday in Indonesia
    christmas_week = dt.datetime(2026, 12, 21, 10, tzinfo=JAKARTA)
    assert selectors.business_days_between(authority, christmas_week, christmas_week + dt.timedelta(days=7)) == 4


def test_unacknowledged_after_ten_business_days_reminds_both_sides_once(sent, people):
    Notice.objects.all().delete()
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 13, 12, tzinfo=JAKARTA)) == 0  # 9 business days
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 16, 12, tzinfo=JAKARTA)) == 1  # 10
    told = set(Notice.objects.filter(kind="reminder").values_list("user__email", flat=True))
    assert told == {
        "br.member@example.test",
        "br.colleague@example.test",
        "br.coord@example.test",
        "id.member@example.test",
        "id.coord@example.test",
    }
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 17, 12, tzinfo=JAKARTA)) == 0
    assert AuditEvent.objects.filter(action="requests.reminder_sent").count() == 1
    services.request_status_set(actor=people["id_member"], request=sent, status="acknowledged")
    assert tasks.send_due_reminders(now=dt.datetime(2026, 12, 30, 12, tzinfo=JAKARTA)) == 0


def test_urgent_requests_are_reminded_sooner(sent):
    Request.objects.filter(pk=sent.pk).update(urgent=True)
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 3, 12, tzinfo=JAKARTA)) == 0
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 4, 12, tzinfo=JAKARTA)) == 1


def test_past_its_deadline(sent, people):
    services.request_status_set(actor=people["id_member"], request=sent, status="acknowledged")
    Request.objects.filter(pk=sent.pk).update(deadline=dt.date(2026, 11, 5))
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 5, 12, tzinfo=JAKARTA)) == 0
    assert tasks.send_due_reminders(now=dt.datetime(2026, 11, 6, 12, tzinfo=JAKARTA)) == 1


def test_the_command(sent, capsys):
    call_command("requests_reminders")
    assert "request(s) reminded" in capsys.readouterr().out
