"""Questions to countries: asking, the addressees' local time and whether they are in, answering, accepting."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.models import Closure
from comity.directory.tests.factories import AuthorityFactory
from comity.forum import moderation, permissions, services
from comity.forum.models import TLP, Post, SpaceKind, Thread

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday: 20:00 in Jakarta, 14:00 in Paris


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def at(monkeypatch):
    def fix(moment):
        monkeypatch.setattr("comity.forum.views.common.now", lambda: moment)
        return moment

    fix(MOMENT)
    return fix


@pytest.fixture
def authorities(indonesia, france):
    return {
        "id_central": AuthorityFactory(
            country=indonesia, official_name="Central Authority of Indonesia", timezone="Asia/Jakarta"
        ),
        "id_police": AuthorityFactory(
            country=indonesia,
            official_name="Cyber Police of Indonesia",
            timezone="Asia/Jakarta",
            competences=["cybercrime_24_7"],
        ),
        "fr_extradition": AuthorityFactory(
            country=france,
            official_name="Bureau de l'extradition",
            timezone="Europe/Paris",
            competences=["extradition"],
        ),
    }


def text(response) -> str:
    return response.content.decode()


def ask(client, plenary, countries, title="Freezing bank accounts"):
    return client.post(
        f"/en/forum/s/{plenary.slug}/new/",
        {
            "title": title,
            "body": "Which authority executes urgent freezing orders?",
            "language": "en",
            "tlp": "amber",
            "kind": "question",
            "addressed_countries": countries,
        },
    )


def test_question_shows_addressed_authorities_with_local_time_and_presence(personas, users, plenary, authorities, at):
    response = ask(personas["member"], plenary, ["ID", "FR"])
    thread = Thread.objects.get()
    assert response["Location"] == f"/en/forum/t/{thread.pk}/"
    assert (thread.kind, thread.status, thread.tlp) == ("question", "open", "amber")
    assert sorted(thread.addressed_countries.values_list("iso2", flat=True)) == ["FR", "ID"]
    page = text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))
    section = page.split('<section aria-labelledby="addressees" class="card">')[1].split("</section>")[0]
    assert section.index("<h3>France</h3>") < section.index("<h3>Indonesia</h3>")
    # Indonesia has a central authority for MLA: only it is shown. France has none: all its authorities.
    assert "Cyber Police of Indonesia" not in section
    assert (
        f'<a href="/en/directory/authorities/{authorities["id_central"].pk}/">Central Authority of Indonesia</a>: '
        '<span class="status-bad">Closed</span>\n· Local time <bdi>8:00\u202fPM</bdi> (<bdi>Jakarta, UTC+07:00</bdi>)\n'
        "· Back <bdi>Nov 25, 2026, 2:00\u202fAM (UTC)</bdi>, which is <bdi>Nov 25, 2026, 9:00\u202fAM (Jakarta, "
        "UTC+07:00)</bdi> there."
    ) in section
    assert (
        f'<a href="/en/directory/authorities/{authorities["fr_extradition"].pk}/">Bureau de l&#39;extradition'
        '</a>: <span class="status-ok">Open now</span>\n· Local time <bdi>2:00\u202fPM</bdi> (<bdi>Paris, UTC+01:00'
        "</bdi>)</li>"
    ) in section
    assert "Status: open, waiting for an answer from the addressed countries." in section


def test_addressees_on_a_public_holiday_and_during_a_closure(personas, users, plenary, authorities, at):
    at(dt.datetime(2026, 12, 25, 3, 0, tzinfo=dt.UTC))  # 10:00 on Christmas Day in Jakarta
    Closure.objects.create(
        authority=authorities["fr_extradition"],
        start_date=dt.date(2026, 12, 24),
        end_date=dt.date(2026, 12, 31),
        reason="Office move",
    )
    ask(personas["member"], plenary, ["ID", "FR"])
    thread = Thread.objects.get()
    page = text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))
    assert '<span class="status-bad">Closed: public holiday (<bdi>Christmas Day</bdi>)</span>' in page
    assert '<span class="status-bad">Closed: <bdi>Office move</bdi></span>' in page


def test_answer_by_an_addressed_country_then_the_asker_accepts_it(personas, users, plenary, authorities, at):
    ask(personas["member"], plenary, ["ID"])
    thread = Thread.objects.get()
    # A reply from a country that was not asked leaves the question open.
    personas["secretariat"].post(
        f"/en/forum/t/{thread.pk}/reply/", {"body": "Try the central authority.", "language": "en"}
    )
    thread.refresh_from_db()
    assert thread.status == "open"
    personas["member_other"].post(
        f"/en/forum/t/{thread.pk}/reply/", {"body": "The Attorney General's office.", "language": "en"}
    )
    thread.refresh_from_db()
    answer = Post.objects.get(body="The Attorney General's office.")
    assert thread.status == "answered"
    page = text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))
    assert page.count(">Accept this answer</button>") == 2  # not on the question itself
    assert "Status: answered; the asker has not accepted an answer yet." in page
    # Someone else from the addressed country cannot accept; the answerer sees no button either.
    assert ">Accept this answer</button>" not in text(personas["member_other"].get(f"/en/forum/t/{thread.pk}/"))
    response = personas["member_other"].post(f"/en/forum/t/{thread.pk}/accept/", {"post": answer.pk})
    assert response.status_code == 403
    thread.refresh_from_db()
    assert (thread.status, thread.accepted_post_id) == ("answered", None)
    response = personas["member"].post(f"/en/forum/t/{thread.pk}/accept/", {"post": answer.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/en/forum/t/{thread.pk}/#post-{answer.pk}"
    thread.refresh_from_db()
    assert (thread.status, thread.accepted_post_id) == ("resolved", answer.pk)
    page = text(personas["member_other"].get(f"/en/forum/t/{thread.pk}/"))
    assert '<span class="tag status-ok">Accepted answer</span>' in page
    assert f'<a href="/en/forum/p/{answer.pk}/">Read the accepted answer by Dewi Member</a>' in page
    assert "Status: resolved." in page
    listing = text(personas["member_other"].get(f"/en/forum/s/{plenary.slug}/"))
    assert '<span class="tag">Question</span><span class="tag status-ok">Resolved</span>' in listing


def test_moderators_may_accept_and_rejected_accepts_change_nothing(personas, users, plenary, indonesia):
    question = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Q",
        body="?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
        tlp=TLP.GREEN,
    )
    answer = services.post_create(actor=users["member_other"], thread=question, body="!", language="en")
    discussion = services.thread_create(actor=users["member"], space=plenary, title="D", body="talk")
    client = personas["member"]
    response = client.post(f"/en/forum/t/{discussion.pk}/accept/", {"post": discussion.posts.get().pk})
    assert response["Location"] == f"/en/forum/t/{discussion.pk}/"
    assert [str(m) for m in response.wsgi_request._messages._queued_messages] == [
        "Only an answer in this question can be accepted."
    ]
    response = client.post(f"/en/forum/t/{question.pk}/accept/", {"post": discussion.posts.get().pk})
    assert [str(m) for m in response.wsgi_request._messages._queued_messages] == ["Choose an answer in this question."]
    response = client.post(f"/en/forum/t/{question.pk}/accept/", {"post": "abc"})
    assert [str(m) for m in response.wsgi_request._messages._queued_messages] == ["Choose an answer in this question."]
    question.refresh_from_db()
    discussion.refresh_from_db()
    assert (question.status, question.accepted_post_id, discussion.status) == ("answered", None, "open")
    response = personas["secretariat"].post(f"/en/forum/t/{question.pk}/accept/", {"post": answer.pk})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("resolved", answer.pk)


def test_question_to_a_country_without_authorities_says_so(personas, users, plenary, indonesia):
    question = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Q",
        body="?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
    )
    page = text(personas["member"].get(f"/en/forum/t/{question.pk}/"))
    assert "<h3>Indonesia</h3>\n  \n  <p>No authority of this country is in the directory yet.</p>" in page


# --- the accepted answer's rules live in the service, shared by pages, API and commands ---------------------------


def question_with_answer(users, space, indonesia):
    question = services.thread_create(
        actor=users["member"],
        space=space,
        title="Which form?",
        body="?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
    )
    answer = services.post_create(actor=users["member_other"], thread=question, body="This one.", language="en")
    return question, answer


def answer_events(thread):
    return list(
        AuditEvent.objects.filter(
            action__in=[AuditAction.ANSWER_ACCEPTED, AuditAction.ANSWER_UNACCEPTED], target_id=str(thread.pk)
        )
        .order_by("seq")
        .values_list("action", "actor_id", "target_type", "country_code", "details")
    )


def test_accepting_and_withdrawing_an_answer_is_audited(personas, users, plenary, indonesia):
    question, answer = question_with_answer(users, plenary, indonesia)
    other = services.post_create(actor=users["coordinator_other"], thread=question, body="Or that one.")
    asker = users["member"]
    services.question_accept_answer(actor=asker, thread=question, post=answer)
    services.question_accept_answer(actor=asker, thread=question, post=answer)  # again: nothing new
    services.question_accept_answer(actor=asker, thread=question, post=other)
    page = text(personas["member"].get(f"/en/forum/t/{question.pk}/"))
    assert "Status: resolved." in page
    assert ">Withdraw the accepted answer</button>" in page
    # Readers who may not withdraw it see no button.
    reader_page = personas["member_other"].get(f"/en/forum/t/{question.pk}/")
    assert reader_page.status_code == 200
    assert "Status: resolved." in text(reader_page)
    assert ">Withdraw the accepted answer</button>" not in text(reader_page)
    response = personas["member_other"].post(f"/en/forum/t/{question.pk}/unaccept/")
    assert response.status_code == 403
    response = personas["member"].post(f"/en/forum/t/{question.pk}/unaccept/")
    assert (response.status_code, response["Location"]) == (302, f"/en/forum/t/{question.pk}/")
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("answered", None)  # Indonesia did answer
    response = personas["member"].post(f"/en/forum/t/{question.pk}/unaccept/")
    assert [str(m) for m in response.wsgi_request._messages._queued_messages] == [
        "This question has no accepted answer."
    ]
    ids = {"thread": question.pk, "space": plenary.pk}
    assert answer_events(question) == [
        ("forum.answer_accepted", asker.pk, "forum.thread", "BR", {**ids, "post": answer.pk, "previous": None}),
        ("forum.answer_accepted", asker.pk, "forum.thread", "BR", {**ids, "post": other.pk, "previous": answer.pk}),
        ("forum.answer_unaccepted", asker.pk, "forum.thread", "BR", {**ids, "post": other.pk, "cause": "withdrawn"}),
    ]


def test_a_question_nobody_addressed_answered_is_open_again_when_its_answer_is_withdrawn(users, plenary, indonesia):
    question = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Q",
        body="?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
    )
    reply = services.post_create(actor=users["secretariat"], thread=question, body="Not Indonesia, but: this.")
    services.question_accept_answer(actor=users["member"], thread=question, post=reply)
    services.question_unaccept_answer(actor=users["member"], thread=question)
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("open", None)


def test_the_rules_of_accepting_hold_in_the_service(users, plenary, indonesia):
    """Whoever calls it (page, API, command): no hidden post, not the question itself, not in an archived space, in
    a locked thread only its moderators, never an observer; a refusal changes nothing and writes no event."""
    question, answer = question_with_answer(users, plenary, indonesia)
    asker, moderator = users["member"], users["moderator"]
    opening = question.posts.get(number=1)

    def refused(actor, post, error):
        before = AuditEvent.objects.count()
        with pytest.raises(error):
            services.question_accept_answer(actor=actor, thread=Thread.objects.get(pk=question.pk), post=post)
        question.refresh_from_db()
        assert (question.status, question.accepted_post_id, AuditEvent.objects.count()) == ("answered", None, before)

    refused(asker, opening, ValidationError)
    refused(users["member_other"], answer, PermissionDenied)
    refused(users["observer"], answer, PermissionDenied)
    assert permissions.can_accept_answer(users["observer"], question) is False
    Post.objects.filter(pk=answer.pk).update(is_hidden=True)
    refused(asker, Post.objects.get(pk=answer.pk), ValidationError)
    refused(moderator, Post.objects.get(pk=answer.pk), ValidationError)
    Post.objects.filter(pk=answer.pk).update(is_hidden=False)
    Thread.objects.filter(pk=question.pk).update(is_locked=True)
    refused(asker, answer, PermissionDenied)
    type(plenary).objects.filter(pk=plenary.pk).update(is_archived=True)
    refused(moderator, answer, PermissionDenied)
    type(plenary).objects.filter(pk=plenary.pk).update(is_archived=False)
    services.question_accept_answer(actor=moderator, thread=Thread.objects.get(pk=question.pk), post=answer)
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("resolved", answer.pk)


def test_hiding_the_accepted_answer_withdraws_it(personas, users, plenary, indonesia):
    question, answer = question_with_answer(users, plenary, indonesia)
    services.question_accept_answer(actor=users["member"], thread=question, post=answer)
    moderation.post_hide(actor=users["moderator"], post=answer, reason="Wrong country")
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("answered", None)
    ids = {"thread": question.pk, "space": plenary.pk, "post": answer.pk}
    assert answer_events(question)[1:] == [
        ("forum.answer_unaccepted", users["moderator"].pk, "forum.thread", "FR", {**ids, "cause": "hidden"})
    ]
    # Restoring the post does not make it the answer again: the asker decides.
    moderation.post_restore(actor=users["moderator"], post=Post.objects.get(pk=answer.pk))
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("answered", None)
    page = personas["member"].get(f"/en/forum/t/{question.pk}/")
    assert page.status_code == 200
    assert "Status: answered; the asker has not accepted an answer yet." in text(page)


def test_a_reply_from_a_stale_page_does_not_take_a_resolved_question_back(users, plenary, indonesia):
    question, answer = question_with_answer(users, plenary, indonesia)
    stale = Thread.objects.get(pk=question.pk)
    stale.status = Thread.Status.OPEN  # as loaded before the first answer
    services.question_accept_answer(actor=users["member"], thread=question, post=answer)
    services.post_create(actor=users["coordinator_other"], thread=stale, body="Also this.")
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id) == ("resolved", answer.pk)
