"""Reminders about unanswered questions, counted in the addressee's business days (Indonesia here)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.models import Closure, OfficeHours
from comity.directory.tests.factories import AuthorityFactory
from comity.forum import services as forum_services
from comity.forum.models import NotifyLevel, Thread
from comity.mail.models import OutboxEmail
from comity.notifications import reminders
from comity.notifications.models import Notification, QuestionReminder

pytestmark = pytest.mark.django_db
JAKARTA = ZoneInfo("Asia/Jakarta")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JAKARTA)


@pytest.fixture
def central(indonesia):
    """Indonesia's central authority: Monday-Friday office hours, Asia/Jakarta."""
    authority = AuthorityFactory(country=indonesia, timezone="Asia/Jakarta")
    AuthorityFactory(country=indonesia, timezone="UTC", competences=["extradition"], weekdays=False)
    return authority


@pytest.fixture
def ask(users, plenary, indonesia):
    def make(asked_at, space=None, countries=None):
        thread = forum_services.thread_create(
            actor=users["member"],
            space=space or plenary,
            title="Bank records",
            body="Which form do you need?",
            kind=Thread.Kind.QUESTION,
            addressed_countries=countries or [indonesia],
        )
        Thread.objects.filter(pk=thread.pk).update(created_at=asked_at)
        thread.refresh_from_db()
        return thread

    return make


def reminded():
    return sorted(
        (n.user.email, n.country_code)
        for n in Notification.objects.filter(kind="question_reminder").select_related("user")
    )


def test_friday_question_reminds_contact_points_on_wednesday_then_coordinators(users, central, ask):
    thread = ask(at(2025, 1, 10, 10, 0))  # Friday
    assert reminders.send_question_reminders(now=at(2025, 1, 15, 9, 59)) == []  # Wednesday, before 10:00
    [first] = reminders.send_question_reminders(now=at(2025, 1, 15, 10, 0))
    assert (first.level, first.due_at) == (1, at(2025, 1, 15, 10, 0))
    assert reminded() == [("coord.id@example.test", "ID"), ("member.id@example.test", "ID")]
    assert sorted(OutboxEmail.objects.values_list("to", "category")) == [
        ("coord.id@example.test", "reminder"),
        ("member.id@example.test", "reminder"),
    ]
    body = OutboxEmail.objects.get(to="member.id@example.test").body_text
    assert "The question “Bank records” to your country (Indonesia) is still open after 3 business days." in body
    event = AuditEvent.objects.get(action=AuditAction.QUESTION_REMINDER_SENT)
    assert (event.target_id, event.country_code, event.details["level"], event.details["recipients"]) == (
        str(thread.pk),
        "ID",
        1,
        sorted([users["member_other"].pk, users["coordinator_other"].pk]),
    )
    # Not repeated.
    assert reminders.send_question_reminders(now=at(2025, 1, 16, 12, 0)) == []
    # Three more business days (Thu, Fri, Mon): the national coordinator.
    assert reminders.send_question_reminders(now=at(2025, 1, 20, 9, 0)) == []
    [second] = reminders.send_question_reminders(now=at(2025, 1, 20, 10, 0))
    assert (second.level, second.recipients) == (2, [users["coordinator_other"].pk])
    thread.refresh_from_db()
    assert thread.reminder_level == 2
    assert reminders.send_question_reminders(now=at(2025, 2, 20, 10, 0)) == []
    assert AuditEvent.objects.filter(action=AuditAction.QUESTION_REMINDER_SENT).count() == 2


def test_public_holidays_of_the_addressee_push_the_reminder_back(users, central, ask):
    ask(at(2025, 1, 24, 10, 0))  # Friday; Mon 27 (Isra' Mi'raj) and Wed 29 (Lunar New Year) are holidays
    assert reminders.send_question_reminders(now=at(2025, 1, 29, 10, 0)) == []
    assert reminders.send_question_reminders(now=at(2025, 1, 30, 23, 0)) == []
    [reminder] = reminders.send_question_reminders(now=at(2025, 1, 31, 10, 0))
    assert reminder.due_at == at(2025, 1, 31, 10, 0)


def test_closures_and_office_days_count_too(central, ask):
    Closure.objects.create(authority=central, start_date=dt.date(2025, 1, 13), end_date=dt.date(2025, 1, 13))
    OfficeHours.objects.filter(authority=central, weekday=1).delete()  # closed on Tuesdays
    ask(at(2025, 1, 10, 10, 0))
    # Mon 13 closed, Tue 14 no office hours: Wed 15, Thu 16, Fri 17.
    assert reminders.send_question_reminders(now=at(2025, 1, 17, 9, 0)) == []
    [reminder] = reminders.send_question_reminders(now=at(2025, 1, 17, 10, 0))
    assert reminder.due_at == at(2025, 1, 17, 10, 0)


def test_business_days_setting(settings, central, ask):
    settings.FORUM_QUESTION_REMINDER_BUSINESS_DAYS = 1
    ask(at(2025, 1, 10, 10, 0))
    [reminder] = reminders.send_question_reminders(now=at(2025, 1, 13, 10, 0))
    assert reminder.level == 1


def test_answered_or_resolved_questions_are_not_reminded(users, central, ask, django_capture_on_commit_callbacks):
    thread = ask(at(2025, 1, 10, 10, 0))
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.post_create(actor=users["member_other"], thread=thread, body="Here is the form.")
    assert reminders.send_question_reminders(now=at(2025, 2, 28, 10, 0)) == []
    assert QuestionReminder.objects.count() == 0


def test_muted_and_unauthorised_people_are_not_reminded(users, central, ask):
    thread = ask(at(2025, 1, 10, 10, 0))
    forum_services.thread_subscription_set(actor=users["member_other"], thread=thread, level=NotifyLevel.MUTED)
    reminders.send_question_reminders(now=at(2025, 1, 15, 10, 0))
    assert reminded() == [("coord.id@example.test", "ID")]


def test_question_in_a_space_the_country_cannot_read_reminds_nobody_but_is_recorded(private, central, ask):
    ask(at(2025, 1, 10, 10, 0), space=private)
    [reminder] = reminders.send_question_reminders(now=at(2025, 1, 15, 10, 0))
    assert reminder.recipients == []
    assert reminded() == []
    assert OutboxEmail.objects.count() == 0


def test_without_an_authority_monday_to_friday_and_holidays_count(ask, france, users):
    ask(at(2025, 4, 18, 10, 0), countries=[france])  # Good Friday; Easter Monday 21 April is a French holiday
    assert reminders.send_question_reminders(now=at(2025, 4, 23, 11, 0)) == []
    [reminder] = reminders.send_question_reminders(now=dt.datetime(2025, 4, 24, 10, 0, tzinfo=dt.UTC))
    assert reminder.country.iso2 == "FR"


def test_question_reminders_command(central, ask, capsys, monkeypatch):
    thread = ask(at(2025, 1, 10, 10, 0))
    # The command reads the clock: pin it after both levels were due (15 and 20 January), whatever today is.
    monkeypatch.setattr(reminders.timezone, "now", lambda: at(2025, 2, 3, 10, 0))
    call_command("question_reminders")
    assert capsys.readouterr().out.splitlines() == [
        f"thread {thread.pk} ID: level 1, 2 recipients",
        f"thread {thread.pk} ID: level 2, 1 recipients",
        "reminders sent: 2",
    ]


def test_one_failing_reminder_is_rolled_back_and_the_others_go_out(
    central, ask, capsys, caplog, monkeypatch, france, users
):
    AuthorityFactory(country=france, timezone="Europe/Paris")
    users["member_other"].country = france  # a contact point in France too
    users["member_other"].save(update_fields=["country"])
    thread = ask(at(2025, 1, 10, 10, 0), countries=[central.country, france])
    real = reminders.services.queue_notification_email

    def broken_for_indonesia(**kwargs):
        if kwargs["user"].country_id == central.country_id:
            raise RuntimeError("mail template broke")
        return real(**kwargs)

    monkeypatch.setattr(reminders.services, "queue_notification_email", broken_for_indonesia)
    monkeypatch.setattr(reminders.timezone, "now", lambda: at(2025, 2, 3, 10, 0))
    with pytest.raises(CommandError, match="1 reminders failed"):
        call_command("question_reminders")
    assert capsys.readouterr().out.splitlines() == [
        f"thread {thread.pk} FR: level 1, 1 recipients",
        f"thread {thread.pk} FR: level 2, 0 recipients",
        "reminders sent: 2",
    ]
    assert f"reminder {thread.pk}/{central.country_id}/1 failed" in caplog.text
    # Indonesia's level 1 was rolled back whole, and its level 2 waits for it: nothing sent, nothing audited.
    assert sorted(QuestionReminder.objects.values_list("country__iso2", "level")) == [("FR", 1), ("FR", 2)]
    audited = AuditEvent.objects.filter(action=AuditAction.QUESTION_REMINDER_SENT)
    assert sorted(audited.values_list("country_code", flat=True)) == ["FR", "FR"]
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["member.id@example.test"]
