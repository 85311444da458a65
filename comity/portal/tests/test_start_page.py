"""The signed-in start page: questions to my country (open, answered, overdue in the addressee's business days),
my consultations with unread counts, unread watched threads, my records due for confirmation, my next events."""

import datetime as dt

import pytest
from django.utils import timezone

from comity.forum import services as forum_services
from comity.forum.models import SpaceKind, Thread
from comity.portal import views

pytestmark = pytest.mark.django_db


def test_visitors_get_the_public_home_and_members_their_start_page(personas):
    public = personas["anonymous"].get("/en/").content.decode()
    assert "The network today" in public and "Your consultations" not in public
    start = personas["member"].get("/en/").content.decode()
    assert "<h1>Welcome, Bruno Member</h1>" in start
    assert '<h2 id="events-heading">Your next events</h2>' in start
    assert "No upcoming events." in start


def test_questions_consultations_and_watched_threads(users, personas, brazil, django_assert_max_num_queries):
    secretariat, member_other = users["secretariat"], users["member_other"]
    plenary = forum_services.space_create(actor=secretariat, kind=SpaceKind.PLENARY, name="Plenary")
    old = forum_services.thread_create(
        actor=member_other,
        space=plenary,
        title="Old question to Brazil",
        body="Who executes searches?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[brazil],
    )
    Thread.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    forum_services.thread_create(
        actor=member_other,
        space=plenary,
        title="New question to Brazil",
        body="And seizures?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[brazil],
    )
    answered = forum_services.thread_create(
        actor=member_other,
        space=plenary,
        title="Answered question",
        body="Language?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[brazil],
    )
    forum_services.post_create(actor=users["member"], thread=answered, body="Portuguese.", language="en")
    consultation = forum_services.space_create(
        actor=member_other, kind=SpaceKind.PRIVATE, name="ID-BR consultation", invite_users=[users["member"]]
    )
    forum_services.thread_create(actor=member_other, space=consultation, title="Draft", body="Please look")
    forum_services.post_create(actor=member_other, thread=answered, body="Thanks!", language="en")

    with django_assert_max_num_queries(40):
        html = personas["member"].get("/en/").content.decode()
    assert "Questions to Brazil" in html
    assert "Open: 2" in html and "Answered: 1" in html and "Overdue: 1" in html
    assert html.index("Old question to Brazil") < html.index("New question to Brazil")
    assert "overdue since" in html
    assert "ID-BR consultation" in html and "1 unread thread" in html
    # Everyone in a consultation watches it: its unread thread is listed too.
    assert 'Draft</bdi></a>\n      <span class="badge">1 new post</span>' in html
    # The member wrote in "Answered question", so watches it; one post since.
    assert 'Answered question</bdi></a>\n      <span class="badge">1 new post</span>' in html


def test_records_due_for_confirmation(users, personas, brazil, settings):
    from comity.directory.models import Contact
    from comity.directory.tests.factories import AuthorityFactory, ContactFactory

    authority = AuthorityFactory(country=brazil, official_name="Central Authority of Brazil (test)")
    ContactFactory(seat__authority=authority, authority=authority, user=users["member"])
    Contact.objects.filter(user=users["member"]).update(last_confirmed_at=timezone.now() - dt.timedelta(days=1000))
    html = personas["member"].get("/en/").content.decode()
    assert "Your contact entry at Central Authority of Brazil (test)" in html
    assert "Nothing of yours is due for confirmation." in personas["member_other"].get("/en/").content.decode()


def test_next_events_placeholder_answers_an_empty_list(users):
    assert views._next_events(users["member"]) == []


def test_keepalive(personas):
    assert personas["member"].get("/en/session/keepalive/").json() == {"signed_in": True, "idle_seconds": 1800}
    assert personas["anonymous"].get("/en/session/keepalive/").status_code == 401
