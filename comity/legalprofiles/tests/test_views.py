"""The pages: who sees and edits what, what a page shows, bad input kept and explained, conditional GET, and a
constant number of queries as the data grows."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from comity.audit.models import AuditEvent
from comity.directory.tests.factories import AuthorityFactory
from comity.legalprofiles import services
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche
from comity.legalprofiles.tests.conftest import Unchanged
from comity.legalprofiles.tests.factories import FicheFactory, ProfileFactory
from comity.reference.tests.factories import CountryFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

EVERYONE = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat", "observer")
PUBLIC_PAGES = (
    "/en/legal/countries/",
    "/en/legal/countries/BR/",
    "/en/legal/countries/BR/measures/bank_records/",
    "/en/legal/compare/",
    "/en/legal/compare/?a=BR&b=ID&measure=bank_records",
    "/en/legal/compare/?a=BR&b=ID&type=mla",
)
EDIT_PAGES = (
    "/en/legal/countries/BR/edit/",
    "/en/legal/countries/BR/types/mla/edit/",
    "/en/legal/countries/BR/measures/bank_records/edit/",
)


def editors_only(anonymous=302):
    return {
        "anonymous": anonymous,
        "member": 404,
        "member_other": 404,
        "coordinator": 200,
        "coordinator_other": 404,
        "secretariat": 200,
        "observer": 404,
        "liaison": 404,
        "moderator": 404,
    }


def test_public_pages_for_everyone(personas, br_profile):
    for url in PUBLIC_PAGES:
        check_matrix(personas, "GET", url, dict.fromkeys(EVERYONE, 200))


def test_edit_pages_for_editors_of_the_country(personas, br_profile):
    for url in EDIT_PAGES:
        check_matrix(personas, "GET", url, editors_only())


def test_overdue_list_for_editors(personas, br_profile):
    expected = editors_only()
    expected["coordinator_other"] = 200  # their own overdue list
    check_matrix(personas, "GET", "/en/legal/overdue/", expected)


def test_unknown_country_measure_or_type_is_404(personas, br_profile):
    for url in (
        "/en/legal/countries/ZZ/",
        "/en/legal/countries/BRA/",
        "/en/legal/countries/BR/measures/teleport/",
        "/en/legal/countries/BR/types/piracy/edit/",
        "/en/legal/countries/BR/measures/teleport/edit/",
    ):
        expected = dict.fromkeys(("coordinator", "secretariat"), 404)
        check_matrix(personas, "GET", url, expected)


def test_lower_case_code_redirects(client, br_profile):
    response = client.get("/en/legal/countries/br/")
    assert (response.status_code, response["Location"]) == (301, "/en/legal/countries/BR/")


def test_refused_writes_change_nothing(personas, br_profile):
    brazil = br_profile.country
    fiche = MeasureFiche.objects.get(country=brazil)
    posts = {
        "/en/legal/countries/BR/edit/": {
            "summary": "Hijacked",
            "text_language": "en",
            "laws-TOTAL_FORMS": "0",
            "laws-INITIAL_FORMS": "0",
        },
        "/en/legal/countries/BR/types/mla/edit/": {"dual_criminality": "required"},
        "/en/legal/countries/BR/measures/bank_records/edit/": {"availability": "not_available", "text_language": "en"},
        "/en/legal/countries/BR/confirm/": {},
        "/en/legal/countries/BR/measures/bank_records/confirm/": {},
    }
    for url, data in posts.items():
        before = Unchanged(br_profile, fiche)
        expected = {name: 404 for name in ("member", "member_other", "coordinator_other", "observer", "liaison")}
        expected["anonymous"] = 302
        check_matrix(personas, "POST", url, expected, data=data)
        before.check()


def test_public_page_shows_the_profile(client, br_profile, br_authority):
    page = client.get("/en/legal/countries/BR/").content.decode()
    assert "Civil law" in page
    assert "Cooperation rests on treaties and reciprocity." in page
    assert "Law 13.445 on migration" in page
    assert "Unverified" in page
    assert "Demo content" not in page
    assert f'href="/en/directory/authorities/{br_authority.pk}/"' in page
    assert "Portuguese <code>pt</code>, Spanish <code>es</code>" in page
    assert "by a national coordinator" in page  # the public sees the role, not the name
    assert "Clara Coordinator" not in page
    assert "Version history" not in page
    assert "/en/legal/countries/BR/edit/" not in page


def test_editor_sees_names_history_and_actions(personas, br_profile):
    page = personas["coordinator"].get("/en/legal/countries/BR/").content.decode()
    assert "by Clara Coordinator" in page
    assert "Version history" in page
    assert 'action="/en/legal/countries/BR/confirm/"' in page
    assert "/en/legal/countries/BR/types/extradition/edit/" in page


def test_demo_content_is_flagged(client, brazil):
    ProfileFactory(country=brazil, is_demo=True)
    FicheFactory(country=brazil, is_demo=True, measure="freezing")
    page = client.get("/en/legal/countries/BR/").content.decode()
    assert page.count("Demo content") == 3  # the profile's tag, its explanation, the fiche's tag
    fiche_page = client.get("/en/legal/countries/BR/measures/freezing/").content.decode()
    assert "Demo content" in fiche_page


def test_measure_page(client, br_profile, br_authority):
    page = client.get("/en/legal/countries/BR/measures/bank_records/").content.decode()
    assert "Bank records in Brazil" in page
    assert "<li>Account numbers</li><li>Period covered</li>" in page
    assert f'<a href="/en/directory/authorities/{br_authority.pk}/">Central Authority of Brazil</a>' in page
    br_authority.is_active = False
    br_authority.save()
    page = client.get("/en/legal/countries/BR/measures/bank_records/").content.decode()
    assert "Central Authority of Brazil" in page
    assert f"/en/directory/authorities/{br_authority.pk}/" not in page  # no link to a page the public cannot open
    empty = client.get("/en/legal/countries/BR/measures/interception/").content.decode()
    assert "No fiche has been written for this measure yet" in empty


def test_edit_profile_with_laws(personas, br_profile):
    client = personas["coordinator"]
    page = client.get("/en/legal/countries/BR/edit/").content.decode()
    assert 'value="Law 13.445 on migration"' in page
    data = {
        "legal_tradition": "mixed",
        "summary": "Updated.",
        "source": "Gazette",
        "as_of": "2026-02-01",
        "text_language": "pt",
        "effective_from": "2026-04-01",
        "laws-TOTAL_FORMS": "3",
        "laws-INITIAL_FORMS": "0",
        "laws-0-title": "",  # removes the old law
        "laws-1-title": "Decree 9.734",
        "laws-1-date": "2019-03-20",
        "laws-1-types": ["mla", "asset_recovery"],
        "laws-2-title": "",
    }
    response = client.post("/en/legal/countries/BR/edit/", data)
    assert (response.status_code, response["Location"]) == (302, "/en/legal/countries/BR/")
    profile = CountryProfile.objects.get(pk=br_profile.pk)
    assert (profile.legal_tradition, profile.summary, profile.text_language) == ("mixed", "Updated.", "pt")
    assert profile.effective_from == dt.date(2026, 4, 1)
    assert profile.laws == [
        {"title": "Decree 9.734", "date": "2019-03-20", "url": "", "text": "", "types": ["mla", "asset_recovery"]}
    ]


def test_bad_profile_submission_keeps_input_and_names_fields(personas, br_profile):
    before = Unchanged(br_profile)
    data = {
        "legal_tradition": "roman",
        "summary": "My careful new text",
        "text_language": "en",
        "laws-TOTAL_FORMS": "2",
        "laws-INITIAL_FORMS": "0",
        "laws-0-title": "",
        "laws-0-url": "https://example.test/law",
        "laws-1-title": "Valid law",
        "laws-1-date": "not a date",
    }
    response = personas["coordinator"].post("/en/legal/countries/BR/edit/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in page
    assert "Select a valid choice. roman is not one of the available choices." in page
    assert "Give the title of the law, or empty the whole row to remove it." in page
    assert "Enter a valid date." in page
    assert "My careful new text" in page
    assert 'value="https://example.test/law"' in page
    before.check()


def test_edit_rules(personas, br_profile):
    client = personas["secretariat"]
    page = client.get("/en/legal/countries/BR/types/mla/edit/").content.decode()
    assert "Portuguese, Spanish" in page  # languages from the directory
    form = {
        "treatyless_basis": "both",
        "dual_criminality": "required",
        "extradites_nationals": "unknown",
        "political_offence_exception": "yes",
        "fiscal_offence_exception": "no",
        "death_penalty_assurance": "unknown",
        "life_sentence_assurance": "unknown",
        "certification": "required",
        "apostille": "not_required",
        "originals": "depends",
        "channels": ["direct", "interpol"],
        "typical_time": "Three months",
    }
    bad = client.post("/en/legal/countries/BR/types/mla/edit/", {**form, "dual_criminality": "often"})
    assert bad.status_code == 400
    assert "Select a valid choice. often is not one of the available choices." in bad.content.decode()
    assert 'value="Three months"' in bad.content.decode()
    response = client.post("/en/legal/countries/BR/types/mla/edit/", {**form, "treatyless_notes_fr": "Réciprocité"})
    assert (response.status_code, response["Location"]) == (302, "/en/legal/countries/BR/#mla")
    assert CooperationRules.objects.get(profile=br_profile, coop_type="mla").treatyless_notes_i18n == {
        "fr": "Réciprocité"
    }
    assert (
        'id="id_treatyless_notes_fr">\nRéciprocité</textarea>'
        in client.get("/en/legal/countries/BR/types/mla/edit/").content.decode()
    )
    rules = CooperationRules.objects.get(profile=br_profile, coop_type="mla")
    assert (rules.dual_criminality, rules.channels, rules.typical_time) == (
        "required",
        ["direct", "interpol"],
        "Three months",
    )


def test_edit_fiche_rejects_other_countries_authority(personas, br_profile, indonesia):
    fiche = MeasureFiche.objects.get(country=br_profile.country)
    foreign = AuthorityFactory(country=indonesia, official_name="Kejaksaan")
    before = Unchanged(fiche)
    data = {"availability": "partly", "text_language": "en", "competent_authority": str(foreign.pk), "contents": "A\nB"}
    response = personas["coordinator"].post("/en/legal/countries/BR/measures/bank_records/edit/", data)
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    before.check()
    data["competent_authority"] = ""
    response = personas["coordinator"].post("/en/legal/countries/BR/measures/bank_records/edit/", data)
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert (fiche.availability, fiche.contents, fiche.competent_authority) == ("partly", ["A", "B"], None)


def test_confirm_buttons(personas, br_profile):
    client = personas["coordinator"]
    events = AuditEvent.objects.count()
    assert client.post("/en/legal/countries/BR/confirm/").status_code == 302
    assert client.post("/en/legal/countries/BR/measures/bank_records/confirm/").status_code == 302
    assert client.post("/en/legal/countries/BR/measures/freezing/confirm/").status_code == 404  # no fiche yet
    assert AuditEvent.objects.count() == events + 2
    assert client.get("/en/legal/countries/BR/confirm/").status_code == 405


def test_compare_page(client, br_profile, indonesia):
    start = client.get("/en/legal/compare/?a=BR&measure=freezing")  # the link from a country's page
    assert start.status_code == 200
    assert '<option value="freezing" selected>' in start.content.decode()
    page = client.get("/en/legal/compare/?a=BR&b=ID&type=mla").content.decode()
    assert "Brazil" in page and "Indonesia" in page
    assert "Not required" in page  # Brazil's dual criminality
    assert "Nothing recorded" in page  # Indonesia has no profile
    page = client.get("/en/legal/compare/?a=br&b=ID&measure=bank_records").content.decode()
    assert "A judicial order lifts banking secrecy." in page
    for query, message in (
        ("a=BR&b=ID", "Choose a measure or a type of cooperation."),
        ("a=BR&b=ID&measure=bank_records&type=mla", "Choose a measure or a type of cooperation, not both."),
        ("a=ZZ&b=ID&type=mla", "Select a valid choice. ZZ is not one of the available choices."),
        ("a=BR&b=ID&measure=teleport", "Select a valid choice. teleport is not one of the available choices."),
    ):
        response = client.get("/en/legal/compare/?" + query)
        assert response.status_code == 400, query
        assert message in response.content.decode(), query


def test_conditional_get(client, br_profile):
    url = "/en/legal/countries/BR/"
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert (
        client.get("/en/legal/countries/BR/measures/bank_records/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    )
    assert client.get("/en/legal/countries/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    compare = client.get("/en/legal/compare/?a=BR&b=ID&type=mla")
    assert client.get("/en/legal/compare/?a=BR&b=ID&type=mla", HTTP_IF_NONE_MATCH=compare["ETag"]).status_code == 304
    # A change makes the page new again.
    later = timezone.now() + dt.timedelta(seconds=2)
    CountryProfile.objects.filter(pk=br_profile.pk).update(updated_at=later)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
    # Another language or viewer gets another ETag.
    assert client.get("/fr/legal/countries/BR/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert http_date(later.timestamp()) == client.get(url)["Last-Modified"]


def test_edit_then_view_is_not_304(personas, br_profile):
    client = personas["coordinator"]
    etag = client.get("/en/legal/countries/BR/")["ETag"]
    client.post("/en/legal/countries/BR/confirm/")
    response = client.get("/en/legal/countries/BR/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Thank you: the legal profile is confirmed as still correct." in response.content.decode()


def _grow(users, n: int, start: int):
    for index in range(start, start + n):
        country = CountryFactory(iso2="Q" + "ABCDEFGHIJ"[index], name_en=f"Testland {index}")
        services.profile_update(actor=users["secretariat"], country=country, data={"summary": f"Profile {index}"})
        FicheFactory(country=country, measure="freezing")
        AuthorityFactory(country=country, competences=["mla_central", "extradition"])


def _more_for_brazil(users, brazil, n: int):
    for index in range(n):
        AuthorityFactory(country=brazil, competences=["mla_central", "extradition", "asset_recovery"])
        services.rules_update(
            actor=users["secretariat"],
            country=brazil,
            coop_type=["extradition", "asset_recovery", "cybercrime", "sentenced_transfer"][index % 4],
            data={"practical_tips": f"Tip {index}"},
        )
    for measure in ("freezing", "confiscation", "interception"):
        services.fiche_update(actor=users["secretariat"], country=brazil, measure=measure, data={"remarks": "r"})


@pytest.mark.parametrize("persona", ["anonymous", "coordinator"])
def test_query_counts_do_not_grow(nothing_kept, personas, users, br_profile, django_assert_max_num_queries, persona):
    client: Client = personas[persona]
    urls = (
        "/en/legal/countries/",
        "/en/legal/countries/BR/",
        "/en/legal/countries/BR/measures/bank_records/",
        "/en/legal/compare/?a=BR&b=ID&type=mla",
        "/en/legal/compare/?a=BR&b=ID&measure=bank_records",
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    small = counts()
    _grow(users, 6, 0)
    _more_for_brazil(users, br_profile.country, 4)
    assert counts() == small


@pytest.mark.parametrize("language", ["ar", "zh-hans", "es", "fr", "ru", "pt"])
def test_pages_render_in_every_language(client, br_profile, language):
    for url in (*PUBLIC_PAGES, "/en/legal/compare/?a=BR&b=ID&type=extradition"):
        localized = url.replace("/en/", f"/{language}/", 1)
        response = client.get(localized)
        assert response.status_code == 200, localized
    page = client.get(f"/{language}/legal/countries/BR/").content.decode()
    assert f'lang="{language}"' in page
