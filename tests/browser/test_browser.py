"""End-to-end checks in a real browser: two-factor sign-in, Arabic mirroring, accessibility scans."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.tests.factories import UserFactory
from comity.reference.tests.factories import CountryFactory
from comity.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member(transactional_db):
    brazil = CountryFactory(iso2="BR", name_en="Brazil")
    user = UserFactory(email="browser@example.test", full_name="Browser Member", country=brazil)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_sign_in_with_password_and_totp(page, live_server, member):
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/login/verify/")
    device = TOTPDevice.objects.get(user=member)
    page.get_by_label("Authentication code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/en/")
    assert page.get_by_role("link", name="Browser Member").is_visible()
    page.goto(f"{live_server.url}/en/accounts/profile/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your profile"


def test_arabic_mirrors_the_layout(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/en/")
    english_brand = page.locator(".brand").bounding_box()
    page.select_option("#lang-select", "ar")
    page.locator(".lang-form button").click()
    page.wait_for_url(f"{live_server.url}/ar/")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    arabic_brand = page.locator(".brand").bounding_box()
    width = page.viewport_size["width"]
    # The brand sits at the start of the line: left in English, right in Arabic.
    assert english_brand["x"] < width / 2
    assert arabic_brand["x"] > width / 2
    direction = page.evaluate("getComputedStyle(document.body).direction")
    assert direction == "rtl"


@pytest.mark.parametrize("path", ["/en/", "/en/accounts/login/", "/en/countries/", "/ar/", "/en/countries/BR/"])
def test_no_serious_accessibility_violations(page, live_server, member, path):
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def test_core_flow_without_javascript(browser, live_server, member):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/login/verify/")
    assert page.get_by_label("Authentication code").is_visible()
    context.close()


def _sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/login/verify/")
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Authentication code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/en/")


def test_member_pages_have_no_serious_accessibility_violations(page, live_server, member):
    from axe_playwright_python.sync_playwright import Axe

    from comity.directory.tests.factories import AuthorityFactory, ContactFactory
    from comity.forum import services as forum_services
    from comity.forum.models import SpaceKind

    authority = AuthorityFactory(country=member.country, official_name="Central Authority (test)")
    ContactFactory(seat__authority=authority)
    admin = UserFactory(email="admin.browser@example.test", role="secretariat", country=member.country)
    space = forum_services.space_create(actor=admin, kind=SpaceKind.PLENARY, name="Plenary")
    thread = forum_services.thread_create(actor=member, space=space, title="Bank records", body="**Hello** @BR")
    _sign_in(page, live_server, member)
    for path in (
        "/en/directory/authorities/",
        f"/en/directory/authorities/{authority.pk}/",
        "/en/directory/finder/",
        "/en/forum/",
        f"/en/forum/s/{space.slug}/",
        f"/en/forum/t/{thread.pk}/",
        "/en/accounts/profile/",
        "/ar/forum/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        results = Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], (path, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in serious])
