"""The legal portal's front page: public, linked from every page, every section one click away, with validators."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_legal_home_is_public_and_links_every_section(client, language):
    response = client.get(f"/{language}/legal/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "treaties:basis",
        "legalprofiles:country_list",
        "legalprofiles:compare",
        "treaties:instrument_list",
        "treaties:status",
        "library:document_list",
        "library:glossary",
    ):
        assert f'href="{reverse(name)}"' in body, name
    assert f'action="{reverse("library:search")}"' in body
    assert 'name="q"' in body


@pytest.mark.django_db
def test_every_page_links_the_legal_portal(client):
    body = client.get("/en/").content.decode()
    assert 'href="/en/legal/"' in body


@pytest.mark.django_db
def test_legal_home_answers_conditional_requests(client):
    first = client.get("/en/legal/")
    assert first.status_code == 200
    assert client.get("/en/legal/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/fr/legal/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.django_db
def test_country_page_links_its_legal_profile(client, brazil):
    response = client.get("/en/countries/BR/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("legalprofiles:country_detail", kwargs={"iso2": "BR"})}"' in body
    assert f'href="{reverse("treaties:basis")}"' in body
