import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.reference.models import Network
from comity.reference.services import reference_load
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

BRAZIL = {
    "iso2": "BR",
    "iso3": "BRA",
    "m49": "076",
    "name": "Brazil",
    "names": {
        "en": "Brazil",
        "fr": "Brésil",
        "es": "Brasil",
        "ru": "Бразилия",
        "zh-hans": "巴西",
        "ar": "البرازيل",
        "pt": "Brasil",
    },
    "region": {"code": "019", "name": "Americas"},
    "subregion": {"code": "419", "name": "Latin America"},
    "intermediate_region": {"code": "005", "name": "South America"},
    "un_status": "member",
    "is_state": True,
    "is_ldc": False,
    "is_lldc": False,
    "is_sids": False,
    "timezones": [
        "America/Sao_Paulo",
        "America/Noronha",
        "America/Belem",
        "America/Fortaleza",
        "America/Recife",
        "America/Araguaina",
        "America/Maceio",
        "America/Bahia",
        "America/Campo_Grande",
        "America/Cuiaba",
        "America/Santarem",
        "America/Porto_Velho",
        "America/Boa_Vista",
        "America/Manaus",
        "America/Eirunepe",
        "America/Rio_Branco",
    ],
    "holidays_supported": True,
    "networks": ["iberred", "oas-hemispheric-network"],
}


def _iso2s(response):
    return [c["iso2"] for c in response.json()["results"]]


# --- countries ---------------------------------------------------------------------------------------


def test_country_list_is_paginated(client, loaded):
    response = client.get("/api/v1/countries/")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 249
    assert len(body["results"]) == 50
    assert body["results"][0]["iso2"] == "AD"
    assert body["next"] == "http://testserver/api/v1/countries/?page=2"
    assert body["previous"] is None
    last = client.get("/api/v1/countries/", {"page": 5}).json()
    assert (len(last["results"]), last["results"][-1]["iso2"], last["next"]) == (49, "ZW", None)


def test_country_detail(client, loaded):
    response = client.get("/api/v1/countries/BR/")
    assert (response.status_code, response.json()) == (200, BRAZIL)
    assert client.get("/api/v1/countries/br/").json() == BRAZIL


def test_country_name_follows_accept_language(client, loaded):
    body = client.get("/api/v1/countries/BR/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (body["name"], body["subregion"]["name"]) == ("Brésil", "Amérique latine")
    body = client.get("/api/v1/countries/EG/", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert (body["name"], body["region"]["name"]) == ("مصر", "أفريقيا")


def test_country_without_region(client, loaded):
    body = client.get("/api/v1/countries/AQ/").json()
    assert (body["region"], body["subregion"], body["intermediate_region"], body["un_status"]) == (
        None,
        None,
        None,
        "none",
    )
    assert client.get("/api/v1/countries/VA/").json()["un_status"] == "observer"


@pytest.mark.parametrize(
    ("params", "count", "first"),
    [
        ({"region": "419"}, 52, "AG"),
        ({"region": "002"}, 60, "AO"),
        ({"region": "830"}, 2, "GG"),
        ({"network": "iberred"}, 22, "AD"),
        ({"network": "globe"}, 0, None),
        ({"region": "", "network": ""}, 249, "AD"),
    ],
)
def test_country_filters(client, loaded, params, count, first):
    body = client.get("/api/v1/countries/", params).json()
    assert body["count"] == count
    assert (body["results"][0]["iso2"] if body["results"] else None) == first


def test_country_filters_combine(client, loaded):
    assert _iso2s(client.get("/api/v1/countries/", {"region": "150", "network": "iberred"})) == ["AD", "ES", "PT"]


def test_unknown_filters_answer_400(client, loaded):
    response = client.get("/api/v1/countries/", {"region": "999", "network": "nope"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Invalid input.",
            "fields": {
                "region": ["“999” is not a UN M49 region or sub-region code."],
                "network": ["“nope” is not a network in Comity."],
            },
        }
    }
    response = client.get("/api/v1/countries/", {"network": "nope"})
    assert response.json()["error"]["fields"] == {"network": ["“nope” is not a network in Comity."]}


def test_unknown_country_answers_404(client, loaded):
    response = client.get("/api/v1/countries/XX/")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "Not found."}}


def test_country_list_query_count_does_not_grow(client, brazil, indonesia, france, iberred, django_assert_num_queries):
    # Count, one page of countries, their networks.
    with django_assert_num_queries(3):
        assert client.get("/api/v1/countries/").json()["count"] == 3
    reference_load()
    with django_assert_num_queries(3):
        assert client.get("/api/v1/countries/", {"page_size": 200}).json()["count"] == 249
    # A network filter adds the one look-up that validates the slug.
    with django_assert_num_queries(4):
        client.get("/api/v1/countries/", {"network": "cncp", "page_size": 200})


def test_country_detail_query_count(client, loaded, django_assert_num_queries):
    with django_assert_num_queries(3):
        client.get("/api/v1/countries/FR/")


# --- networks ----------------------------------------------------------------------------------------


def test_network_list(client, loaded):
    body = client.get("/api/v1/networks/").json()
    assert body["count"] == 12
    by_slug = {n["slug"]: n for n in body["results"]}
    assert {slug: n["member_count"] for slug, n in by_slug.items()} == {
        "ejn": 27,
        "eurojust": 27,
        "iberred": 22,
        "oas-hemispheric-network": 32,
        "cncp": 56,
        "wacap": 16,
        "seajust": 10,
        "casc": 8,
        "gljcn": 12,
        "sahel-judicial-platform": 6,
        "ioc-judicial-platform": 5,
        "globe": 0,
    }
    assert [m["iso2"] for m in by_slug["sahel-judicial-platform"]["members"]] == ["BF", "ML", "MR", "NE", "SN", "TD"]


def test_network_detail(client, loaded):
    body = client.get("/api/v1/networks/ioc-judicial-platform/").json()
    assert body == {
        "slug": "ioc-judicial-platform",
        "acronym": "",
        "name": "Indian Ocean Commission Judicial Cooperation Platform in Criminal Matters",
        "names": Network.objects.get(slug="ioc-judicial-platform").names,
        "description": "Platform of focal points for judicial cooperation in criminal matters among the member "
        "states of the Indian Ocean Commission.",
        "descriptions": Network.objects.get(slug="ioc-judicial-platform").descriptions,
        "website": "https://www.commissionoceanindien.org/",
        "source": "Indian Ocean Commission, member states",
        "source_url": "https://www.commissionoceanindien.org/",
        "as_of": "2024-12-31",
        "members_complete": True,
        "note": "The five member states of the Indian Ocean Commission.",
        "member_count": 5,
        "members": [
            {"iso2": "FR", "name": "France", "note": "A member of the Indian Ocean Commission on behalf of Réunion."},
            {"iso2": "KM", "name": "Comoros", "note": ""},
            {"iso2": "MG", "name": "Madagascar", "note": ""},
            {"iso2": "MU", "name": "Mauritius", "note": ""},
            {"iso2": "SC", "name": "Seychelles", "note": ""},
        ],
    }
    french = client.get("/api/v1/networks/ioc-judicial-platform/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["name"] == "Plateforme de coopération judiciaire pénale de la Commission de l'océan Indien"
    assert french["members"][1]["name"] == "Comores"


def test_incomplete_network(client, loaded):
    body = client.get("/api/v1/networks/globe/").json()
    assert (body["members_complete"], body["member_count"], body["members"]) == (False, 0, [])


def test_unknown_network_answers_404(client, loaded):
    assert client.get("/api/v1/networks/nope/").status_code == 404


def test_network_list_query_count_does_not_grow(client, iberred, django_assert_num_queries):
    # Count, networks, memberships with their countries.
    with django_assert_num_queries(3):
        client.get("/api/v1/networks/")
    reference_load()
    with django_assert_num_queries(3):
        assert client.get("/api/v1/networks/").json()["count"] == 12


# --- access and schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/countries/", "/api/v1/countries/BR/", "/api/v1/networks/", "/api/v1/networks/iberred/"]
)
def test_api_is_public_and_read_only(personas, url):
    everyone = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat")
    check_matrix(personas, "GET", url, dict.fromkeys(everyone, 200))
    check_matrix(
        personas,
        "POST",
        url,
        {"anonymous": 405, "member": 405, "secretariat": 405},
        data={},
        content_type="application/json",
    )


def test_schema_documents_the_endpoints(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    schema = response.json()
    assert response.status_code == 200
    for path in ("/api/v1/countries/", "/api/v1/countries/{iso2}/", "/api/v1/networks/", "/api/v1/networks/{slug}/"):
        assert list(schema["paths"][path]) == ["get"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/countries/"]["get"]["parameters"]}
    assert parameters == {"page", "page_size", "region", "network"}
    assert set(schema["paths"]["/api/v1/countries/"]["get"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "429",
        "503",
    }
    country = schema["components"]["schemas"]["Country"]
    assert list(country["properties"]) == list(BRAZIL)
    assert country["properties"]["names"]["required"] == ["en", "fr", "es", "ru", "zh-hans", "ar", "pt"]


def test_network_detail_only_reads(client, loaded):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/networks/iberred/")
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["SELECT", "SELECT"]
