"""Who is told about a new post: mentions, country mentions, questions, replies, watchers; never outsiders."""

import pytest
from django.core import mail

from comity.forum import services as forum_services
from comity.forum.models import NotifyLevel, Thread
from comity.mail.models import OutboxEmail, OutboxStatus
from comity.notifications import services
from comity.notifications.models import EmailMode, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(django_capture_on_commit_callbacks):
    """Forum writes with their after-commit work (notifications, then e-mail delivery) carried out."""

    class Forum:
        @staticmethod
        def thread(actor, space, body, title="Mutual legal assistance", **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return forum_services.thread_create(actor=actor, space=space, title=title, body=body, **kwargs)

        @staticmethod
        def reply(actor, thread, body, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return forum_services.post_create(actor=actor, thread=thread, body=body, **kwargs)

    return Forum


def told():
    return sorted((n.user.email, n.kind, n.country_code) for n in Notification.objects.select_related("user"))


def mailed():
    return sorted(OutboxEmail.objects.values_list("to", flat=True))


def test_person_mention_notifies_and_mails_the_person_not_the_author(users, plenary, forum):
    forum.thread(users["member"], plenary, "Hello @member.id, and myself @member.br")
    assert told() == [("member.id@example.test", "mention", "")]
    assert mailed() == ["member.id@example.test"]
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT  # the ImmediateBackend task ran after commit
    assert [m.to for m in mail.outbox] == [["member.id@example.test"]]


def test_country_mention_reaches_the_countrys_contact_points(users, plenary, forum):
    forum.thread(users["member"], plenary, "What does @ID require for bank records?")
    assert told() == [
        ("coord.id@example.test", "country_mention", "ID"),
        ("member.id@example.test", "country_mention", "ID"),
    ]


def test_private_consultation_never_tells_or_mails_outsiders(users, private, forum):
    forum.thread(users["member"], private, "@member.id @ID @coord.id and @coord.br, see the draft.")
    assert told() == [("coord.br@example.test", "mention", "")]
    assert mailed() == ["coord.br@example.test"]
    assert not Notification.objects.filter(user__country__iso2="ID").exists()


def test_country_mention_inside_a_private_space_only_reaches_readers(users, private, forum, brazil):
    forum.thread(users["coordinator"], private, "@BR please confirm")
    # Brazil's contact points: member (a reader, notified) and the coordinator (the author, never).
    assert told() == [("member.br@example.test", "country_mention", "BR")]


def test_question_tells_the_addressed_country_once(users, plenary, forum, indonesia):
    thread = forum.thread(
        users["member"], plenary, "Can you serve documents?", kind=Thread.Kind.QUESTION, addressed_countries=[indonesia]
    )
    assert told() == [
        ("coord.id@example.test", "question_to_country", "ID"),
        ("member.id@example.test", "question_to_country", "ID"),
    ]
    forum.reply(users["secretariat"], thread, "Following.")
    # The later post tells the asker (a reply to their thread), not the addressed country again.
    assert told() == [
        ("coord.id@example.test", "question_to_country", "ID"),
        ("member.br@example.test", "reply", ""),
        ("member.id@example.test", "question_to_country", "ID"),
    ]


def test_replies_reach_the_thread_author_and_the_quoted_author(users, plenary, forum):
    thread = forum.thread(users["member"], plenary, "Opening")
    second = forum.reply(users["member_other"], thread, "A view")
    Notification.objects.all().delete()
    forum.reply(users["secretariat"], thread, "Quoting", quote_of=second)
    assert told() == [("member.br@example.test", "reply", ""), ("member.id@example.test", "reply", "")]


def test_watchers_of_thread_and_space(users, plenary, forum):
    thread = forum.thread(users["member"], plenary, "Opening")
    forum_services.thread_subscription_set(actor=users["observer"], thread=thread, level=NotifyLevel.WATCHING)
    forum_services.space_notify_level_set(actor=users["moderator"], space=plenary, level=NotifyLevel.WATCHING)
    forum_services.space_notify_level_set(actor=users["liaison"], space=plenary, level=NotifyLevel.WATCHING)
    # The thread's own level wins over the space's: the liaison watches the space but not this thread.
    forum_services.thread_subscription_set(actor=users["liaison"], thread=thread, level=NotifyLevel.NORMAL)
    forum.reply(users["secretariat"], thread, "News")
    assert told() == [
        ("member.br@example.test", "reply", ""),
        ("moderator@example.test", "watched_space", ""),
        ("observer@example.test", "watched_thread", ""),
    ]
    space_mail = OutboxEmail.objects.get(to="moderator@example.test")
    assert "/unsubscribe/" in space_mail.headers["List-Unsubscribe"]
    assert "Stop e-mail about this space" in space_mail.body_text


def test_one_notification_per_person_and_post_with_the_strongest_reason(users, plenary, forum):
    thread = forum.thread(users["member"], plenary, "Opening")
    forum_services.thread_subscription_set(actor=users["member_other"], thread=thread, level=NotifyLevel.WATCHING)
    forum.reply(users["secretariat"], thread, "@member.id and @ID: over to you")
    assert told() == [
        ("coord.id@example.test", "country_mention", "ID"),
        ("member.br@example.test", "reply", ""),
        ("member.id@example.test", "mention", ""),
    ]


def test_muted_thread_silences_all_but_personal_mentions_and_sends_no_mail(users, plenary, forum):
    thread = forum.thread(users["member"], plenary, "Opening")
    forum_services.thread_subscription_set(actor=users["member_other"], thread=thread, level=NotifyLevel.MUTED)
    forum_services.thread_subscription_set(actor=users["coordinator_other"], thread=thread, level=NotifyLevel.MUTED)
    forum.reply(users["secretariat"], thread, "@member.id and @ID")
    assert told() == [("member.br@example.test", "reply", ""), ("member.id@example.test", "mention", "")]
    assert Notification.objects.get(user=users["member_other"]).email_mode == EmailMode.NONE
    assert mailed() == ["member.br@example.test"]


def test_muted_space_silences_country_mentions(users, plenary, forum):
    forum_services.space_notify_level_set(actor=users["coordinator_other"], space=plenary, level=NotifyLevel.MUTED)
    forum.thread(users["member"], plenary, "@ID")
    assert told() == [("member.id@example.test", "country_mention", "ID")]


def test_removed_member_is_not_told(users, plenary, forum):
    forum_services.space_member_remove(actor=users["secretariat"], space=plenary, user=users["member_other"])
    forum.thread(users["member"], plenary, "@member.id @ID")
    assert told() == [("coord.id@example.test", "country_mention", "ID")]


def test_inactive_user_is_not_told(users, plenary, forum):
    users["member_other"].is_active = False
    users["member_other"].save(update_fields=["is_active"])
    forum.thread(users["member"], plenary, "@member.id")
    assert told() == []


def test_email_mode_follows_thread_then_space_then_default(users, plenary, forum):
    other = users["member_other"]
    services.preference_set(user=other, email_mode=EmailMode.WEEKLY)
    forum.thread(users["member"], plenary, "@member.id first")
    services.preference_set(user=other, email_mode=EmailMode.DAILY, space=plenary)
    thread = forum.thread(users["member"], plenary, "@member.id second")
    services.preference_set(user=other, email_mode=EmailMode.IMMEDIATE, thread=thread)
    forum.reply(users["member"], thread, "@member.id third")
    modes = list(Notification.objects.filter(user=other).order_by("pk").values_list("email_mode", flat=True))
    assert modes == ["weekly", "daily", "immediate"]
    assert mailed() == ["member.id@example.test"]  # only the immediate one went to the outbox
    assert NotificationPreference.objects.filter(user=other).count() == 3


def test_hidden_or_missing_post_tells_nobody(users, plenary):
    services.on_post_created(999999)
    assert Notification.objects.count() == 0


def test_task_backend_failure_falls_back_to_notifying_at_once(users, plenary, settings, caplog):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="T", body="@member.id")
    settings.TASKS = {"default": {"BACKEND": "comity.no_such_module.Backend"}}
    services.on_post_created(thread.posts.get().pk)
    assert told() == [("member.id@example.test", "mention", "")]
    assert "could not enqueue notifications" in caplog.text
    services.notify_post(thread.posts.get().pk)  # a retried task notifies nobody twice
    assert Notification.objects.count() == 1
