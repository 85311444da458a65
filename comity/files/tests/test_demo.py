import pytest

from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.files import services
from comity.files.demo import DEMO_FILENAME, demo_pdf, files_demo_seed
from comity.files.models import Attachment
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind

pytestmark = pytest.mark.django_db


def test_skips_without_the_consultation(users):
    assert files_demo_seed() == {"attachments": 0, "skipped": "no Brazil-Indonesia private consultation"}
    assert Attachment.objects.count() == 0


def test_attaches_a_fictional_pdf_once(users, indonesia):
    authority = AuthorityFactory(country=indonesia)
    ContactFactory(seat__authority=authority, user=users["member_other"])
    space = forum_services.space_create(
        actor=users["member"],
        kind=SpaceKind.PRIVATE,
        name="Brazil – Indonesia: draft MLA request",
        invite_authorities=[authority],
    )
    assert files_demo_seed() == {"attachments": 1, "skipped": ""}
    assert files_demo_seed() == {"attachments": 0, "skipped": "already there"}
    attachment = Attachment.objects.get()
    assert (attachment.space, attachment.filename, attachment.content_type, attachment.uploaded_by) == (
        space,
        DEMO_FILENAME,
        "application/pdf",
        users["member"],
    )
    content = b"".join(services.attachment_download(actor=users["member_other"], attachment=attachment))
    assert content == demo_pdf()
    assert b"FICTIONAL DEMO DOCUMENT" in content
    assert content.startswith(b"%PDF-1.4") and content.endswith(b"%%EOF\n")
