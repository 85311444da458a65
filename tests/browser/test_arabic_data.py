"""Arabic pages in a real browser: data inside Arabic sentences is isolated, so it keeps its order and place."""

import datetime as dt

import pytest

from comity.directory.models import Closure
from comity.directory.tests.factories import AuthorityFactory
from comity.reference.tests.factories import CountryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dates_and_zone_inside_arabic_sentences_are_isolated(page, live_server, transactional_db):
    brazil = CountryFactory(iso2="BR", name_en="Brazil")
    authority = AuthorityFactory(country=brazil, official_name="Departamento (demo)", timezone="America/Sao_Paulo")
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 12, 24), end_date=dt.date(2027, 1, 2), reason="Recesso"
    )
    page.goto(f"{live_server.url}/ar/directory/authorities/{authority.pk}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    closure = page.locator("li", has=page.locator("bdi", has_text="24 ديسمبر 2026"))
    start = closure.locator("bdi", has_text="24 ديسمبر 2026")
    end = closure.locator("bdi", has_text="2 يناير 2027")
    assert start.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"
    # Right to left: the sentence starts on the right, so the first date stands to the right of the second.
    assert start.bounding_box()["x"] > end.bounding_box()["x"]
    # The zone reads "ساو باولو، UTC−03:00" as one isolated run.
    zone = page.locator("caption bdi").first
    assert zone.inner_text() == "ساو باولو، UTC\u221203:00"
