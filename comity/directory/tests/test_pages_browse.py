"""The browse and search page: members only, filters without JavaScript, availability per row, constant queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.directory.models import Closure, Contact
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.reference.tests.factories import CountryFactory, NetworkFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

URL = "/en/directory/authorities/"
MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday: 10:00 in Brasília, 20:00 in Jakarta
ROW = re.compile(r'<th scope="row"><a href="/[a-z-]+/directory/authorities/(\d+)/">([^<]*)</a>')


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("comity.directory.views.common.now", lambda: MOMENT)
    return MOMENT


def make(country, name, *, names=None, **kwargs):
    kwargs.setdefault("last_confirmed_at", MOMENT - dt.timedelta(days=10))
    authority = AuthorityFactory(country=country, official_name=name, names=names or {}, **kwargs)
    authority.search_text = authority.build_search_text()
    authority.save(update_fields=["search_text"])
    return authority


def names(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [name for _pk, name in ROW.findall(response.content.decode())]


def test_permission_matrix(personas, brazil):
    make(brazil, "Ministério da Justiça (demo)")
    check_matrix(
        personas,
        "GET",
        URL,
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    response = personas["anonymous"].get(URL + "?q=x")
    assert response["Location"] == "/en/accounts/login/?next=/en/directory/authorities/%3Fq%3Dx"
    assert personas["member"].post(URL).status_code == 405


def test_rows_show_name_country_competences_languages_time_status_and_freshness(personas, brazil, indonesia, fixed_now):
    make(
        brazil,
        "Secretaria Nacional de Justiça (demo)",
        competences=["mla_central", "extradition"],
        languages_accepted=["pt", "en", "es"],
    )
    make(
        indonesia,
        "Central Authority of Indonesia (demo)",
        languages_accepted=["id", "en"],
        last_confirmed_at=MOMENT - dt.timedelta(days=200),
    )
    body = personas["member"].get(URL).content.decode()
    assert "2 authorities" in body
    assert names(personas["member"].get(URL)) == [
        "Secretaria Nacional de Justiça (demo)",
        "Central Authority of Indonesia (demo)",
    ]
    assert (
        '<td>Brazil</td>\n      <td><span class="tag">Extradition</span><span class="tag">Central authority for '
        "mutual legal assistance</span></td>\n      <td>Portuguese, English, and Spanish</td>\n      <td><span "
        'class="status-ok">Open now</span><br>Local time <bdi>10:00\u202fAM</bdi> (<bdi>São Paulo, '
        "UTC\u221203:00</bdi>)<br>Open until <bdi>1:00\u202fPM</bdi> local time.</td>\n"
        "      <td>Confirmed 10 days ago</td>"
    ) in body
    assert (
        '<td><span class="status-bad">Closed</span><br>Local time <bdi>8:00\u202fPM</bdi> (<bdi>Jakarta, UTC+07:00'
        "</bdi>)<br>Next opens <bdi>Nov 25, 2026, 2:00\u202fAM (UTC)</bdi>, which is <bdi>Nov 25, 2026, 9:00\u202fAM "
        "(Jakarta, UTC+07:00)</bdi> there.</td>\n"
        '      <td>Confirmed 200 days ago <strong class="status-bad">Overdue by 18 days</strong></td>'
    ) in body


def test_holiday_closure_and_always_available_rows(personas, brazil, france, indonesia, monkeypatch):
    black_awareness = dt.datetime(2026, 11, 20, 13, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("comity.directory.views.common.now", lambda: black_awareness)
    make(brazil, "A Brazil (demo)")
    closed = make(france, "B France (demo)")
    Closure.objects.create(
        authority=closed, start_date=dt.date(2026, 11, 16), end_date=dt.date(2026, 11, 27), reason="Office move"
    )
    make(indonesia, "C Indonesia 24/7 (demo)", always_available=True)
    body = personas["member"].get(URL).content.decode()
    assert (
        '<span class="status-bad">Closed: public holiday (<bdi>National Day of Zumbi and Black Awareness</bdi>)'
        "</span><br>Local time <bdi>10:00\u202fAM</bdi> (<bdi>São Paulo, UTC\u221203:00</bdi>)<br>Next opens "
        "<bdi>Nov 23, 2026, 12:00\u202fPM (UTC)</bdi>, which is <bdi>Nov 23, 2026, 9:00\u202fAM (São Paulo, "
        "UTC\u221203:00)</bdi> there."
    ) in body
    assert (
        '<span class="status-bad">Closed: <bdi>Office move</bdi></span><br>Local time <bdi>2:00\u202fPM</bdi> '
        "(<bdi>Paris, UTC+01:00</bdi>)<br>Next opens <bdi>Nov 30, 2026, 8:00\u202fAM (UTC)</bdi>, which is "
        "<bdi>Nov 30, 2026, 9:00\u202fAM (Paris, UTC+01:00)</bdi> there."
    ) in body
    assert (
        '<span class="status-ok">Available 24/7</span><br>Local time <bdi>8:00\u202fPM</bdi> (<bdi>Jakarta, UTC+07:00'
        "</bdi>)</td>"
    ) in body


def test_times_follow_the_viewer_zone(personas, users, indonesia, fixed_now):
    users["member"].timezone = "Europe/Paris"
    users["member"].save(update_fields=["timezone"])
    make(indonesia, "Central Authority of Indonesia (demo)")
    body = personas["member"].get(URL).content.decode()
    assert (
        "Next opens <bdi>Nov 25, 2026, 3:00\u202fAM (Paris, UTC+01:00)</bdi>, which is <bdi>Nov 25, 2026, 9:00\u202fAM "
        "(Jakarta, UTC+07:00)</bdi> there."
    ) in body


def test_filters(personas, brazil, indonesia, france, iberred):
    spain = CountryFactory(iso2="ES", name_en="Spain", region_m49="150", subregion_m49="039")
    iberred.members.add(spain)
    brazil.region_m49, brazil.subregion_m49, brazil.intermediate_region_m49 = "019", "419", "005"
    brazil.save()
    make(brazil, "Brazil MLA (demo)", languages_accepted=["pt", "es"])
    make(brazil, "Brazil Extradition (demo)", competences=["extradition"], languages_accepted=["pt"])
    make(indonesia, "Indonesia Cyber (demo)", competences=["cybercrime_24_7"], always_available=True)
    make(spain, "Spain MLA (demo)", languages_accepted=["es"])
    with_contact = make(france, "France MLA (demo)", languages_accepted=["fr"])
    ContactFactory(seat__authority=with_contact, always_available=True)
    client = personas["member"]
    assert names(client.get(URL, {"country": "BR"})) == ["Brazil Extradition (demo)", "Brazil MLA (demo)"]
    assert names(client.get(URL, {"region": "419"})) == ["Brazil Extradition (demo)", "Brazil MLA (demo)"]
    assert names(client.get(URL, {"region": "150"})) == ["Spain MLA (demo)"]
    assert names(client.get(URL, {"network": "iberred"})) == [
        "Brazil Extradition (demo)",
        "Brazil MLA (demo)",
        "Spain MLA (demo)",
    ]
    assert names(client.get(URL, {"competence": "extradition"})) == ["Brazil Extradition (demo)"]
    assert names(client.get(URL, {"language": "es"})) == ["Brazil MLA (demo)", "Spain MLA (demo)"]
    assert names(client.get(URL, {"always_available": "on"})) == ["France MLA (demo)", "Indonesia Cyber (demo)"]
    assert names(client.get(URL, {"network": "iberred", "language": "es", "competence": "mla_central"})) == [
        "Brazil MLA (demo)",
        "Spain MLA (demo)",
    ]
    body = client.get(URL, {"country": "BR", "competence": "extradition"}).content.decode()
    assert '<option value="BR" selected>Brazil</option>' in body
    assert '<option value="extradition" selected>Extradition</option>' in body
    assert '<a href="/en/directory/authorities/">Clear filters</a>' in body
    assert "1 authority" in body
    assert "Clear filters" not in client.get(URL, {"page": "1"}).content.decode()


def test_search_across_names_in_all_languages(personas, brazil, indonesia):
    make(
        brazil,
        "Ministério da Justiça (demo)",
        names={"ar": "وزارة العدل البرازيلية", "zh-hans": "巴西司法部", "es": "Ministerio de Justicia de Brasil"},
    )
    make(indonesia, "Kejaksaan Agung (demo)", names={"ru": "Генеральная прокуратура"})
    client = personas["member"]
    assert names(client.get(URL, {"q": "العدل"})) == ["Ministério da Justiça (demo)"]
    assert names(client.get(URL, {"q": "司法部"})) == ["Ministério da Justiça (demo)"]
    assert names(client.get(URL, {"q": "ПРОКУРАТУРА"})) == ["Kejaksaan Agung (demo)"]
    assert names(client.get(URL, {"q": "JUSTICIA de bra"})) == ["Ministério da Justiça (demo)"]
    assert names(client.get(URL, {"q": "indonesia"})) == ["Kejaksaan Agung (demo)"]  # the country's name
    body = client.get(URL, {"q": "nothing like this"}).content.decode()
    assert '<tr><td colspan="6">No authority matches these filters.</td></tr>' in body
    assert "0 authorities" in body


def test_names_are_shown_in_the_viewer_language(personas, brazil):
    make(brazil, "Ministério da Justiça (demo)", names={"ar": "وزارة العدل", "fr": "Ministère de la Justice"})
    assert names(personas["member"].get("/fr/directory/authorities/")) == ["Ministère de la Justice"]
    body = personas["member"].get("/ar/directory/authorities/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert names(personas["member"].get("/ar/directory/authorities/")) == ["وزارة العدل"]
    assert "<td>البرازيل</td>" in body


def test_unknown_filter_values_are_rejected_with_messages(personas, brazil):
    make(brazil, "Brazil MLA (demo)")
    response = personas["member"].get(
        URL, {"country": "ZZ", "region": "999", "network": "nope", "competence": "piracy", "language": "xx"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    for message in (
        "“ZZ” is not a country in Comity.",
        "“999” is not a UN M49 region or sub-region code.",
        "“nope” is not a network in Comity.",
        "“piracy” is not a competence.",
        "“xx” is not an ISO 639-1 language code.",
    ):
        assert f"<li>{message}</li>" in body
    assert body.count('aria-invalid="true"') == 5
    assert "Correct the filters above to see authorities." in body
    assert ROW.findall(body) == []


def test_pagination_25_per_page_keeps_the_filters(personas, brazil):
    for number in range(30):
        make(brazil, f"Authority {number:02d} (demo)")
    client = personas["member"]
    first = client.get(URL, {"country": "BR"})
    assert names(first) == [f"Authority {n:02d} (demo)" for n in range(25)]
    body = first.content.decode()
    assert "30 authorities" in body
    assert "<span>Page 1 of 2</span>" in body
    assert '<a href="?country=BR&amp;page=2" rel="next">Next</a>' in body
    second = client.get(URL, {"country": "BR", "page": "2"})
    assert names(second) == [f"Authority {n:02d} (demo)" for n in range(25, 30)]
    assert '<a href="?country=BR&amp;page=1" rel="prev">Previous</a>' in second.content.decode()
    assert names(client.get(URL, {"country": "BR", "page": "99"})) == [
        f"Authority {n:02d} (demo)" for n in range(25, 30)
    ]


def test_inactive_authorities_only_for_their_editors(personas, brazil):
    make(brazil, "Active (demo)")
    make(brazil, "Dormant (demo)", is_active=False)
    assert names(personas["member"].get(URL)) == ["Active (demo)"]
    assert names(personas["coordinator_other"].get(URL)) == ["Active (demo)"]
    assert names(personas["coordinator"].get(URL)) == ["Active (demo)", "Dormant (demo)"]
    assert '<span class="tag">Inactive</span>' in personas["secretariat"].get(URL).content.decode()


def test_add_link_only_for_editors(personas, brazil):
    link = '<a class="button" href="/en/directory/authorities/new/">Add an authority</a>'
    assert link in personas["coordinator"].get(URL).content.decode()
    assert link in personas["secretariat"].get(URL).content.decode()
    assert link not in personas["member"].get(URL).content.decode()


def _populate(countries, count, start=0):
    for number in range(start, start + count):
        authority = make(
            countries[number % len(countries)],
            f"Authority {number:02d} (demo)",
            competences=["mla_central", "extradition"],
            names={"ar": f"سلطة {number}"},
        )
        Closure.objects.create(authority=authority, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 31))
        ContactFactory(seat__authority=authority, always_available=number % 2 == 0)


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "authority"},
        {"q": "سلطة", "competence": "extradition"},
        {"always_available": "on", "network": "iberred"},
    ],
)
def test_query_count_does_not_grow_with_rows(
    nothing_kept, personas, brazil, indonesia, iberred, fixed_now, params, django_assert_num_queries
):
    client = personas["member"]
    NetworkFactory(slug="aseanmla", acronym="ASEAN MLAT", name="ASEAN MLA").members.add(indonesia)
    iberred.members.add(indonesia)
    _populate([brazil, indonesia], 5)
    # Loads the process's shared lists of countries and networks; another page, so the results are not kept for
    # the request measured next.
    _count(client, URL, {**params, "page": "2"})
    small, response = _count(client, URL, params)
    shown = len(ROW.findall(response.content.decode()))
    assert shown in (3, 5)
    _populate([brazil, indonesia], 35, start=5)
    # Session, user, second factor, tracked session; count, page, competences, office hours, closures, current
    # contacts (the new rows changed the directory, so the kept results are not used). The session is not saved:
    # nothing in it changed.
    with django_assert_num_queries(small):
        response = client.get(URL, params)
    assert len(ROW.findall(response.content.decode())) == (25 if shown == 5 else 20)
    assert small == 10


def test_contacts_prefetch_only_current_holders(personas, brazil, fixed_now):
    authority = make(brazil, "Brazil MLA (demo)")
    ContactFactory(seat__authority=authority, always_available=True, end_date=dt.date(2026, 1, 1))
    body = personas["member"].get(URL).content.decode()
    assert "24/7 contact point" not in body
    assert Contact.objects.count() == 1
