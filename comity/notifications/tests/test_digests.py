"""Daily and weekly digests: at the recipient's local morning, in their language, grouped, once."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from comity.forum import services as forum_services
from comity.forum.models import TLP, SpaceKind
from comity.mail.models import OutboxEmail
from comity.notifications import digests, services
from comity.notifications.models import DigestState, EmailMode, Notification

pytestmark = pytest.mark.django_db

SUNDAY = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
# 07:00 in Jakarta (UTC+7) on Monday 2 March 2026 is 00:00 UTC.
JAKARTA_MORNING = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def setup(users, plenary, django_capture_on_commit_callbacks):
    other = users["member_other"]
    other.timezone, other.preferred_language = "Asia/Jakarta", "fr"
    other.save(update_fields=["timezone", "preferred_language"])
    coordinator = users["coordinator_other"]
    coordinator.timezone = "Asia/Jakarta"
    coordinator.save(update_fields=["timezone"])
    services.preference_set(user=other, email_mode=EmailMode.DAILY)
    services.preference_set(user=coordinator, email_mode=EmailMode.WEEKLY)
    thematic = forum_services.space_create(
        actor=users["secretariat"],
        kind=SpaceKind.THEMATIC,
        name="Cybercrime",
        invite_users=[other, coordinator, users["member"]],
    )
    thematic.names = {"fr": "Cybercriminalité"}
    thematic.save(update_fields=["names"])
    with django_capture_on_commit_callbacks(execute=True):
        first = forum_services.thread_create(
            actor=users["member"], space=plenary, title="Bank records", body="@ID what is needed?"
        )
        forum_services.post_create(actor=users["member"], thread=first, body="@member.id also this")
        forum_services.thread_create(
            actor=users["member"], space=thematic, title="Subscriber data", body="@member.id see", tlp=TLP.GREEN
        )
        forum_services.thread_create(
            actor=users["member"],
            space=thematic,
            title="Secret operation name",
            body="@member.id the target is X",
            tlp=TLP.RED,
        )
    Notification.objects.update(created_at=SUNDAY)
    return {"other": other, "coordinator": coordinator}


def test_nothing_before_the_local_morning(setup):
    report = digests.send_digests(now=JAKARTA_MORNING - dt.timedelta(minutes=1))
    assert report.sent == {"daily": 0, "weekly": 0}
    assert OutboxEmail.objects.count() == 0


def test_daily_and_weekly_digests_at_local_morning_grouped_and_in_the_recipients_language(setup):
    report = digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=3))
    assert report.sent == {"daily": 1, "weekly": 1}
    daily = OutboxEmail.objects.get(to="member.id@example.test")
    # The recipient reads French: subject, body and dates are in French.
    assert daily.subject == "[Comity] Votre récapitulatif quotidien, lundi 2 mars 2026"
    body = daily.body_text
    assert "4 nouvelles notifications depuis votre dernier récapitulatif." in body
    assert (
        body.index("== Plenary ==")
        < body.index("* Bank records [TLP:GREEN]")
        < body.index("== Cybercriminalité ==")
        < body.index("* Subscriber data [TLP:GREEN]")
    )
    assert "Bruno Member a mentionné votre pays (Indonésie) dans « Bank records »." in body
    assert "Bruno Member vous a mentionné(e) dans « Bank records »." in body
    assert "* Un fil de discussion marqué TLP:RED : 1 nouvelle notification" in body
    assert "Secret operation name" not in body and "the target is X" not in body
    assert "/fr/notifications/" in body
    assert daily.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Arrêter le récapitulatif quotidien" in body
    weekly = OutboxEmail.objects.get(to="coord.id@example.test")
    assert weekly.subject == "[Comity] Your weekly digest, Monday, March 2, 2026"
    assert "1 new notification since your last digest." in weekly.body_text
    state = DigestState.objects.get(user=setup["other"])
    assert state.last_daily_digest_at == JAKARTA_MORNING + dt.timedelta(minutes=3)
    assert Notification.objects.filter(digested_at__isnull=True).count() == 0


def test_a_digest_goes_out_once_per_morning_and_later_notifications_wait(setup, users):
    digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=3))
    note = Notification.objects.filter(user=setup["other"]).first()
    Notification.objects.create(
        user=setup["other"],
        kind="mention",
        thread=note.thread,
        email_mode="daily",
        created_at=JAKARTA_MORNING + dt.timedelta(hours=1),
    )
    assert digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=10)).sent == {"daily": 0, "weekly": 0}
    assert digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(hours=2)).sent == {"daily": 0, "weekly": 0}
    report = digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(days=1, minutes=5))
    assert report.sent == {"daily": 1, "weekly": 0}  # Tuesday: no weekly digest
    assert OutboxEmail.objects.filter(to="member.id@example.test").count() == 2
    assert (
        "1 nouvelle notification depuis votre dernier récapitulatif."
        in OutboxEmail.objects.filter(to="member.id@example.test").last().body_text
    )


def test_missed_morning_is_caught_up_within_the_window_but_not_in_the_afternoon(setup, settings):
    settings.NOTIFICATIONS_DIGEST_WINDOW_HOURS = 6
    assert digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(hours=7)).sent == {"daily": 0, "weekly": 0}
    assert digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(hours=5, minutes=59)).sent == {
        "daily": 1,
        "weekly": 1,
    }


def test_each_recipient_gets_their_own_morning(setup, users):
    member = users["member"]  # Sao Paulo, UTC-3: 07:00 there is 10:00 UTC
    member.timezone = "America/Sao_Paulo"
    member.save(update_fields=["timezone"])
    services.preference_set(user=member, email_mode=EmailMode.DAILY)
    Notification.objects.create(
        user=member, kind="reply", thread=Notification.objects.first().thread, email_mode="daily", created_at=SUNDAY
    )
    digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=3))
    assert not OutboxEmail.objects.filter(to="member.br@example.test").exists()
    digests.send_digests(now=dt.datetime(2026, 3, 2, 10, 4, tzinfo=dt.UTC))
    assert OutboxEmail.objects.filter(to="member.br@example.test").count() == 1


def test_notifications_from_spaces_no_longer_readable_are_dropped_from_the_digest(setup, users, plenary):
    forum_services.space_member_remove(actor=users["secretariat"], space=plenary, user=setup["other"])
    digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=3))
    body = OutboxEmail.objects.get(to="member.id@example.test").body_text
    assert "Bank records" not in body and "== Plenary ==" not in body
    assert "2 nouvelles notifications depuis votre dernier récapitulatif." in body


def test_send_digests_command(setup, capsys, monkeypatch):
    # The command reads the clock; pin it to Jakarta's Monday morning so the result is the same in any year.
    monkeypatch.setattr(digests.timezone, "now", lambda: JAKARTA_MORNING + dt.timedelta(minutes=3))
    call_command("send_digests")
    assert capsys.readouterr().out == "daily digests: 1, weekly digests: 1\n"
    queued = sorted(OutboxEmail.objects.values_list("to", flat=True))
    assert queued == ["coord.id@example.test", "member.id@example.test"]


def test_one_failing_digest_is_rolled_back_and_the_others_go_out(setup, monkeypatch, capsys, caplog):
    real = digests.emails.digest_email

    def broken_for_daily(*, user, period, **kwargs):
        if period == EmailMode.DAILY:
            raise RuntimeError("template broke")
        return real(user=user, period=period, **kwargs)

    monkeypatch.setattr(digests.emails, "digest_email", broken_for_daily)
    monkeypatch.setattr(digests.timezone, "now", lambda: JAKARTA_MORNING + dt.timedelta(minutes=3))
    with pytest.raises(CommandError, match="1 digests failed"):
        call_command("send_digests")
    assert capsys.readouterr().out == "daily digests: 0, weekly digests: 1\n"
    assert f"the daily digest of user {setup['other'].pk} failed" in caplog.text
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["coord.id@example.test"]
    # The failed one was rolled back as a whole: its notifications are still waiting, nothing marks it sent.
    assert Notification.objects.filter(user=setup["other"], digested_at__isnull=True).count() == 4
    assert DigestState.objects.filter(user=setup["other"]).count() == 0
    monkeypatch.setattr(digests.emails, "digest_email", real)
    report = digests.send_digests(now=JAKARTA_MORNING + dt.timedelta(minutes=13))
    assert (report.sent, report.failed) == ({"daily": 1, "weekly": 0}, 0)
