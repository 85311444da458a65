"""Forum state never goes backwards when requests arrive at the same time: read markers, a thread's last-post
pointer, a question's status and its accepted answer. These run real threads, each with its own connection, against
PostgreSQL (row locks and READ COMMITTED between connections are what is tested; SQLite serializes writers)."""

import random
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client

from comity.accounts.tests.factories import UserFactory
from comity.audit.models import AuditAction, AuditEvent
from comity.forum import moderation, services
from comity.forum.models import Post, ReadMarker, SpaceKind, Thread
from comity.forum.tests.test_reading import add_posts
from comity.testing import sign_in

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


def run_together(*jobs) -> None:
    """Start every job at the same moment, each in its own thread with its own connection; re-raise any failure."""
    start = threading.Barrier(len(jobs))
    failures: list[BaseException] = []

    def run(job) -> None:
        try:
            start.wait()
            job()
        except BaseException as exc:  # reported below, after every thread ended
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []


def test_read_marker_ends_at_the_furthest_position_whatever_the_order(users, plenary):
    """Two tabs, a poll and the reader's own post mark the thread read at different positions at the same time,
    in a shuffled order, 25 times; the marker always ends at the furthest one and never at an earlier one."""
    reader, writer = users["member"], users["member_other"]
    random.seed(10)
    for round_number in range(25):
        thread = services.thread_create(actor=writer, space=plenary, title=f"Round {round_number}", body="a")
        posts = add_posts(thread, 30, authors=[writer])
        if round_number % 2:  # half the rounds start from an existing marker, half from none
            services.mark_read(user=reader, thread=thread, up_to_post_id=posts[4].pk, up_to_number=5)
        positions = random.sample(range(6, 32), 3)  # two tabs and a poll
        jobs = [
            (lambda n=n, t=thread, p=posts: services.mark_read(user=reader, thread=t, up_to_post_id=p[n - 1].pk))
            for n in positions
        ]
        jobs.append(lambda t=thread: services.post_create(actor=reader, thread=t, body="my reply"))  # number 32
        random.shuffle(jobs)
        run_together(*jobs)
        marker = ReadMarker.objects.get(user=reader, thread=thread)
        own = Post.objects.get(thread=thread, author=reader)
        assert (own.number, marker.last_read_number, marker.last_read_post_id) == (32, 32, own.pk)
        assert ReadMarker.objects.filter(user=reader, thread=thread).count() == 1


def test_two_tabs_and_a_poll_over_http_leave_the_marker_at_the_last_post(users, plenary):
    """The pages themselves: tab 1 reads page 1 (posts 1-50), tab 2 the last page (51-60), the poll the posts after
    55, all at once; the marker ends at 60, and the first page, read later, does not take it back."""
    reader, writer = users["member"], users["member_other"]
    thread = services.thread_create(actor=writer, space=plenary, title="Long", body="first")
    posts = add_posts(thread, 59, authors=[writer])
    clients = [sign_in(Client(), reader) for _ in range(3)]
    urls = [
        f"/en/forum/t/{thread.pk}/?page=1",
        f"/en/forum/t/{thread.pk}/?page=2",
        f"/en/forum/t/{thread.pk}/new-posts/?after={posts[54].pk}",
    ]
    statuses: dict[str, int] = {}

    def get(client, url):
        statuses[url] = client.get(url).status_code

    run_together(*[lambda c=c, u=u: get(c, u) for c, u in zip(clients, urls, strict=True)])
    assert statuses == dict.fromkeys(urls, 200)
    marker = ReadMarker.objects.get(user=reader, thread=thread)
    assert (marker.last_read_number, marker.last_read_post_id) == (60, posts[59].pk)
    assert clients[0].get(urls[0]).status_code == 200
    marker.refresh_from_db()
    assert (marker.last_read_number, marker.last_read_post_id) == (60, posts[59].pk)


def test_last_post_pointer_and_markers_of_many_writers_end_at_the_last_post(users, plenary):
    """Eight writers post into one thread at once while two readers' tabs mark it read; the thread's pointer is the
    last post (by number and time) and each writer's own marker is at least at their own last post."""
    thread = services.thread_create(actor=users["member"], space=plenary, title="Busy", body="opening")
    writers = [UserFactory(email=f"writer{i}@example.test", country=users["member"].country) for i in range(8)]
    readers = [users["coordinator"], users["coordinator_other"]]

    def write(author) -> None:
        for n in range(5):
            services.post_create(actor=author, thread=thread, body=f"{author.pk} {n}")

    def read(reader) -> None:
        for _ in range(10):
            last = Thread.objects.filter(pk=thread.pk).values_list("last_post_id_cache", flat=True).get()
            services.mark_read(user=reader, thread=thread, up_to_post_id=last)

    run_together(*[lambda a=a: write(a) for a in writers], *[lambda r=r: read(r) for r in readers])
    thread.refresh_from_db()
    last = Post.objects.get(thread=thread, number=41)
    assert (thread.post_count, thread.last_post_number) == (41, 41)
    assert (thread.last_post_id_cache, thread.last_post_at) == (last.pk, last.created_at)
    for author in writers:
        own_last = Post.objects.filter(thread=thread, author=author).order_by("-number").first()
        marker = ReadMarker.objects.get(user=author, thread=thread)
        assert marker.last_read_number >= own_last.number  # later posts by others may have been read too
        assert Post.objects.get(thread=thread, number=marker.last_read_number).pk == marker.last_read_post_id


def test_a_hidden_post_never_stays_the_accepted_answer_when_hiding_and_accepting_race(users, plenary, indonesia):
    """The asker accepts an answer while a moderator hides it, 20 times in a random order: either the hide comes
    first and the acceptance is refused, or the acceptance comes first and the hide withdraws it (audited)."""
    asker, answerer, moderator = users["member"], users["member_other"], users["moderator"]
    random.seed(11)
    outcomes = []
    for round_number in range(20):
        thread = services.thread_create(
            actor=asker,
            space=plenary,
            title=f"Question {round_number}",
            body="Which form?",
            kind=Thread.Kind.QUESTION,
            addressed_countries=[indonesia],
        )
        answer = services.post_create(actor=answerer, thread=thread, body="This one.")
        refused: list[str] = []

        def accept(t=thread, a=answer, refused=refused):
            try:
                services.question_accept_answer(actor=asker, thread=t, post=Post.objects.get(pk=a.pk))
            except Exception as exc:  # the only acceptable refusal is checked below
                refused.append(" ".join(getattr(exc, "messages", [repr(exc)])))

        def hide(a=answer):
            moderation.post_hide(actor=moderator, post=Post.objects.get(pk=a.pk), reason="Off topic")

        jobs = [accept, hide]
        random.shuffle(jobs)
        run_together(*jobs)
        thread.refresh_from_db()
        assert Post.objects.get(pk=answer.pk).is_hidden is True
        assert (thread.accepted_post_id, thread.status) == (None, Thread.Status.ANSWERED)
        accepted = AuditEvent.objects.filter(action=AuditAction.ANSWER_ACCEPTED, target_id=str(thread.pk)).count()
        withdrawn = list(
            AuditEvent.objects.filter(action=AuditAction.ANSWER_UNACCEPTED, target_id=str(thread.pk)).values_list(
                "details", flat=True
            )
        )
        if refused:
            assert (refused, accepted, withdrawn) == (["Choose an answer in this question."], 0, [])
            outcomes.append("refused")
        else:
            assert accepted == 1
            assert withdrawn == [{"thread": thread.pk, "space": plenary.pk, "post": answer.pk, "cause": "hidden"}]
            outcomes.append("withdrawn")
    assert len(outcomes) == 20


def test_an_answer_posted_while_the_question_is_resolved_does_not_reopen_it(users, plenary, indonesia):
    """A reply from an addressed country, written from a page loaded before the answer was accepted, leaves the
    question resolved (the status moves open -> answered -> resolved, never back by a stale object)."""
    asker, answerer = users["member"], users["member_other"]
    for round_number in range(10):
        thread = services.thread_create(
            actor=asker,
            space=plenary,
            title=f"Q {round_number}",
            body="?",
            kind=Thread.Kind.QUESTION,
            addressed_countries=[indonesia],
        )
        answer = services.post_create(actor=answerer, thread=thread, body="first answer")
        stale = Thread.objects.get(pk=thread.pk)
        Thread.objects.filter(pk=thread.pk).update(status=Thread.Status.OPEN)  # as the page saw it
        stale.status = Thread.Status.OPEN
        run_together(
            lambda t=thread, a=answer: services.question_accept_answer(actor=asker, thread=t, post=a),
            lambda s=stale: services.post_create(actor=answerer, thread=s, body="another answer"),
        )
        thread.refresh_from_db()
        assert (thread.status, thread.accepted_post_id) == (Thread.Status.RESOLVED, answer.pk)


def test_two_moderators_doing_the_same_at_once_write_one_event(users, plenary):
    """Hide, lock, pin and legal hold change state with one conditional UPDATE: of two moderators acting at the same
    moment, one does it (one audit event) and the other is told it is already done."""
    secretariat, moderator = users["secretariat"], users["moderator"]
    thread = services.thread_create(actor=users["member"], space=plenary, title="Heated", body="start")
    post = services.post_create(actor=users["member_other"], thread=thread, body="Rude words")
    actions = [
        (
            AuditAction.POST_HIDDEN,
            lambda who: moderation.post_hide(actor=who, post=Post.objects.get(pk=post.pk), reason="Rude"),
        ),
        (
            AuditAction.THREAD_LOCKED,
            lambda who: moderation.thread_lock(actor=who, thread=Thread.objects.get(pk=thread.pk)),
        ),
        (
            AuditAction.THREAD_PINNED,
            lambda who: moderation.thread_pin(actor=who, thread=Thread.objects.get(pk=thread.pk)),
        ),
        (
            AuditAction.LEGAL_HOLD_SET,
            lambda who: moderation.thread_legal_hold_set(
                actor=who, thread=Thread.objects.get(pk=thread.pk), reason="Court"
            ),
        ),
    ]
    for action, act in actions:
        told: list[str] = []

        def attempt(who, act=act, told=told):
            try:
                act(who)
            except ValidationError as exc:
                told.append(exc.messages[0])

        run_together(lambda: attempt(secretariat), lambda: attempt(moderator))
        assert (AuditEvent.objects.filter(action=action).count(), len(told)) == (1, 1), action
    thread.refresh_from_db()
    assert (thread.is_locked, thread.is_pinned, thread.legal_hold, Post.objects.get(pk=post.pk).is_hidden) == (
        True,
        True,
        True,
        True,
    )
