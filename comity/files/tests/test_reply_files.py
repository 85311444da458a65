"""Files where the conversation is: attaching from the reply and new-thread forms (no JavaScript: through the
upload page of the new post, back at the post), a second upload of the same content pointed out, the demo PDF on
the post that mentions it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.files.demo import DEMO_FILENAME, files_demo_seed
from comity.files.models import Attachment
from comity.files.tests.conftest import pdf
from comity.forum import services as forum_services
from comity.forum.models import Post, SpaceKind

pytestmark = pytest.mark.django_db


def test_reply_with_attach_goes_to_the_upload_page_and_back_to_the_post(personas, users, consultation):
    thread = forum_services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    client = personas["coordinator"]
    response = client.post(f"/en/forum/t/{thread.pk}/reply/", {"body": "The draft", "language": "en", "attach": "1"})
    post = Post.objects.get(body="The draft")
    assert response["Location"] == f"/en/files/spaces/{consultation.slug}/upload/?post={post.pk}"
    response = client.post(response["Location"], {"file": SimpleUploadedFile("draft.pdf", pdf(b"one"))})
    assert response.status_code == 302
    assert response["Location"] == f"/en/forum/p/{post.pk}/"
    assert Attachment.objects.get().post == post
    page = client.get(f"/en/forum/t/{thread.pk}/").content.decode()
    assert ">draft.pdf</a>" in page


def test_new_thread_with_attach_goes_to_the_upload_page_of_its_first_post(personas, consultation):
    response = personas["member"].post(
        f"/en/forum/s/{consultation.slug}/new/",
        {
            "title": "Files",
            "body": "See the file",
            "language": "en",
            "tlp": "amber",
            "kind": "discussion",
            "attach": "1",
        },
    )
    post = Post.objects.get(body="See the file")
    assert response["Location"] == f"/en/files/spaces/{consultation.slug}/upload/?post={post.pk}"


def test_the_script_gets_json_to_upload_with_tus(personas, users, consultation):
    thread = forum_services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    response = personas["coordinator"].post(
        f"/en/forum/t/{thread.pk}/reply/", {"body": "With files", "language": "en"}, HTTP_ACCEPT="application/json"
    )
    post = Post.objects.get(body="With files")
    assert response.json() == {
        "post": post.pk,
        "url": f"/en/forum/p/{post.pk}/",
        "space": consultation.slug,
    }
    bad = personas["coordinator"].post(f"/en/forum/t/{thread.pk}/reply/", {"body": ""}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["body"] == [{"message": "Write something first.", "code": "required"}]


def test_a_second_upload_of_the_same_content_is_pointed_out(personas, users, consultation, shared):
    thread = forum_services.thread_create(actor=users["member"], space=consultation, title="Again", body="Here")
    post = thread.posts.get()
    client = personas["member"]
    response = client.post(
        f"/en/files/spaces/{consultation.slug}/upload/?post={post.pk}",
        {"file": SimpleUploadedFile("copy.pdf", pdf(b"draft request"))},
        follow=True,
    )
    html = response.content.decode()
    assert "The same file was already shared in this space as draft.pdf." in html
    assert "Same content as draft.pdf, shared earlier in this space." in html
    # Different content: nothing said.
    client.post(
        f"/en/files/spaces/{consultation.slug}/upload/?post={post.pk}",
        {"file": SimpleUploadedFile("other.pdf", pdf(b"other"))},
    )
    html = client.get(f"/en/forum/t/{thread.pk}/").content.decode()
    assert html.count("Same content as") == 1


def test_the_demo_pdf_is_attached_to_the_post_that_mentions_it(users, indonesia):
    authority = AuthorityFactory(country=indonesia)
    ContactFactory(seat__authority=authority, user=users["member_other"])
    space = forum_services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="Brazil – Indonesia: draft", invite_authorities=[authority]
    )
    thread = forum_services.thread_create(
        actor=users["member"], space=space, title="Draft", body="Could you look at the draft? I will attach it here."
    )
    assert files_demo_seed() == {"attachments": 1, "skipped": ""}
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.post, attachment.uploaded_by) == (
        DEMO_FILENAME,
        thread.posts.get(),
        users["member"],
    )
