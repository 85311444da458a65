import pytest
from django.template import engines

from comity.files import selectors, services
from comity.files.tests.conftest import pdf
from comity.forum import services as forum_services

pytestmark = pytest.mark.django_db


def test_attachments_for_posts_in_one_query(users, plenary, django_assert_num_queries):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="first")
    first = thread.posts.get()
    second = forum_services.post_create(actor=users["member_other"], thread=thread, body="second")
    a = services.attachment_create(actor=users["member"], space=plenary, post=first, filename="a.pdf", content=[pdf()])
    b = services.attachment_create(actor=users["member"], space=plenary, post=first, filename="b.pdf", content=[pdf()])
    c = services.attachment_create(
        actor=users["member_other"], space=plenary, post=second, filename="c.pdf", content=[pdf()]
    )
    reader = users["coordinator"]
    selectors.attachments_for_posts(user=reader, post_ids=[])
    with django_assert_num_queries(2):  # the reader's readable spaces, then the files
        grouped = selectors.attachments_for_posts(user=reader, post_ids=[first.pk, second.pk])
    assert grouped == {first.pk: [a, b], second.pk: [c]}
    template = engines["jinja2"].from_string(
        '{% import "files/_attachments.html" as files %}{{ files.attachment_list(attachments) }}'
    )
    html = template.render({"attachments": grouped[first.pk]})
    assert f'<a href="/en/files/{a.pk}/download/" download>a.pdf</a>' in html


@pytest.mark.parametrize(
    ("language", "size", "label"),
    [
        ("en", 603, "603\u00a0B"),
        ("en", int(3.5 * 1024**2), "3.5\u00a0MiB"),
        ("fr", int(3.5 * 1024**2), "3,5\u00a0MiB"),
        ("en", 2 * 1024**3, "2.0\u00a0GiB"),
    ],
)
def test_file_size_in_the_readers_language(language, size, label):
    from django.utils import translation

    from comity.files.formatting import file_size

    with translation.override(language):
        assert file_size(size) == label
