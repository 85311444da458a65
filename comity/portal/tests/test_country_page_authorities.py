"""The public country page lists the country's authorities with their public fields and availability."""

import datetime as dt

import pytest

from comity.directory.models import Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday: 10:00 in Brasília


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("comity.portal.views.timezone.now", lambda: MOMENT)
    return MOMENT


def test_country_page_lists_active_authorities_with_public_fields(personas, brazil, fixed_now):
    ministry = AuthorityFactory(
        country=brazil,
        official_name="Ministério da Justiça (demo)",
        names={"fr": "Ministère de la Justice (démo)"},
        languages_accepted=["pt", "es"],
        competences=["mla_central", "extradition"],
        channels=["direct", "diplomatic"],
        email="mj@demo.example",
        phone="+55 61 2025 3000",
        website="https://mj.demo.example",
    )
    ContactFactory(
        seat__authority=ministry,
        name="Ana Souza",
        phone="+55 61 5555 0001",
        email="ana@demo.example",
        visibility={"phone": Visibility.MEMBERS},
    )
    AuthorityFactory(
        country=brazil,
        official_name="Polícia Federal 24/7 (demo)",
        always_available=True,
        competences=["cybercrime_24_7"],
        weekdays=False,
    )
    AuthorityFactory(country=brazil, official_name="Dormant office (demo)", is_active=False)
    for persona in ("anonymous", "member", "secretariat"):
        body = personas[persona].get("/en/countries/BR/").content.decode()
        assert '<h2 id="authorities-heading">Competent authorities</h2>' in body
        assert (
            f'<th scope="row"><a href="/en/directory/authorities/{ministry.pk}/">Ministério da Justiça (demo)</a>'
            '</th>\n        <td><span class="tag">Extradition</span><span class="tag">Central authority for '
            "mutual legal assistance</span></td>\n        <td>Portuguese, Spanish</td>\n        <td>Directly "
            'between central authorities, Diplomatic channels</td>\n        <td><a href="mailto:mj@demo.example">'
            'mj@demo.example</a><br><span dir="ltr">+55 61 2025 3000</span><br><a href="https://mj.demo.example"'
            ' rel="noopener noreferrer">https://mj.demo.example</a></td>\n        <td><span class="status-ok">'
            "Open now</span><br>Local time <bdi>10:00\u202fAM</bdi> (<bdi>São Paulo, UTC\u221203:00</bdi>)<br>Open "
            "until <bdi>1:00\u202fPM</bdi> local time.</td>"
        ) in body
        assert (
            '<span class="status-ok">Available 24/7</span><br>Local time <bdi>10:00\u202fAM</bdi> (<bdi>São Paulo, '
            "UTC\u221203:00</bdi>)</td>" in body
        )
        assert "Dormant office" not in body
        assert "+55 61 5555 0001" not in body and "ana@demo.example" not in body and "Ana Souza" not in body
    french = personas["anonymous"].get("/fr/countries/BR/").content.decode()
    assert f'<a href="/fr/directory/authorities/{ministry.pk}/">Ministère de la Justice (démo)</a>' in french


def test_country_without_authorities_says_so(client, indonesia, django_assert_num_queries):
    client.get("/en/countries/BR/")  # loads the process's shared country list
    with django_assert_num_queries(2):  # the country (with whether it has authorities) and its networks
        body = client.get("/en/countries/ID/").content.decode()
    assert "<p>No competent authority of this country is listed in the directory yet.</p>" in body


def test_country_page_query_count_does_not_grow_with_authorities(client, brazil, fixed_now, django_assert_num_queries):
    AuthorityFactory(country=brazil)
    client.get("/en/countries/ZZ/")  # loads the process's shared country list (and answers 404)
    # Country, networks; authorities, competences, office hours, closures (no contact point: the page shows none).
    with django_assert_num_queries(6):
        client.get("/en/countries/BR/")
    for _number in range(6):
        ContactFactory(seat__authority=AuthorityFactory(country=brazil, competences=["mla_central", "jit"]))
    with django_assert_num_queries(6):
        body = client.get("/en/countries/BR/").content.decode()
    assert body.count('<th scope="row"><a href="/en/directory/authorities/') == 7
