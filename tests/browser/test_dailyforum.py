"""Daily use in a real browser: a reply posted after the session expired keeps its text; mention suggestions;
the start page; a file attached from the reply form with progress, back at the post."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.models import UserSession
from comity.accounts.tests.factories import UserFactory
from comity.forum import services as forum_services
from comity.forum.models import Post, SpaceKind
from comity.reference.tests.factories import CountryFactory
from comity.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    brazil = CountryFactory(iso2="BR", name_en="Brazil")
    indonesia = CountryFactory(iso2="ID", name_en="Indonesia")
    ana = UserFactory(email="ana.prosecutor@example.test", full_name="Ana Procuradora", country=brazil)
    budi = UserFactory(email="budi.anggota@example.test", full_name="Budi Anggota", country=indonesia)
    for user in (ana, budi):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    space = forum_services.space_create(
        actor=ana, kind=SpaceKind.PRIVATE, name="Consultation BR-ID", invite_users=[budi]
    )
    thread = forum_services.thread_create(actor=budi, space=space, title="Bank records", body="Can you help?")
    return {"ana": ana, "budi": budi, "space": space, "thread": thread}


def _sign_in(page, live_server, user, *, start=None):
    if start is None:
        page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/login/verify/")
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # a second sign-in within the same 30 s in one test
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Authentication code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Sign in").click()


def test_reply_posted_after_the_session_expired_keeps_its_text(page, live_server, people):
    ana, thread = people["ana"], people["thread"]
    _sign_in(page, live_server, ana)
    page.wait_for_url(f"{live_server.url}/en/")
    page.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    text = "Here are the bank records you asked for; the originals follow by post."
    page.get_by_label("Your reply").fill(text)
    UserSession.objects.filter(user=ana).delete()  # the session ends (as after the idle timeout)
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url("**/accounts/login/**")
    assert "Your session had ended" in page.locator(".messages").inner_text()
    _sign_in(page, live_server, ana, start="here")
    page.wait_for_url(f"**/en/forum/t/{thread.pk}/**")
    assert page.get_by_label("Your reply").input_value() == text
    assert not Post.objects.filter(body=text).exists()
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(f"**/en/forum/t/{thread.pk}/**")
    assert Post.objects.filter(body=text, author=ana).count() == 1


def test_mention_suggestions_and_who_is_notified(page, live_server, people):
    ana, thread = people["ana"], people["thread"]
    _sign_in(page, live_server, ana)
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.get_by_role("heading", name="Your consultations").is_visible()
    assert page.get_by_role("link", name="Consultation BR-ID").is_visible()
    page.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    assert "Will be notified: Budi Anggota" in page.locator(".audience").inner_text()
    area = page.get_by_label("Your reply")
    area.click()
    area.press_sequentially("Thank you @Bud")
    option = page.get_by_role("option", name="Budi Anggota (Indonesia) @budi.anggota")
    option.wait_for()
    area.press("Enter")
    assert area.input_value() == "Thank you @budi.anggota "
    area.press_sequentially("for the request.")
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(f"**/en/forum/t/{thread.pk}/**")
    link = page.locator("a.mention").last
    assert link.inner_text() == "@Budi Anggota"
    link.click()
    page.wait_for_url(f"**/en/forum/people/{people['budi'].pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Budi Anggota"


def test_files_chosen_in_the_reply_form_upload_with_progress_and_land_at_the_post(
    page, live_server, people, tmp_path, settings
):
    from comity.files.demo import demo_pdf
    from comity.files.models import Attachment

    settings.COMITY_FILE_ROOT = tmp_path / "files"
    ana, thread = people["ana"], people["thread"]
    _sign_in(page, live_server, ana)
    page.wait_for_url(f"{live_server.url}/en/")
    page.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    assert not page.get_by_label("Attach files after posting (you will come back to the post)").is_visible()
    page.get_by_label("Your reply").fill("The draft request is attached.")
    document = tmp_path / "draft-request.pdf"
    document.write_bytes(demo_pdf())
    page.get_by_label("Attach files", exact=True).set_input_files(str(document))
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(f"**/en/forum/t/{thread.pk}/#post-*")
    post = Post.objects.get(body="The draft request is attached.")
    assert page.url.endswith(f"#post-{post.pk}")
    assert Attachment.objects.get().post == post
    assert page.locator(f"#post-{post.pk}").get_by_role("link", name="draft-request.pdf").is_visible()


def test_a_draft_follows_the_writer_to_another_machine_and_the_idle_warning_keeps_them_signed_in(
    browser, page, live_server, people, settings
):
    ana, thread = people["ana"], people["thread"]
    _sign_in(page, live_server, ana)
    page.wait_for_url(f"{live_server.url}/en/")
    page.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    page.get_by_label("Your reply").fill("A reply I will finish at the office")
    page.locator(".draft-status").filter(has_text="Draft saved").wait_for()
    other = browser.new_context(locale="en-GB", timezone_id="UTC").new_page()
    _sign_in(other, live_server, ana)
    other.wait_for_url(f"{live_server.url}/en/")
    settings.SESSION_COOKIE_AGE = 8  # the warning comes two seconds before the end (a quarter of the timeout)
    other.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    assert other.get_by_label("Your reply").input_value() == "A reply I will finish at the office"
    warning = other.get_by_role("alertdialog")
    warning.wait_for(timeout=15000)
    assert "You will be signed out" in warning.inner_text()
    other.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="detached")
    other.context.close()
