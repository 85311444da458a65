"""Directory free-text search through its index (FTS5 on SQLite, pg_trgm on PostgreSQL), the index kept in step by
the services, and DISTINCT only where a filter can repeat an authority."""

import pytest
from django.db import connection

from comity.directory import selectors, services
from comity.directory.models import Authority
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.forum.tests.test_api import token_client

pytestmark = pytest.mark.django_db

URL = "/en/directory/authorities/"
PAYLOAD = {
    "country": "BR",
    "official_name": "Departamento de Recuperação de Ativos",
    "names": {"zh-hans": "巴西资产追回司", "ar": "إدارة استرداد الأصول"},
    "competences": [{"code": "asset_recovery", "instrument": "untoc_18_13"}],
    "languages_accepted": ["pt", "en"],
    "channels": ["direct"],
    "timezone": "America/Sao_Paulo",
}


def found(user, **filters) -> list[str]:
    return [a.official_name for a in selectors.authority_list(user=user, **filters)]


def fts_ids(term: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM directory_authority_search_fts WHERE directory_authority_search_fts MATCH %s",
            [f'"{term}"'],
        )
        return [row[0] for row in cursor.fetchall()]


def test_q_is_one_substring_of_a_name_in_any_script_or_of_the_country(users, brazil, indonesia):
    member = users["member"]
    services.authority_create(actor=users["secretariat"], data=PAYLOAD)
    AuthorityFactory(country=indonesia, official_name="Kejaksaan Agung", search_text="kejaksaan agung")
    assert found(member, q="RECUPERAÇÃO de at") == ["Departamento de Recuperação de Ativos"]
    assert found(member, q="资产追") == ["Departamento de Recuperação de Ativos"]
    assert found(member, q="الأصول") == ["Departamento de Recuperação de Ativos"]
    assert found(member, q="追回") == ["Departamento de Recuperação de Ativos"]  # two characters: no index
    assert found(member, q="recuperacao") == ["Departamento de Recuperação de Ativos"]  # accents ignored
    assert found(member, q="الاصول") == ["Departamento de Recuperação de Ativos"]  # hamza form of alef ignored
    assert found(member, q="ativos agung") == []  # one phrase, not two words
    assert found(member, q="indo") == ["Kejaksaan Agung"]  # the country's name
    assert found(member, q="INDONÉSIE") == ["Kejaksaan Agung"]  # ... in any UI language, accents ignored
    assert found(member, q="إندونيسيا") == ["Kejaksaan Agung"]
    assert found(member, q="印度尼西亚") == ["Kejaksaan Agung"]
    assert found(member, q='"*" NEAR(x) -y') == []


def test_the_index_follows_created_updated_and_deleted_authorities(users, brazil):
    admin = users["secretariat"]
    authority = services.authority_create(actor=admin, data=PAYLOAD)
    assert found(users["member"], q="recuperação") == [authority.official_name]
    services.authority_update(actor=admin, authority=authority, data={"official_name": "Autoridade Central"})
    assert found(users["member"], q="recuperação") == []
    assert found(users["member"], q="autoridade central") == ["Autoridade Central"]
    Authority.objects.filter(pk=authority.pk).delete()
    assert found(users["member"], q="autoridade") == []
    if connection.vendor == "sqlite":
        assert (fts_ids("autoridade"), fts_ids("recupera")) == ([], [])


def test_distinct_only_for_filters_that_can_repeat_an_authority(users, brazil, iberred):
    authority = AuthorityFactory(country=brazil, official_name="Central Authority", competences=["mla_central"])
    for _ in range(2):  # two current 24/7 contacts: the join to contacts gives the authority twice
        ContactFactory(seat__authority=authority, always_available=True)
    member = users["member"]
    plain = [
        {},
        {"q": "central"},
        {"country": "BR"},
        {"region": "019"},
        {"language": "en"},
        {"always_available": False},
    ]
    for filters in plain:
        assert "DISTINCT" not in str(selectors.authority_list(user=member, **filters).query), filters
    repeating = [{"network": "iberred"}, {"competence": "mla_central"}, {"always_available": True}]
    for filters in repeating:
        assert "DISTINCT" in str(selectors.authority_list(user=member, **filters).query), filters
        assert found(member, **filters) == ["Central Authority"], filters


def test_search_page_and_api_with_q(personas, users, brazil):
    services.authority_create(actor=users["secretariat"], data=PAYLOAD)
    body = personas["member"].get(URL, {"q": "资产"}).content.decode()
    assert "Departamento de Recuperação de Ativos" in body and "1 authority" in body
    response = token_client(users["member"]).get("/api/v1/authorities/", {"q": "ativos"})
    assert [row["official_name"] for row in response.json()["results"]] == ["Departamento de Recuperação de Ativos"]
    assert token_client(users["member"]).get("/api/v1/authorities/", {"q": "nothing"}).json()["count"] == 0
