"""What an e-mail may carry under each handling mark, and the RFC 8058 headers on every one."""

import re

import pytest
from django.utils import translation

from comity.forum import services as forum_services
from comity.forum.models import TLP
from comity.mail.models import OutboxEmail
from comity.notifications import links
from comity.notifications.models import Notification

pytestmark = pytest.mark.django_db

TITLE = "Freezing order for account 4471"
TEXT = "The beneficiary is Ms Example; please confirm by Friday."


@pytest.fixture
def mention_mail(users, plenary, django_capture_on_commit_callbacks):
    def make(tlp):
        with django_capture_on_commit_callbacks(execute=True):
            forum_services.thread_create(
                actor=users["member"], space=plenary, title=TITLE, tlp=tlp, body=f"@member.id {TEXT}"
            )
        return OutboxEmail.objects.get()

    return make


@pytest.mark.parametrize("tlp", [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])
def test_restricted_marks_carry_only_a_link(mention_mail, tlp, users):
    message = mention_mail(tlp)
    note = Notification.objects.get()
    label = TLP(tlp).label
    everything = message.subject + message.body_text + str(message.headers)
    for secret in (TITLE, "Freezing", "Ms Example", "Bruno Member", "Plenary", "member.br"):
        assert secret not in everything, secret
    assert message.subject == f"[Comity] You were mentioned ({label})"
    assert f"The thread is marked {label}, so this e-mail carries no title, text or author." in message.body_text
    assert f"Open it in Comity: http://127.0.0.1:8000/en/notifications/{note.pk}/" in message.body_text


@pytest.mark.parametrize("tlp", [TLP.CLEAR, TLP.GREEN])
def test_clear_and_green_carry_title_text_and_author(mention_mail, tlp):
    message = mention_mail(tlp)
    note = Notification.objects.get()
    assert message.subject == f"[Comity] {TITLE}"
    assert f"Bruno Member mentioned you in “{TITLE}”." in message.body_text
    assert f"@member.id {TEXT}" in message.body_text
    assert f"Handling mark: {TLP(tlp).label}" in message.body_text
    assert "Space: Plenary" in message.body_text
    assert f"Open it in Comity: http://127.0.0.1:8000/en/notifications/{note.pk}/" in message.body_text


@pytest.mark.parametrize("tlp", list(TLP))
def test_every_notification_mail_has_one_click_unsubscribe(mention_mail, tlp, users):
    message = mention_mail(tlp)
    thread = Notification.objects.get().thread
    match = re.fullmatch(
        r"<http://127\.0\.0\.1:8000/en/notifications/unsubscribe/([^/]+)/>", message.headers["List-Unsubscribe"]
    )
    assert match is not None
    request = links.read_unsubscribe_token(match.group(1))
    assert (request.user_id, request.scope, request.object_id) == (users["member_other"].pk, "thread", thread.pk)
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.headers["Auto-Submitted"] == "auto-generated"
    assert message.headers["Message-ID"].startswith("<") and message.headers["Message-ID"].endswith(">")


def test_mail_is_written_in_the_recipients_language(users, plenary, django_capture_on_commit_callbacks):
    recipient = users["member_other"]
    recipient.preferred_language = "fr"
    recipient.save(update_fields=["preferred_language"])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        forum_services.thread_create(actor=users["member"], space=plenary, title="Q", body="@ID hello")
    by_user = {m.user_id: m for m in OutboxEmail.objects.all()}
    assert "/fr/notifications/" in by_user[recipient.pk].body_text
    assert "(Indonésie)" in by_user[recipient.pk].body_text  # the country's name, from CLDR, in French
    assert "/en/notifications/" in by_user[users["coordinator_other"].pk].body_text
