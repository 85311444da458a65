"""The API: public reads, editors' writes with the pages' rules, 400 naming the parameter or field, the schema."""

import json

import pytest
from django.test import Client

from comity.accounts.services import api_token_create
from comity.audit.models import AuditAction, AuditEvent
from comity.legalprofiles.choices import Measure
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche
from comity.legalprofiles.tests.conftest import Unchanged
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

EVERYONE = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat", "observer")


def token_client(user, scope="write") -> Client:
    _token, raw = api_token_create(user=user, name="api test", scope=scope)
    return Client(headers={"authorization": f"Bearer {raw}"})


def patch(client, url, body):
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_reads_are_public(personas, br_profile):
    for url in (
        "/api/v1/countries/BR/measures/",
        "/api/v1/countries/BR/measures/bank_records/",
        "/api/v1/countries/br/legal-profile/",
        "/api/v1/legal-compare/?a=BR&b=ID&measure=bank_records",
        "/api/v1/legal-compare/?a=BR&b=ID&type=mla",
    ):
        check_matrix(personas, "GET", url, dict.fromkeys(EVERYONE, 200))


def test_measure_list(client, br_profile, br_authority):
    body = client.get("/api/v1/countries/BR/measures/").json()
    assert [row["measure"] for row in body] == list(Measure.values)
    bank = next(row for row in body if row["measure"] == "bank_records")
    assert bank["recorded"] is True
    assert bank["availability"] == "available"
    assert bank["competent_authority"] == {"id": br_authority.pk, "name": "Central Authority of Brazil"}
    assert bank["contents"] == ["Account numbers", "Period covered"]
    assert bank["url"] == "/en/legal/countries/BR/measures/bank_records/"
    assert bank["provenance"]["verified"] is False
    assert bank["provenance"]["is_demo"] is False
    freezing = next(row for row in body if row["measure"] == "freezing")
    assert (freezing["recorded"], freezing["availability"], freezing["provenance"]) == (False, "unknown", None)


def test_profile_read(client, br_profile):
    body = client.get("/api/v1/countries/BR/legal-profile/").json()
    assert (body["country"], body["recorded"], body["legal_tradition"]) == ("BR", True, "civil_law")
    mla = next(row for row in body["types"] if row["coop_type"] == "mla")
    assert mla["languages_accepted"] == ["pt", "es"]
    assert mla["rules"]["dual_criminality"] == "not_required"
    assert mla["laws"] == []
    extradition = next(row for row in body["types"] if row["coop_type"] == "extradition")
    assert extradition["rules"] is None
    assert [law["title"] for law in extradition["laws"]] == ["Law 13.445 on migration"]
    assert body["provenance"]["source"] == "Ministry of Justice"


def test_unknown_country_or_measure_in_a_path_is_404(client, br_profile):
    for url in (
        "/api/v1/countries/ZZ/measures/",
        "/api/v1/countries/BR/measures/teleport/",
        "/api/v1/countries/ZZ/legal-profile/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


def test_compare_bad_parameters_are_400_naming_them(client, br_profile):
    for query, fields in (
        ("b=ID&type=mla", ["a"]),
        ("a=ZZ&b=ID&type=mla", ["a"]),
        ("a=BR&b=Brazil&type=mla", ["b"]),
        ("a=BR&b=ID", ["measure"]),
        ("a=BR&b=ID&measure=teleport", ["measure"]),
        ("a=BR&b=ID&type=piracy", ["type"]),
        ("a=BR&b=ID&type=mla&measure=bank_records", ["type"]),
    ):
        response = client.get("/api/v1/legal-compare/?" + query)
        assert response.status_code == 400, query
        error = response.json()["error"]
        assert (error["code"], sorted(error["fields"])) == ("invalid", fields), query


def test_compare(client, br_profile):
    body = client.get("/api/v1/legal-compare/?a=br&b=ID&type=mla").json()
    assert (body["type"], body["measure"], body["a"]["country"], body["b"]["country"]) == ("mla", "", "BR", "ID")
    assert [row["coop_type"] for row in body["a"]["profile"]["types"]] == ["mla"]
    assert body["a"]["profile"]["types"][0]["languages_accepted"] == ["pt", "es"]
    assert body["b"]["profile"]["recorded"] is False
    assert body["a"]["fiche"] is None
    body = client.get("/api/v1/legal-compare/?a=BR&b=ID&measure=bank_records").json()
    assert (body["a"]["fiche"]["availability"], body["b"]["fiche"]["recorded"]) == ("available", False)


def test_write_matrix(users, br_profile):
    fiche = MeasureFiche.objects.get(country=br_profile.country)
    for persona, expected in (
        ("member", 404),
        ("member_other", 404),
        ("coordinator_other", 404),
        ("observer", 404),
    ):
        client = token_client(users[persona])
        before = Unchanged(br_profile, fiche)
        assert patch(client, "/api/v1/countries/BR/legal-profile/", {"summary": "x"}).status_code == expected
        assert patch(client, "/api/v1/countries/BR/measures/bank_records/", {"remarks": "x"}).status_code == expected
        assert client.post("/api/v1/countries/BR/legal-profile/confirm/").status_code == expected
        assert client.post("/api/v1/countries/BR/measures/bank_records/confirm/").status_code == expected
        before.check()
    read_only = token_client(users["coordinator"], scope="read")
    before = Unchanged(br_profile, fiche)
    anonymous = Client()
    assert patch(anonymous, "/api/v1/countries/BR/legal-profile/", {"summary": "x"}).status_code == 401
    assert patch(read_only, "/api/v1/countries/BR/legal-profile/", {"summary": "x"}).status_code == 403
    before.check()


def test_patch_profile_and_rules(users, br_profile):
    client = token_client(users["coordinator"])
    response = patch(
        client,
        "/api/v1/countries/BR/legal-profile/",
        {
            "summary": "Via the API",
            "effective_from": "2026-05-01",
            "rules": {"extradition": {"extradites_nationals": "no"}},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "Via the API"
    assert body["provenance"]["effective_from"] == "2026-05-01"
    extradition = next(row for row in body["types"] if row["coop_type"] == "extradition")
    assert extradition["rules"]["extradites_nationals"] == "no"
    assert CooperationRules.objects.get(profile=br_profile, coop_type="extradition").extradites_nationals == "no"
    assert AuditEvent.objects.filter(action=AuditAction.LEGAL_PROFILE_UPDATED).count() == 4  # 2 fixture + 2 here


def test_patch_rejects_bad_input_and_changes_nothing(users, br_profile):
    client = token_client(users["secretariat"])
    fiche = MeasureFiche.objects.get(country=br_profile.country)
    before = Unchanged(br_profile, fiche)
    response = patch(
        client,
        "/api/v1/countries/BR/legal-profile/",
        {"summary": "x", "legal_tradition": "roman", "rules": {"mla": {"channels": ["pigeon"]}}, "effective_from": "x"},
    )
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["effective_from", "legal_tradition", "rules.mla.channels"]
    response = patch(client, "/api/v1/countries/BR/measures/bank_records/", {"availability": "often", "size": 3})
    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["availability", "size"]
    response = client.patch("/api/v1/countries/BR/measures/bank_records/", data="[1]", content_type="application/json")
    assert response.status_code == 400
    before.check()


def test_patch_fiche_creates_it(users, br_profile, br_authority):
    client = token_client(users["coordinator"])
    response = patch(
        client,
        "/api/v1/countries/BR/measures/freezing/",
        {"availability": "partly", "competent_authority": br_authority.pk, "contents": ["Asset description"]},
    )
    assert response.status_code == 200
    assert response.json()["recorded"] is True
    assert response.json()["competent_authority"]["id"] == br_authority.pk
    assert MeasureFiche.objects.get(country=br_profile.country, measure="freezing").availability == "partly"
    assert patch(client, "/api/v1/countries/BR/measures/teleport/", {}).status_code == 404


def test_confirm_endpoints(users, br_profile):
    client = token_client(users["coordinator"])
    assert client.post("/api/v1/countries/BR/legal-profile/confirm/").status_code == 200
    assert client.post("/api/v1/countries/BR/measures/bank_records/confirm/").status_code == 200
    assert client.post("/api/v1/countries/BR/measures/freezing/confirm/").status_code == 404
    assert list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2]) == [
        AuditAction.MEASURE_FICHE_CONFIRMED,
        AuditAction.LEGAL_PROFILE_CONFIRMED,
    ]
    assert CountryProfile.objects.get(pk=br_profile.pk).confirmed_by == users["coordinator"]


def test_query_counts_do_not_grow(client, users, br_profile, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comity.directory.tests.factories import AuthorityFactory
    from comity.legalprofiles import services

    urls = (
        "/api/v1/countries/BR/measures/",
        "/api/v1/countries/BR/legal-profile/",
        "/api/v1/legal-compare/?a=BR&b=ID&type=mla",
    )

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    small = counts()
    for index, measure in enumerate(("freezing", "confiscation", "interception", "criminal_records")):
        AuthorityFactory(country=br_profile.country, competences=["mla_central", "extradition"])
        services.fiche_update(actor=users["secretariat"], country=br_profile.country, measure=measure, data={})
        services.rules_update(
            actor=users["secretariat"],
            country=br_profile.country,
            coop_type=["cybercrime", "extradition"][index % 2],
            data={},
        )
    assert counts() == small


def test_schema_documents_the_endpoints(client):
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    own = [p for p in paths if "measures" in p or "legal-profile" in p or "legal-compare" in p]
    assert {p: sorted(paths[p]) for p in own} == {
        "/api/v1/countries/{iso2}/legal-profile/": ["get", "patch"],
        "/api/v1/countries/{iso2}/legal-profile/confirm/": ["post"],
        "/api/v1/countries/{iso2}/measures/": ["get"],
        "/api/v1/countries/{iso2}/measures/{code}/": ["get", "patch"],
        "/api/v1/countries/{iso2}/measures/{code}/confirm/": ["post"],
        "/api/v1/legal-compare/": ["get"],
    }
    params = sorted(p["name"] for p in paths["/api/v1/legal-compare/"]["get"]["parameters"])
    assert params == ["a", "b", "measure", "type"]
    # Its own answers plus the errors every operation shares (core/api/schema.py).
    assert sorted(paths["/api/v1/countries/{iso2}/measures/{code}/"]["get"]["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "429",
        "503",
    ]
