"""Thread export: the TLP mark at the top and bottom, audited; TLP:RED never leaves Comity."""

import pytest
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.forum import moderation, services
from comity.forum.models import TLP, Post
from comity.forum.tests.test_moderation import forum_world
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

AMBER_LINE = (
    "TLP:AMBER: Limited disclosure: recipients can only spread this on a need-to-know basis within their "
    "organization and its clients."
)


@pytest.fixture
def world(users):
    return forum_world(users)


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.THREAD_EXPORTED))


def download(client, thread, fmt):
    response = client.get(reverse("forum:thread_export", kwargs={"pk": thread.pk}), {"format": fmt})
    return response, b"".join(response.streaming_content).decode() if response.streaming else ""


def test_export_page_matrix(personas, world):
    url = reverse("forum:thread_export", kwargs={"pk": world.thread.pk})
    check_matrix(
        personas,
        "get",
        url,
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    check_matrix(
        personas,
        "get",
        url + "?format=markdown",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    assert len(exports()) == 5
    assert personas["member"].post(url).status_code == 405


def test_other_countries_cannot_export_a_private_consultation(personas, users, world):
    url = reverse("forum:thread_export", kwargs={"pk": world.secret.pk})
    check_matrix(
        personas,
        "get",
        url + "?format=text",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 404,
            "secretariat": 404,
        },
    )
    assert sorted(event.actor_id for event in exports()) == sorted([users["member"].pk, users["coordinator"].pk])


def test_markdown_export_carries_the_mark_top_and_bottom(personas, users, world):
    world.thread.tlp = TLP.AMBER
    world.thread.save(update_fields=["tlp"])
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="Personal data")
    response, text = download(personas["member"], world.thread, "markdown")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="comity-thread-{world.thread.pk}-bank-records-in-extradition-cases.md"'
    )
    lines = text.splitlines()
    assert lines[0] == f"**{AMBER_LINE}**"
    assert lines[-1] == f"**{AMBER_LINE}**"
    assert "# Bank records in extradition cases" in lines
    assert "How do you handle **bank records**?" in lines
    assert "[This post was hidden by a moderator.]" in lines
    assert "We ask the court first." not in text
    assert any(line.startswith("### Bruno Member (BR), ") and line.endswith("UTC, language: en") for line in lines)
    [event] = exports()
    assert (event.actor_id, event.target_id) == (users["member"].pk, str(world.thread.pk))
    assert event.details == {"space": world.plenary.pk, "format": "markdown", "tlp": "amber", "posts": 2}


def test_plain_text_export(personas, world):
    response, text = download(personas["member_other"], world.thread, "text")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = text.splitlines()
    green = "TLP:GREEN: Limited disclosure: recipients can spread this within their community, not publicly."
    assert (lines[0], lines[-1]) == (green, green)
    assert lines[2:4] == ["Bank records in extradition cases", "=" * len("Bank records in extradition cases")]
    assert "We ask the court first." in lines


def test_red_threads_cannot_be_exported(personas, users, world):
    red = services.thread_create(
        actor=users["member"], space=world.plenary, title="Red one", body="Eyes only", tlp=TLP.RED
    )
    url = reverse("forum:thread_export", kwargs={"pk": red.pk})
    page = personas["member"].get(url)
    assert page.status_code == 200
    assert "TLP:RED threads cannot be exported" in page.content.decode()
    assert 'name="format"' not in page.content.decode()
    for fmt in ("markdown", "text"):
        response = personas["member"].get(url, {"format": fmt})
        assert response.status_code == 403
        assert not response.streaming
        body = response.content.decode()
        assert (
            "TLP:RED threads cannot be exported: their content is for the eyes and ears of the participants "
            "only and never leaves Comity." in body
        )
        assert "Eyes only" not in body
    assert exports() == []
    with pytest.raises(Exception, match="TLP:RED threads cannot be exported"):
        moderation.thread_export(actor=users["member"], thread=red, fmt="text")
    assert exports() == []


def test_unknown_format_is_rejected(personas, world):
    response = personas["member"].get(reverse("forum:thread_export", kwargs={"pk": world.thread.pk}), {"format": "pdf"})
    assert response.status_code == 400
    assert "Select a valid choice. pdf is not one of the available choices." in response.content.decode()
    assert exports() == []


def test_export_query_count_does_not_grow_with_posts(personas, users, world, django_assert_num_queries, nothing_kept):
    client = personas["member"]
    download(client, world.thread, "text")
    with django_assert_num_queries(14) as few:  # an unchanged session is not saved
        download(client, world.thread, "text")
    for index in range(30):
        services.post_create(actor=users["member_other"], thread=world.thread, body=f"reply {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        _response, text = download(client, world.thread, "text")
    assert text.count("---") == Post.objects.filter(thread=world.thread).count() + 1
