"""The public country page: reference data, time zones and networks, in several languages."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


# --- country page ------------------------------------------------------------------------------------


@pytest.fixture
def fixed_now(monkeypatch):
    moment = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("comity.portal.views.timezone.now", lambda: moment)
    return moment


def test_country_page_in_english(client, loaded, fixed_now):
    response = client.get("/en/countries/BR/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Brazil</h1>" in body
    assert "<dt>ISO 3166-1 alpha-3</dt><dd><code>BRA</code></dd>" in body
    assert "<dt>UN M49 code</dt><dd><code>076</code></dd>" in body
    assert '<a href="/en/countries/?region=019">Americas</a> <code>019</code>' in body
    assert '<a href="/en/countries/?region=419">Latin America</a> <code>419</code>' in body
    assert '<a href="/en/countries/?region=005">South America</a> <code>005</code>' in body
    assert "<dt>UN status</dt><dd>UN member state</dd>" in body
    assert "<dt>Least developed country (LDC)</dt><dd>No</dd>" in body
    assert "<dt>Public holidays</dt><dd>Available</dd>" in body
    assert '<a href="/en/networks/iberred/">Ibero-American Network for International Legal Cooperation</a>' in body
    assert "<caption>Local time at <bdi>Jan 15, 2026, 12:00\u202fPM (UTC)</bdi></caption>" in body
    assert (
        '<th scope="row"><code>America/Sao_Paulo</code></th>\n        <td>São Paulo</td>\n        <td>9:00\u202fAM</td>'
    ) in body
    assert (
        '<th scope="row"><code>America/Noronha</code></th>\n        <td>Fernando de Noronha</td>\n'
        "        <td>10:00\u202fAM</td>"
    ) in body
    assert body.count('<th scope="row"><code>America/') == 16


def test_country_page_in_french_and_arabic(client, loaded, fixed_now):
    french = client.get("/fr/countries/BR/").content.decode()
    assert "<h1>Brésil</h1>" in french
    assert ">Amérique latine</a>" in french
    assert "<td>09:00</td>" in french
    assert ">Red Iberoamericana" not in french
    assert ">Réseau ibéro-américain de coopération juridique internationale</a>" in french
    arabic = client.get("/ar/countries/BR/").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "<h1>البرازيل</h1>" in arabic
    assert "<td>ساو باولو</td>" in arabic


def test_country_page_of_a_ldc_sids_member(client, loaded):
    body = client.get("/en/countries/HT/").content.decode()
    assert "<dt>Least developed country (LDC)</dt><dd>Yes</dd>" in body
    assert "<dt>Small island developing State (SIDS)</dt><dd>Yes</dd>" in body
    assert "<dt>Landlocked developing country (LLDC)</dt><dd>No</dd>" in body


def test_country_page_without_networks_or_zones(client, loaded):
    body = client.get("/en/countries/BV/").content.decode()
    assert "Not recorded as a member of any network in Comity." in body
    assert "No time zone is recorded for this territory." in body
    assert "<dt>UN status</dt><dd>Not a UN member</dd>" in body


def test_membership_note_is_shown(client, loaded):
    body = client.get("/en/countries/DK/").content.decode()
    assert (
        '(Eurojust): <span lang="en" dir="ltr">Not bound by Regulation 2018/1727; takes part through a '
        "representative under the 2019 Eurojust–Denmark agreement.</span>"
    ) in body


def test_country_code_in_lower_case_redirects(client, loaded):
    response = client.get("/en/countries/br/")
    assert (response.status_code, response["Location"]) == (301, "/en/countries/BR/")


@pytest.mark.parametrize("code", ["XX", "BRA", "B1", "ẞS"])
def test_unknown_country_is_404(client, loaded, code):
    assert client.get(f"/en/countries/{code}/").status_code == 404


def test_country_page_query_count(client, loaded, django_assert_num_queries):
    client.get("/en/countries/DE/")  # loads the process's shared country list
    with django_assert_num_queries(2):  # the country (with whether it has authorities) and its networks
        client.get("/en/countries/FR/")
    with django_assert_num_queries(0):  # kept: the same for everyone until the data change or the minute ends
        assert client.get("/en/countries/FR/").status_code == 200
