"""An authority's page in Arabic: dates with the month by name, data isolated in the text, lists with the locale's
separator, holiday names in a language the page names (issue 11, section 5)."""

import datetime as dt
import re

import pytest

from comity.directory.models import Closure
from comity.directory.tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday; 10:00 in São Paulo


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("comity.directory.views.common.now", lambda: MOMENT)
    monkeypatch.setattr("django.utils.timezone.now", lambda: MOMENT)
    return MOMENT


@pytest.fixture
def authority(brazil):
    authority = AuthorityFactory(
        country=brazil,
        official_name="Departamento de Recuperação de Ativos (DRCI)",
        timezone="America/Sao_Paulo",
        channels=["direct", "diplomatic"],
    )
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 12, 24), end_date=dt.date(2027, 1, 2), reason="Recesso"
    )
    return authority


def test_authority_page_in_arabic_isolates_data_and_names_months(personas, authority, fixed_now):
    response = personas["member"].get(f"/ar/directory/authorities/{authority.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in body
    # The closure's dates: the month by name, each date isolated inside the Arabic sentence.
    assert "<bdi>24 ديسمبر 2026</bdi>" in body and "<bdi>2 يناير 2027</bdi>" in body
    assert not re.search(r"\d{1,2}\u200f?/\d{1,2}\u200f?/\d{2,4}", body)  # no all-numeric date anywhere
    # The zone named by city and offset, isolated; the local time isolated too.
    assert "<bdi>ساو باولو، UTC\u221203:00</bdi>" in body
    # Lists joined the Arabic way (babel), not with a Latin comma.
    channels = re.search(r"<dt>[^<]*</dt><dd>([^<]*و[^<]*)</dd>", body)
    assert channels is not None and ", " not in channels.group(1)


def test_holiday_names_say_which_language_they_are_in(personas, authority, fixed_now):
    # holidays has Brazilian names in Portuguese and English (and Ukrainian), not in Arabic or Russian.
    arabic = personas["member"].get(f"/ar/directory/authorities/{authority.pk}/").content.decode()
    assert 'id="holiday-language"' in arabic
    assert '<td lang="en-US">Christmas Day</td>' in arabic
    portuguese = personas["member"].get(f"/pt/directory/authorities/{authority.pk}/").content.decode()
    assert 'id="holiday-language"' not in portuguese
    assert "<td>Natal</td>" in portuguese


def test_next_opening_is_given_once_when_the_viewer_is_in_the_same_zone(personas, users, authority, monkeypatch):
    saturday = dt.datetime(2026, 11, 28, 13, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("comity.directory.views.common.now", lambda: saturday)
    member = users["member"]
    member.timezone = "America/Sao_Paulo"
    member.save(update_fields=["timezone"])
    body = personas["member"].get("/en/directory/authorities/", {"country": "BR"}).content.decode()
    assert "Next opens <bdi>Nov 30, 2026, 9:00\u202fAM (São Paulo, UTC\u221203:00)</bdi>." in body
    assert "which is" not in body
    member.timezone = "Asia/Jakarta"
    member.save(update_fields=["timezone"])
    body = personas["member"].get("/en/directory/authorities/", {"country": "BR"}).content.decode()
    assert "which is <bdi>Nov 30, 2026, 9:00\u202fAM (São Paulo, UTC\u221203:00)</bdi> there." in body
