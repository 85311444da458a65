import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "direction"),
    [
        ("en", "ltr"),
        ("fr", "ltr"),
        ("es", "ltr"),
        ("ru", "ltr"),
        ("zh-hans", "ltr"),
        ("pt", "ltr"),
        ("ar", "rtl"),
    ],
)
def test_html_lang_and_direction(client, code, direction):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    assert f'<html lang="{code}" dir="{direction}">' in response.content.decode()


def test_unprefixed_url_redirects_to_a_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_switcher_lists_languages_by_native_name(client):
    body = client.get("/en/").content.decode()
    for native in ("English", "français", "español", "русский", "العربية", "português"):
        assert native in body
    assert "中文" in body


def test_language_switch_for_visitor(client):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/en/"})
    assert response["Location"] == "/ar/"


def test_cldr_helpers_follow_the_active_language():
    import datetime as dt

    from django.utils import translation

    from comity.core import i18n

    with translation.override("en"):
        assert i18n.territory_name("BR") == "Brazil"
        assert i18n.format_day(dt.date(2024, 12, 31)) == "Dec 31, 2024"
    with translation.override("fr"):
        assert i18n.territory_name("BR") == "Brésil"
    with translation.override("ar"):
        assert i18n.territory_name("BR") == "البرازيل"
