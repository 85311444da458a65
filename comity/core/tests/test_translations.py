"""Every UI string is translated in every language, with the same placeholders, and none fuzzy."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LOCALES = ["ar", "es", "fr", "pt", "ru", "zh_Hans"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def _catalog(locale):
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle, locale=locale)


def _template_ids():
    with open(LOCALE_DIR / "django.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_complete(locale):
    catalog = _catalog(locale)
    missing, fuzzy, broken = [], [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings):
            missing.append(ids[0])
            continue
        if message.fuzzy:
            fuzzy.append(ids[0])
        expected = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - set().union(*(PLACEHOLDER.findall(i) for i in ids)) or (
                len(strings) == 1 and set(PLACEHOLDER.findall(text)) != expected
            ):
                broken.append(ids[0])
    assert missing == [], f"{locale}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert fuzzy == [], f"{locale}: fuzzy {fuzzy[:5]}"
    assert broken == [], f"{locale}: placeholders differ in {broken[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_covers_every_source_string(locale):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(locale) if m.id}
    assert _template_ids() - ids == set()


@pytest.mark.parametrize(
    ("language", "english"),
    [
        ("fr", "Skip to main content"),
        ("ar", "Skip to main content"),
        ("zh-hans", "Countries"),
        ("ru", "Sign in"),
        ("es", "Networks"),
        ("pt", "Change language"),
    ],
)
def test_translated_pages_show_no_english_chrome(client, db, language, english):
    response = client.get(f"/{language}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in body
    assert english not in body


def test_template_catalogue_is_up_to_date():
    """Every translatable string in the code and templates is in django.pot (run `make messages-extract`)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = LOCALE_DIR.parents[1]
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(
        {
            "gettext_lazy": None,
            "ngettext_lazy": (1, 2),
            "pgettext": ((1, "c"), 2),
            "pgettext_lazy": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3),
        }
    )
    method_map = [("comity/**.py", "python"), ("comity/**/jinja2/**.html", "jinja2")]
    options_map = {"comity/**/jinja2/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    assert found - _template_ids() == set(), "run `make messages-extract` and translate the new strings"
