"""On a 390 px phone no main page scrolls sideways, in English or Arabic; the header folds into a menu that opens
without JavaScript; the sign-in field has focus; a long list of countries gets a filter box."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from comity.accounts.models import User
from comity.demo.services import demo_seed
from comity.reference.services import reference_load
from comity.testing import sign_in
from tests.main_pages import DEMO_DOMAIN, main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# How far the page reaches past the screen on either side, and the first element that does (to say what to fix).
# Content past the start of an Arabic page cannot be scrolled to at all (it is cut off), so both edges count;
# an element inside a box that scrolls or clips (a wide table) does not.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  let overflow = document.documentElement.scrollWidth - width, culprit = "";
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || (box.right <= width + 1 && box.left >= -1)) continue;
    let parent = el.parentElement, clipped = false;
    while (parent && parent !== document.body) {
      if (getComputedStyle(parent).overflowX !== "visible") { clipped = true; break; }
      parent = parent.parentElement;
    }
    if (clipped) continue;
    const past = Math.max(box.right - width, -box.left);
    if (past > overflow || !culprit) {
      overflow = Math.max(overflow, past);
      culprit = el.tagName + "." + el.className + " " + Math.round(box.left) + ".." + Math.round(box.right);
    }
  }
  return [Math.round(overflow), culprit];
}"""


def _context_for(browser, live_server, who: str | None, contexts: dict):
    if who not in contexts:
        context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
        if who is not None:
            client = sign_in(Client(), User.objects.get(email=who + DEMO_DOMAIN))
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts[who] = context
    return contexts[who]


def test_no_main_page_scrolls_sideways_on_a_phone_in_english_or_arabic(browser, live_server):
    reference_load()
    demo_seed()
    contexts: dict = {}
    wide: dict[str, list] = {}
    try:
        for who, path in main_pages():
            page = _context_for(browser, live_server, who, contexts).new_page()
            for language in ("en", "ar"):
                url = f"/{language}{path}"
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, url
                overflow, culprit = page.evaluate(OVERFLOW)
                if overflow > 0:
                    wide[url] = [overflow, culprit]
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert wide == {}


def test_header_is_a_menu_on_a_phone_that_opens_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/")
    countries = page.locator(".main-nav a").first
    assert not countries.is_visible()
    page.locator(".header-menu > summary").click()
    assert countries.is_visible()
    box = countries.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]
    context.close()
    wide = browser.new_context(viewport={"width": 1280, "height": 800})
    page = wide.new_page()
    page.goto(f"{live_server.url}/en/")
    assert not page.locator(".header-menu > summary").is_visible()
    assert page.locator(".main-nav a").first.is_visible()
    wide.close()


def test_sign_in_field_has_focus(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/en/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_email"
