import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comity.reference.services import reference_load
from comity.reference.tests.factories import CountryFactory, NetworkFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<th scope="row"><a href="/(?:[a-z-]+)/countries/([A-Z]{2})/">([^<]*)</a></th>')


def _rows(response):
    return ROW.findall(response.content.decode())


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- country list ------------------------------------------------------------------------------------


def test_country_list_in_english_sorted_by_name(client, loaded):
    response = client.get("/en/countries/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in body
    assert "249 countries and territories" in body
    rows = _rows(response)
    assert len(rows) == 249
    assert rows[:4] == [("AF", "Afghanistan"), ("AX", "Åland Islands"), ("AL", "Albania"), ("DZ", "Algeria")]
    assert '<th scope="col">Country or territory</th>' in body
    assert '<label for="id_region">Region</label>' in body
    assert '<label for="id_network">Network</label>' in body


def test_country_list_in_french_uses_un_names_and_french_order(client, loaded):
    response = client.get("/fr/countries/")
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    names = [name for _iso2, name in _rows(response)]
    start = names.index("Espagne")
    assert names[start : start + 7] == [
        "Espagne",
        "Estonie",
        "Eswatini",
        "État de Palestine",
        "États-Unis d&#39;Amérique",  # HTML-escaped in the page
        "Éthiopie",
        "Fédération de Russie",
    ]
    assert names[:3] == ["Afghanistan", "Afrique du Sud", "Albanie"]


def test_country_list_in_arabic_is_right_to_left(client, loaded):
    response = client.get("/ar/countries/")
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert '<a href="/ar/countries/BR/">البرازيل</a>' in body
    assert len(_rows(response)) == 249


def test_country_list_filters_by_region_and_network(client, loaded):
    response = client.get("/en/countries/", {"region": "419", "network": "iberred"})
    assert [iso2 for iso2, _name in _rows(response)] == [
        "AR",
        "BO",
        "BR",
        "CL",
        "CO",
        "CR",
        "CU",
        "DO",
        "EC",
        "SV",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "PY",
        "PE",
        "UY",
        "VE",
    ]
    body = response.content.decode()
    assert "19 countries and territories" in body
    assert '<option value="419" selected>Latin America</option>' in body
    assert '<a href="/en/countries/">Clear filters</a>' in body


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"region": "150"}, 51),
        ({"region": "005"}, 16),
        ({"region": "830"}, 2),
        ({"network": "cncp"}, 56),
        ({"network": "globe"}, 0),
        ({"region": "", "network": ""}, 249),
    ],
)
def test_country_list_filter_counts(client, loaded, params, count):
    assert len(_rows(client.get("/en/countries/", params))) == count


def test_empty_result_says_so(client, loaded):
    body = client.get("/en/countries/", {"network": "globe"}).content.decode()
    assert "No country or territory matches these filters." in body
    assert "0 countries and territories" in body


def test_unknown_filter_values_are_rejected_with_a_message(client, loaded):
    response = client.get("/en/countries/", {"region": "999", "network": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<li>“999” is not a UN M49 region or sub-region code.</li>" in body
    assert "<li>“nope” is not a network in Comity.</li>" in body
    assert body.count('aria-invalid="true"') == 2
    assert len(_rows(response)) == 249


def test_country_list_query_count_does_not_grow_with_rows(
    client, brazil, indonesia, iberred, django_assert_num_queries
):
    # Networks for the filter, countries, their networks.
    small = _count_queries(client, "/en/countries/")
    reference_load()
    with django_assert_num_queries(3):
        assert len(_rows(client.get("/en/countries/"))) == 249
    assert small == 3


# --- networks ----------------------------------------------------------------------------------------


def test_network_list(client, loaded):
    response = client.get("/en/networks/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<th scope="row"><a href="/en/networks/') == 12
    assert (
        '<th scope="row"><a href="/en/networks/iberred/">Ibero-American Network for International Legal '
        "Cooperation</a></th>\n      <td>IberRed</td>\n      <td>22</td>\n      <td>Dec 31, 2024</td>\n"
        "      <td>Yes</td>"
    ) in body
    assert (
        '<a href="/en/networks/globe/">Global Operational Network of Anti-Corruption Law Enforcement '
        "Authorities</a></th>\n      <td>GlobE</td>\n      <td>0</td>\n      <td>Dec 31, 2024</td>\n"
        "      <td>No</td>"
    ) in body


def test_network_list_in_french(client, loaded):
    body = client.get("/fr/networks/").content.decode()
    assert '<a href="/fr/networks/ejn/">Réseau judiciaire européen en matière pénale</a>' in body
    assert "<td>31 déc. 2024</td>" in body


def test_network_list_query_count_does_not_grow(client, iberred, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/en/networks/")
    reference_load()
    with django_assert_num_queries(1):
        client.get("/en/networks/")


def test_network_page(client, loaded):
    response = client.get("/en/networks/iberred/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ibero-American Network for International Legal Cooperation (IberRed)</h1>" in body
    assert [iso2 for iso2, _name in _rows(response)] == [
        "AD",
        "AR",
        "BO",
        "BR",
        "CL",
        "CO",
        "CR",
        "CU",
        "DO",
        "EC",
        "SV",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "PY",
        "PE",
        "PT",
        "ES",
        "UY",
        "VE",
    ]
    assert "<dt>Member list as of</dt><dd>Dec 31, 2024</dd>" in body
    assert "<dt>Members</dt><dd>22</dd>" in body
    assert ('<dt>Note</dt><dd lang="en" dir="ltr">The 22 countries of the Ibero-American community.</dd>') in body
    assert "This member list is incomplete." not in body


def test_incomplete_network_says_so(client, loaded):
    body = client.get("/en/networks/globe/").content.decode()
    assert "<strong>This member list is incomplete.</strong>" in body
    assert "No member is recorded for this network." in body
    assert "<dt>Member list complete</dt><dd>No</dd>" in body


def test_network_page_in_arabic(client, loaded):
    body = client.get("/ar/networks/ioc-judicial-platform/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert '<a href="/ar/countries/KM/">جزر القمر</a>' in body
    assert '<span lang="en" dir="ltr">A member of the Indian Ocean Commission on behalf of Réunion.</span>' in body


def test_unknown_network_is_404(client, loaded):
    assert client.get("/en/networks/nope/").status_code == 404


def test_network_page_query_count_does_not_grow(client, loaded, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/en/networks/sahel-judicial-platform/")
    with django_assert_num_queries(2):
        client.get("/en/networks/cncp/")


def test_factory_network_without_members_renders(client, db):
    NetworkFactory(slug="test-net", acronym="", name="Test network", as_of=dt.date(2025, 1, 1))
    CountryFactory(iso2="JP")
    assert client.get("/en/networks/test-net/").status_code == 200
    assert client.get("/en/countries/JP/").status_code == 200


# --- access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/en/countries/", "/en/countries/BR/", "/en/networks/", "/en/networks/iberred/"])
def test_pages_are_public_for_every_persona(personas, url):
    expected = {
        name: 200 for name in ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat")
    }
    check_matrix(personas, "GET", url, expected)


@pytest.mark.parametrize("url", ["/en/countries/", "/en/countries/BR/", "/en/networks/", "/en/networks/iberred/"])
def test_pages_refuse_post(loaded, url):
    assert Client(enforce_csrf_checks=False).post(url).status_code == 405
