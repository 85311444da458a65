"""The secretariat's freshness dashboard: exact numbers per country and region, the overdue list, who may see it,
and a number of queries that does not grow with the directory."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comity.directory.importexport.dashboard import dashboard
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

URL = "/en/directory/dashboard/"


def overdue_by(days: int) -> dt.datetime:
    """A confirmation time that makes a record `days` whole days overdue (with an hour of margin)."""
    return timezone.now() - dt.timedelta(days=182 + days, hours=1)


FRESH = timezone.now  # evaluated per record: confirmed just now


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def table_rows(response, prefix: str) -> dict[str, list[str]]:
    html = response.content.decode()
    return {
        match.group(1): [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(2), re.S)]
        for match in re.finditer(rf'<tr id="{prefix}-([^"]+)">(.*?)</tr>', html, re.S)
    }


@pytest.fixture
def directory(users, brazil, indonesia, france):
    for country, region in ((brazil, "019"), (indonesia, "142"), (france, "150")):
        country.region_m49 = region
        country.save()
    br_fresh = AuthorityFactory(country=brazil, official_name="Fresh BR", last_confirmed_at=FRESH())
    br_old = AuthorityFactory(country=brazil, official_name="Old BR", last_confirmed_at=overdue_by(40))
    ContactFactory(seat__authority=br_fresh, name="Fresh one", last_confirmed_at=FRESH())
    ContactFactory(seat__authority=br_old, name="Fresh two", last_confirmed_at=FRESH())
    late = ContactFactory(seat__authority=br_old, name="Late contact", last_confirmed_at=overdue_by(3))
    ContactFactory(
        seat__authority=br_old, name="Former", end_date=dt.date(2025, 1, 1), last_confirmed_at=overdue_by(400)
    )
    inactive = AuthorityFactory(country=brazil, is_active=False, last_confirmed_at=overdue_by(400))
    ContactFactory(seat__authority=inactive, last_confirmed_at=overdue_by(400))
    id_fresh = AuthorityFactory(country=indonesia, official_name="Fresh ID", last_confirmed_at=FRESH())
    id_late = ContactFactory(seat__authority=id_fresh, name="Late ID contact", last_confirmed_at=overdue_by(12))
    return {"br_old": br_old, "late": late, "id_fresh": id_fresh, "id_late": id_late}


def test_permission_matrix(personas, directory):
    check_matrix(
        personas,
        "GET",
        URL,
        {
            "anonymous": 302,
            "member": 404,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 200,
            "moderator": 404,
            "liaison": 404,
            "observer": 404,
            "secretariat": 200,
        },
    )
    assert reverse("directory:dashboard") == URL


def test_a_coordinator_sees_the_dashboard_of_their_own_countries(personas, directory):
    response = personas["coordinator"].get(URL)
    assert list(table_rows(response, "country")) == ["BR"]
    assert table_rows(response, "region") == {"019": ["Americas", "5", "3", "60.0%", "2"]}
    page = response.content.decode()
    assert "Late contact" in page
    assert "Late ID contact" not in page
    # Another country's records stay out of reach, even when asked for by code.
    assert "Late ID contact" not in personas["coordinator"].get(URL, {"country": "ID"}).content.decode()
    assert list(table_rows(personas["coordinator_other"].get(URL), "country")) == ["ID"]


def test_numbers_per_country_region_and_total(personas, directory):
    response = personas["secretariat"].get(URL)
    assert table_rows(response, "country") == {
        # country, authorities, contacts, records, confirmed, share, overdue
        "BR": ["Brazil (BR)", "2", "3", "5", "3", "60.0%", "2"],
        "ID": ["Indonesia (ID)", "1", "1", "2", "1", "50.0%", "1"],
    }
    assert table_rows(response, "region") == {
        "019": ["Americas", "5", "3", "60.0%", "2"],
        "142": ["Asia", "2", "1", "50.0%", "1"],
    }
    assert re.findall(r"<strong>(.*?)</strong>", response.content.decode().split('id="regions"')[0])[-3:] == [
        "7",
        "57.1%",
        "3",
    ]


def test_overdue_list_oldest_first_with_links(personas, directory):
    response = personas["secretariat"].get(URL)
    rows = table_rows(response, "overdue")
    br_old, late, id_late = directory["br_old"], directory["late"], directory["id_late"]
    assert list(rows) == [f"authority-{br_old.pk}", f"contact-{id_late.pk}", f"contact-{late.pk}"]
    assert [(row[0], row[1], row[3], row[4]) for row in rows.values()] == [
        ("Old BR Authority", "Brazil (BR)", "40", "none yet"),
        ("Late ID contact Contact point " + directory["id_fresh"].official_name, "Indonesia (ID)", "12", "none yet"),
        ("Late contact Contact point Old BR", "Brazil (BR)", "3", "none yet"),
    ]
    html = response.content.decode()
    detail = reverse("directory:authority_detail", kwargs={"pk": br_old.pk})
    assert f'<a href="{detail}">Old BR</a>' in html
    assert f'<a href="{detail}#contact-{late.pk}">Late contact</a>' in html


def test_overdue_list_for_one_country_and_rejected_filter(personas, directory):
    response = personas["secretariat"].get(URL, {"country": "id"})
    assert list(table_rows(response, "overdue")) == [f"contact-{directory['id_late'].pk}"]
    response = personas["secretariat"].get(URL, {"country": "B1"})
    assert response.status_code == 400
    assert "Enter a two-letter ISO country code, such as BR." in unescape(response.content.decode())
    assert len(table_rows(response, "overdue")) == 3  # the rest of the page still works


def test_overdue_limit(directory):
    data = dashboard(limit=2)
    assert [(row.kind, row.name) for row in data.overdue] == [("authority", "Old BR"), ("contact", "Late ID contact")]


def test_empty_directory(personas, users):
    response = personas["secretariat"].get(URL)
    assert table_rows(response, "country") == {}
    assert "The directory is empty." in response.content.decode()
    assert "Nothing is overdue." in response.content.decode()


def test_query_count_does_not_grow(nothing_kept, personas, directory, brazil, indonesia, france):
    client = personas["secretariat"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    small = count()
    for index in range(10):
        authority = AuthorityFactory(
            country=(brazil, indonesia, france)[index % 3], last_confirmed_at=overdue_by(index)
        )
        ContactFactory(seat__authority=authority, last_confirmed_at=overdue_by(index + 1))
        ContactFactory(seat__authority=authority)
    assert count() == small
    assert small == 9  # 4 for the session and user, 5 for the dashboard (an unchanged session is not saved)
