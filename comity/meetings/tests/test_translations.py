"""Titles and descriptions in the seven languages: form and API round-trips, display in the viewer's language with
a fallback to the original (and `lang` on the element), the iCalendar DESCRIPTION, and rejected input."""

import html

import icalendar
import pytest

from comity.meetings.models import Event

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "virtual",
    "title_original": "Asset recovery call",
    "description_original": "Tracing and freezing the proceeds of crime.",
    "language": "en",
    "timezone": "UTC",
    "audience": "members",
    "start": "2030-03-10T13:00",
    "end": "2030-03-10T14:00",
    "online_url": "https://meet.example.org/call",
    "title_fr": "Appel sur le recouvrement d'avoirs",
    "description_fr": "Dépister et geler le produit du crime.",
    "description_es": "Rastrear y congelar el producto del delito.",
}


def _body(**overrides):
    body = {
        "kind": "virtual",
        "title": "Call",
        "titles": {"fr": "Appel"},
        "description": "The original.",
        "descriptions": {"fr": "L'original, en français.", "ru": "Оригинал."},
        "language": "en",
        "online_url": "https://meet.example.org/call",
        "start": "2030-03-10T13:00:00Z",
        "end": "2030-03-10T14:00:00Z",
        "timezone": "Asia/Jakarta",
        "audience": "members",
    }
    body.update(overrides)
    return body


def test_form_round_trip_and_display_in_french_and_arabic_with_fallback(personas, plenary):
    client = personas["secretariat"]
    assert client.post("/en/meetings/new/", FORM).status_code == 302
    event = Event.objects.get()
    assert event.descriptions == {
        "fr": "Dépister et geler le produit du crime.",
        "es": "Rastrear y congelar el producto del delito.",
    }
    assert event.titles == {"fr": "Appel sur le recouvrement d'avoirs"}

    edit = html.unescape(client.get(f"/en/meetings/{event.pk}/edit/").content.decode())
    assert 'name="description_fr"' in edit and "Dépister et geler le produit du crime." in edit
    assert 'name="description_ar"' in edit and 'lang="ar"' in edit
    changed = {**FORM, "description_es": "", "description_ar": "تتبع عائدات الجريمة وتجميدها."}
    assert client.post(f"/en/meetings/{event.pk}/edit/", changed).status_code == 302
    event.refresh_from_db()
    assert event.descriptions == {"fr": "Dépister et geler le produit du crime.", "ar": "تتبع عائدات الجريمة وتجميدها."}

    french = html.unescape(personas["member"].get(f"/fr/meetings/{event.pk}/").content.decode())
    assert '<div class="description" lang="fr" dir="auto">Dépister et geler le produit du crime.</div>' in french
    assert '<h1 lang="fr" dir="auto">Appel sur le recouvrement d\'avoirs</h1>' in french
    arabic = personas["member"].get(f"/ar/meetings/{event.pk}/").content.decode()
    assert '<div class="description" lang="ar" dir="auto">تتبع عائدات الجريمة وتجميدها.</div>' in arabic
    # No Arabic title: the original, marked as English inside the right-to-left page.
    assert '<h1 lang="en" dir="auto">Asset recovery call</h1>' in arabic
    russian = personas["member"].get(f"/ru/meetings/{event.pk}/").content.decode()
    assert '<div class="description" lang="en" dir="auto">Tracing and freezing the proceeds of crime.</div>' in russian
    listing = html.unescape(personas["member"].get("/fr/meetings/").content.decode())
    assert 'lang="fr" dir="auto">Appel sur le recouvrement d\'avoirs</a>' in listing


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description_fr", "x" * 20001),
        ("description_original", "x" * 20001),
        ("title_ar", "x" * 201),
    ],
)
def test_form_rejects_over_long_translations(personas, plenary, field, value):
    response = personas["secretariat"].post("/en/meetings/new/", {**FORM, field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_errors"' in page and 'aria-invalid="true"' in page
    assert value in page  # nothing lost: the text is given back
    assert not Event.objects.exists()


def test_api_round_trip_and_display_in_the_callers_language(personas, plenary):
    client = personas["secretariat"]
    created = client.post("/api/v1/events/", _body(), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["description_original"], body["descriptions"]) == (
        "The original.",
        {"fr": "L'original, en français.", "ru": "Оригинал."},
    )
    assert (body["title_original"], body["titles"]) == ("Call", {"fr": "Appel"})
    url = f"/api/v1/events/{body['id']}/"

    french = personas["member"].get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (french["title"], french["title_language"]) == ("Appel", "fr")
    assert (french["description"], french["description_language"]) == ("L'original, en français.", "fr")
    arabic = personas["member"].get(url, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert (arabic["title"], arabic["title_language"]) == ("Call", "en")
    assert (arabic["description"], arabic["description_language"]) == ("The original.", "en")
    listed = personas["member"].get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert [(e["description"], e["description_language"]) for e in listed] == [("L'original, en français.", "fr")]

    updated = client.put(url, _body(descriptions={"ar": "الأصل.", "fr": "  "}), content_type="application/json")
    assert updated.status_code == 200, updated.content
    assert (updated.json()["descriptions"], updated.json()["sequence"]) == ({"ar": "الأصل."}, 1)
    arabic = personas["member"].get(url, HTTP_ACCEPT_LANGUAGE="ar").json()
    assert (arabic["description"], arabic["description_language"]) == ("الأصل.", "ar")
    french = personas["member"].get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (french["description"], french["description_language"]) == ("The original.", "en")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"descriptions": {"de": "Das Original."}}, "descriptions"),
        ({"descriptions": {"fr": "x" * 20001}}, "descriptions"),
        ({"descriptions": ["fr", "L'original"]}, "descriptions"),
        ({"descriptions": {"fr": None}}, "descriptions"),
        ({"descriptions": {"fr": ["a"]}}, "descriptions"),
        ({"titles": {"xx": "?"}}, "titles"),
        ({"titles": {"fr": "x" * 201}}, "titles"),
        ({"description": "x" * 20001}, "description"),
    ],
)
def test_api_rejects_unknown_languages_and_over_long_text(personas, plenary, overrides, field):
    response = personas["secretariat"].post("/api/v1/events/", _body(**overrides), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Event.objects.exists()


def test_api_update_with_an_unknown_language_changes_nothing(personas, plenary):
    client = personas["secretariat"]
    event_id = client.post("/api/v1/events/", _body(), content_type="application/json").json()["id"]
    response = client.put(
        f"/api/v1/events/{event_id}/", _body(descriptions={"klingon": "?"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "Unknown language code(s): klingon" in str(response.json()["error"]["fields"]["descriptions"])
    event = Event.objects.get()
    assert (event.descriptions, event.sequence) == ({"fr": "L'original, en français.", "ru": "Оригинал."}, 0)


def test_service_rejects_what_the_api_and_form_cannot_send(users, make_event):
    from django.core.exceptions import ValidationError

    for data, field in (
        ({"descriptions": {"de": "Original"}}, "descriptions"),
        ({"descriptions": "fr"}, "descriptions"),
        ({"titles": {"fr": "x" * 201}}, "titles"),
        ({"title_original": "x" * 201}, "title_original"),
    ):
        with pytest.raises(ValidationError) as caught:
            make_event(**data)
        assert field in caught.value.message_dict, data
    assert not Event.objects.exists()


def test_ics_description_in_the_callers_language(personas, make_event):
    event = make_event(descriptions={"fr": "La plénière annuelle."})

    def vevent(language):
        response = personas["member"].get(f"/api/v1/events/{event.pk}/ics/", HTTP_ACCEPT_LANGUAGE=language)
        return icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]

    french = vevent("fr")
    assert str(french["DESCRIPTION"]).startswith("La plénière annuelle.\n\n")
    assert french["DESCRIPTION"].params["LANGUAGE"] == "fr"
    assert (str(french["SUMMARY"]), french["SUMMARY"].params["LANGUAGE"]) == ("Plénière 2030", "fr")
    arabic = vevent("ar")
    assert str(arabic["DESCRIPTION"]).startswith("The yearly plenary.\n\n")
    assert arabic["DESCRIPTION"].params["LANGUAGE"] == "en"
    page = personas["member"].get(f"/fr/meetings/{event.pk}/event.ics")
    assert "La plénière annuelle." in icalendar.Calendar.from_ical(page.content).walk("VEVENT")[0]["DESCRIPTION"]
