"""A post is committed before anyone is notified: a failure while notifying is logged and recorded for a
retry, and never turns the author's request into a 500."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from comity.forum import services as forum_services
from comity.forum.models import Post
from comity.mail.models import OutboxEmail
from comity.notifications import services, tasks
from comity.notifications.models import Notification, PostNotificationRetry

BROKEN_TASKS = {"default": {"BACKEND": "comity.no_such_module.Backend"}}  # enqueueing raises ImportError


def fail(**kwargs):
    raise RuntimeError("the notification machinery broke")


def reply(client, thread, body):
    return client.post(f"/en/forum/t/{thread.pk}/reply/", {"body": body, "language": "en"})


# transaction=True: the post's transaction really commits inside the request, so the hook runs there too.
@pytest.mark.django_db(transaction=True)
def test_reply_is_saved_and_shown_when_queueing_and_notifying_both_fail(
    personas, users, plenary, settings, monkeypatch, caplog
):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="Hello", body="opening")
    settings.TASKS = BROKEN_TASKS
    monkeypatch.setattr(services, "notify_about_post", fail)

    response = reply(personas["member"], thread, "@member.id see the attached draft")

    post = Post.objects.get(thread=thread, body="@member.id see the attached draft")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    page = personas["member"].get(response["Location"])
    assert page.status_code == 200
    assert "see the attached draft" in page.content.decode()
    assert f"could not enqueue notifications for post {post.pk}; notifying now" in caplog.text
    assert f"could not notify about post {post.pk}; recorded for notify_retry" in caplog.text
    assert list(PostNotificationRetry.objects.values_list("post_id", "attempts", "last_error")) == [
        (post.pk, 0, "RuntimeError: the notification machinery broke")
    ]
    assert Notification.objects.filter(post=post).count() == 0

    # Once the cause is gone, the retry tells everyone, exactly as the task would have.
    monkeypatch.undo()
    call_command("notify_retry")
    assert list(Notification.objects.filter(post=post).values_list("user__email", "kind")) == [
        ("member.id@example.test", "mention")
    ]
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == ["member.id@example.test"]
    assert PostNotificationRetry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_reply_succeeds_even_when_the_failure_cannot_be_recorded(
    personas, users, plenary, settings, monkeypatch, caplog
):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="Hello", body="opening")
    settings.TASKS = BROKEN_TASKS
    monkeypatch.setattr(services, "notify_about_post", fail)
    monkeypatch.setattr(PostNotificationRetry.objects, "update_or_create", fail)

    response = reply(personas["member"], thread, "a second reply")

    post = Post.objects.get(thread=thread, body="a second reply")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    assert f"could not record the failed notifications of post {post.pk} for a retry" in caplog.text
    assert PostNotificationRetry.objects.count() == 0


@pytest.mark.django_db
def test_queueing_fails_but_notifying_at_once_works(users, plenary, settings, django_capture_on_commit_callbacks):
    settings.TASKS = BROKEN_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        thread = forum_services.thread_create(actor=users["member"], space=plenary, title="T", body="@member.id")
    assert list(Notification.objects.filter(thread=thread).values_list("user__email", flat=True)) == [
        "member.id@example.test"
    ]
    assert PostNotificationRetry.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_task_is_recorded_for_a_retry_too(users, plenary, monkeypatch):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="T", body="@member.id")
    post = thread.posts.get()
    monkeypatch.setattr(services, "notify_about_post", fail)
    with pytest.raises(RuntimeError):
        tasks.notify_post.call(post.pk)  # what db_worker runs; it marks the task failed
    assert list(PostNotificationRetry.objects.values_list("post_id", flat=True)) == [post.pk]


@pytest.mark.django_db
def test_retry_backs_off_and_each_row_is_taken_once(users, plenary, monkeypatch, caplog):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="T", body="@member.id")
    post = thread.posts.get()
    now = timezone.now()
    services.notify_retry_record(post_id=post.pk, error=RuntimeError("first"), now=now)
    monkeypatch.setattr(services, "notify_about_post", fail)
    report = services.notify_retry_due(now=now)
    assert (report.done, report.failed) == (0, 1)
    row = PostNotificationRetry.objects.get()
    assert (row.attempts, row.next_attempt_at, row.last_error) == (
        1,
        now + dt.timedelta(seconds=60),
        "RuntimeError: the notification machinery broke",
    )
    assert f"notifications for post {post.pk} failed again (retry 1)" in caplog.text
    assert services.notify_retry_due(now=now + dt.timedelta(seconds=59)).failed == 0  # not due yet
    report = services.notify_retry_due(now=now + dt.timedelta(seconds=60))
    assert (report.done, report.failed) == (0, 1)
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, now + dt.timedelta(seconds=180))
    assert [services.retry_backoff(n).total_seconds() for n in (1, 2, 3, 9, 10, 30)] == [
        60,
        120,
        240,
        15360,
        21600,
        21600,
    ]

    # A second run that read the row before the first one took it finds it taken, and leaves it.
    monkeypatch.undo()
    stale = PostNotificationRetry.objects.get()
    PostNotificationRetry.objects.filter(pk=stale.pk).update(next_attempt_at=now + dt.timedelta(minutes=10))
    monkeypatch.setattr(
        PostNotificationRetry.objects, "filter", _first_read_is_stale(PostNotificationRetry.objects.filter, stale)
    )
    assert services.notify_retry_due(now=now + dt.timedelta(hours=1)).done == 0
    monkeypatch.undo()
    assert Notification.objects.filter(post=post).count() == 0
    assert services.notify_retry_due(now=now + dt.timedelta(hours=1)).done == 1
    assert Notification.objects.filter(post=post).count() == 1
    assert PostNotificationRetry.objects.count() == 0


def _first_read_is_stale(real_filter, stale):
    """The first query sees the row as it was (due), as a concurrent run that read it a moment earlier would."""
    calls = []

    def filter_(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return _StaleList([stale])
        return real_filter(*args, **kwargs)

    return filter_


class _StaleList(list):
    def order_by(self, *fields):
        return self


@pytest.mark.django_db
def test_the_next_post_s_task_retries_recorded_failures(users, plenary, django_capture_on_commit_callbacks):
    """Without waiting for cron: once tasks run again, the next post's task makes the missing notifications."""
    earlier = forum_services.thread_create(actor=users["member"], space=plenary, title="T", body="@member.id one")
    first = earlier.posts.get()
    services.notify_retry_record(post_id=first.pk, error=RuntimeError("task backend down"))
    assert Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        later = forum_services.thread_create(actor=users["member"], space=plenary, title="U", body="@member.id two")
    assert sorted(Notification.objects.values_list("post_id", "user__email")) == [
        (first.pk, "member.id@example.test"),
        (later.posts.get().pk, "member.id@example.test"),
    ]
    assert PostNotificationRetry.objects.count() == 0
