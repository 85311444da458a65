"""The finder never ends in a dead end, and offers only States (issue 11, sections 5 and 7)."""

import datetime as dt

import pytest

from comity.directory import selectors
from comity.directory.tests.factories import AuthorityFactory
from comity.forum.tests.test_api import token_client
from comity.reference.models import Country
from comity.reference.tests.factories import CountryFactory, NetworkFactory

pytestmark = pytest.mark.django_db

URL = "/en/directory/finder/"
MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def hong_kong(db):
    return CountryFactory(iso2="HK", name_en="China, Hong Kong Special Administrative Region")


def test_no_authority_for_the_type_falls_back_to_the_central_authority_for_mla_and_says_so(
    personas, users, brazil, indonesia
):
    AuthorityFactory(country=indonesia, official_name="Central Authority (demo)", competences=["mla_central"])
    result = selectors.finder(
        user=users["member"], requesting=brazil, requested=indonesia, cooperation_type="asset_recovery", at=MOMENT
    )
    assert result.fallback is True
    assert [row["authority"].official_name for row in result.authorities] == ["Central Authority (demo)"]
    assert result.authorities[0]["designation"].code == "mla_central"

    body = personas["member"].get(URL, {"requesting": "BR", "requested": "ID", "type": "asset_recovery"}).content
    body = body.decode()
    assert 'id="finder-fallback"' in body
    assert "1 central authority for mutual legal assistance" in body
    assert "Central Authority (demo)" in body

    response = token_client(users["member"]).get(
        "/api/v1/finder/", {"from": "BR", "to": "ID", "type": "asset_recovery"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["fallback"] is True
    assert [row["authority"]["official_name"] for row in data["authorities"]] == ["Central Authority (demo)"]
    assert data["authorities"][0]["designation"]["code"] == "mla_central"


def test_an_authority_for_the_type_is_no_fallback(users, brazil, indonesia):
    AuthorityFactory(country=indonesia, official_name="Asset Office (demo)", competences=["asset_recovery"])
    AuthorityFactory(country=indonesia, official_name="Central Authority (demo)", competences=["mla_central"])
    result = selectors.finder(
        user=users["member"], requesting=brazil, requested=indonesia, cooperation_type="asset_recovery", at=MOMENT
    )
    assert (result.fallback, [row["authority"].official_name for row in result.authorities]) == (
        False,
        ["Asset Office (demo)"],
    )


def test_no_authority_at_all_shows_the_requested_states_networks(personas, users, brazil, france):
    network = NetworkFactory(slug="ejn-demo", acronym="EJN", name="European Judicial Network (demo)")
    network.members.add(france)
    body = personas["member"].get(URL, {"requesting": "BR", "requested": "FR", "type": "extradition"}).content
    body = body.decode()
    assert 'id="finder-none"' in body
    assert 'id="finder-requested-networks"' in body
    assert '<a href="/en/networks/ejn-demo/">European Judicial Network (demo)</a> (EJN)' in body


def test_areas_that_are_not_states_are_not_offered_or_accepted(personas, users, brazil, hong_kong):
    assert Country.objects.get(iso2="HK").is_state is False
    client = personas["member"]
    body = client.get(URL).content.decode()
    assert '<option value="BR">' in body
    assert '<option value="HK">' not in body
    response = client.get(URL, {"requesting": "BR", "requested": "HK", "type": "mla"})
    assert response.status_code == 400
    assert "“HK” is not a country in Comity." in response.content.decode()

    api = token_client(users["member"]).get("/api/v1/finder/", {"from": "BR", "to": "HK", "type": "mla"})
    assert api.status_code == 400
    assert "is not a State" in str(api.json())

    basis = client.get("/en/legal/basis/")
    assert '<option value="HK">' not in basis.content.decode()
    refused = client.get("/en/legal/basis/", {"from": "BR", "to": "HK", "type": "mla"})
    assert refused.status_code == 400
    assert "is not a State: choose a State." in refused.content.decode()
