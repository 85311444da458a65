"""Forms for keyboard and screen-reader users: a long list of countries gets a filter box and stays a native list;
a form with errors puts the focus on the first field in error; "Reply" lands in the reply box."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from comity.accounts.tests.factories import UserFactory
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.reference.models import Country
from comity.reference.services import reference_load
from comity.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(browser, live_server):
    reference_load()
    brazil = Country.objects.get(iso2="BR")
    admin = UserFactory(email="admin@example.test", role="secretariat", country=brazil)
    member = UserFactory(email="member@example.test", country=brazil)
    space = forum_services.space_create(actor=admin, kind=SpaceKind.PLENARY, name="Plenary")
    client = sign_in(Client(), member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    yield page, space, member
    context.close()


def test_country_list_can_be_filtered_and_chosen_with_the_keyboard(signed_in, live_server):
    page, space, _ = signed_in
    page.goto(f"{live_server.url}/en/forum/s/{space.slug}/new/")
    select = page.locator("#id_addressed_countries")
    box = page.get_by_role("searchbox", name="Filter the list: Addressed to (questions only)")
    box.fill("indon")
    visible = select.evaluate("s => Array.from(s.options).filter(o => !o.hidden).map(o => o.value)")
    assert visible == ["ID"]
    assert (
        page.locator("#id_addressed_countries-filter-count").inner_text()
        == "1 of " + str(select.evaluate("s => s.options.length")) + " shown, 0 chosen"
    )
    box.press("ArrowDown")  # to the list, where the keyboard chooses as in any list
    assert page.evaluate("document.activeElement.id") == "id_addressed_countries"
    page.keyboard.press("ArrowDown")
    assert select.evaluate("s => Array.from(s.selectedOptions).map(o => o.value)") == ["ID"]
    # Filtering again keeps what was chosen in view.
    box.fill("brazil")
    visible = select.evaluate("s => Array.from(s.options).filter(o => !o.hidden).map(o => o.value)")
    assert visible == ["BR", "ID"]


def test_a_form_with_errors_focuses_the_first_field_in_error(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("Password").fill("something")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "id_email"
    focused = page.evaluate("document.activeElement.getAttribute('aria-invalid')")
    assert focused == "true"
    described = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert page.locator(f"#{described.split()[-1]}").inner_text() != ""


def test_reply_link_lands_in_the_reply_box(signed_in, live_server):
    page, space, member = signed_in
    thread = forum_services.thread_create(actor=member, space=space, title="Bank records", body="Hello")
    page.goto(f"{live_server.url}/en/forum/t/{thread.pk}/")
    assert page.get_by_role("heading", level=3).first.text_content().strip().endswith(member.display_name)
    page.locator("a.reply-link").first.click()
    # The script moves the focus after the click: wait for it (a busy machine runs the script later).
    expect(page.locator("textarea[name=body]")).to_be_focused()
    assert page.evaluate("document.activeElement.name") == "body"
    assert page.url.endswith("#reply")


def test_a_message_after_an_action_is_announced(signed_in, live_server):
    page, _, _ = signed_in
    page.goto(f"{live_server.url}/en/countries/")
    page.select_option("#lang-select", "fr")
    page.locator(".lang-form button").click()
    page.wait_for_url(f"{live_server.url}/fr/countries/")
    assert page.locator("#messages").get_attribute("role") == "status"
    announcer = page.locator("#messages-announcer")
    assert announcer.get_attribute("aria-live") == "polite"
    expect(announcer).not_to_have_text("")
    assert announcer.text_content() == page.locator("#messages .message").text_content().strip()
    assert "français" in announcer.text_content()
