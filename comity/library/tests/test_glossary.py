"""The multilingual glossary: its data file, the idempotent loader, the secretariat's edits, the page, and the
forum's machine translation reading it through the forum's hook."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.forum import hooks, translation
from comity.library import forum_hooks, services
from comity.library.models import GLOSSARY_LANGUAGES, GlossaryTerm
from comity.testing import Unchanged

REQUIRED = {
    "central_authority",
    "letter_rogatory",
    "dual_criminality",
    "speciality_rule",
    "ne_bis_in_idem",
    "double_jeopardy",
    "spontaneous_information",
}


class GlossaryUnchanged(Unchanged):
    tables = (GlossaryTerm,)


def test_data_file_has_the_required_terms_in_seven_languages():
    data = services.glossary_file_data()
    assert data["languages"] == list(GLOSSARY_LANGUAGES)
    keys = [entry["key"] for entry in data["terms"]]
    assert len(keys) == len(set(keys)) == 57
    assert REQUIRED <= set(keys)
    for entry in data["terms"]:
        assert all(entry[code] for code in GLOSSARY_LANGUAGES), entry["key"]
        assert entry["definition"]["en"], entry["key"]
        assert entry["verified"] is False, entry["key"]  # typed from knowledge: none claims to be verified


def test_forum_terms_are_kept_as_they_were():
    """The forum's own glossary file (the fallback) and the library agree on the terms they share."""
    with open(translation.GLOSSARY_FILE, encoding="utf-8") as handle:
        forum = {entry["key"]: entry for entry in json.load(handle)["terms"]}
    library = {entry["key"]: entry for entry in services.glossary_file_data()["terms"]}
    for key, entry in forum.items():
        assert {code: library[key][code] for code in GLOSSARY_LANGUAGES} == {
            code: entry[code] for code in GLOSSARY_LANGUAGES
        }


@pytest.mark.django_db
def test_loader_is_idempotent_and_keeps_edits(users, capsys):
    call_command("load_glossary")
    assert capsys.readouterr().out == "Glossary: 57 created, 0 updated, 0 unchanged, 0 kept as edited.\n"
    term = GlossaryTerm.objects.get(key="letter_rogatory")
    assert (term.term_ru, term.as_of.isoformat(), term.verified) == ("судебное поручение", "2026-12-06", False)
    assert term.search_text.startswith("letter rogatory\nletter rogatory\ncommission rogatoire")
    call_command("load_glossary")
    assert capsys.readouterr().out == "Glossary: 0 created, 0 updated, 57 unchanged, 0 kept as edited.\n"
    services.glossary_term_update(actor=users["secretariat"], term=term, values={"term_pt": "carta rogatória (BR)"})
    GlossaryTerm.objects.filter(key="extradition").update(term_fr="changed by hand")
    assert services.glossary_load().as_dict() == {"created": 0, "updated": 1, "unchanged": 55, "kept": 1}
    assert GlossaryTerm.objects.get(key="letter_rogatory").term_pt == "carta rogatória (BR)"
    assert GlossaryTerm.objects.get(key="extradition").term_fr == "extradition"
    assert GlossaryTerm.objects.count() == 57


@pytest.mark.django_db
def test_secretariat_edits_a_term_with_audit(users):
    services.glossary_load()
    term = GlossaryTerm.objects.get(key="ne_bis_in_idem")
    services.glossary_term_update(
        actor=users["secretariat"],
        term=term,
        values={
            "definition_fr": "Nul ne peut être poursuivi deux fois.",
            "verified": True,
            "term_en": "ne bis in idem",
        },
    )
    term.refresh_from_db()
    assert (term.definition_fr, term.verified, term.updated_by_id) == (
        "Nul ne peut être poursuivi deux fois.",
        True,
        users["secretariat"].pk,
    )
    assert "nul ne peut etre poursuivi deux fois." in term.search_text  # folded: accents ignored
    [event] = AuditEvent.objects.filter(action=AuditAction.GLOSSARY_TERM_SAVED)
    assert event.details == {"key": "ne_bis_in_idem", "changed": ["definition_fr", "verified"], "verified": True}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "member", "observer"])
def test_only_the_secretariat_edits_terms(users, persona):
    services.glossary_load()
    term = GlossaryTerm.objects.get(key="ne_bis_in_idem")
    before = GlossaryUnchanged(term)
    with pytest.raises(PermissionDenied):
        services.glossary_term_update(actor=users[persona], term=term, values={"term_en": "changed"})
    before.check()


@pytest.mark.django_db
def test_bad_edit_names_the_field_and_keeps_the_term(users):
    services.glossary_load()
    term = GlossaryTerm.objects.get(key="ne_bis_in_idem")
    before = GlossaryUnchanged(term)
    with pytest.raises(ValidationError) as caught:
        services.glossary_term_update(
            actor=users["secretariat"], term=term, values={"term_en": " ", "term_fr": "x" * 201, "key": "other"}
        )
    assert caught.value.message_dict == {"key": ["This field cannot be changed."]}
    with pytest.raises(ValidationError) as caught:
        services.glossary_term_update(
            actor=users["secretariat"], term=term, values={"term_en": " ", "term_fr": "x" * 201}
        )
    assert caught.value.message_dict == {
        "term_en": ["The English term is required."],
        "term_fr": ["At most 200 characters."],
    }
    before.check()


@pytest.mark.django_db
def test_glossary_page_filters_and_says_unverified(personas):
    services.glossary_load()
    client = personas["anonymous"]
    body = client.get(reverse("library:glossary")).content.decode()
    assert "were typed from knowledge, not copied from a cited terminology source" in body
    assert body.count('<span class="tag status-bad">not verified</span>') == 57
    body = client.get(reverse("library:glossary") + "?q=rogatoire").content.decode()
    assert body.count("<dt ") == 1 and 'id="term-letter_rogatory"' in body
    body = client.get(reverse("library:glossary") + "?language=fr&letter=É").content.decode()
    assert 'id="term-requesting_state"' in body and 'id="term-requested_state"' in body
    assert 'id="term-extradition"' in body  # "extradition" starts with E, as É does
    assert 'id="term-central_authority"' not in body
    body = client.get(reverse("library:glossary") + "?language=zh-hans&q=引渡").content.decode()
    assert 'id="term-extradition"' in body and 'id="term-simplified_extradition"' in body
    assert client.get(reverse("library:glossary") + "?language=xx").status_code == 400


@pytest.mark.django_db
def test_glossary_edit_page(personas):
    services.glossary_load()
    path = reverse("library:glossary_edit", args=["letter_rogatory"])
    data = {
        f"term_{code.replace('-', '_')}": GlossaryTerm.objects.get(key="letter_rogatory").term(code)
        for code in GLOSSARY_LANGUAGES
    }
    data.update(
        {"term_es": "exhorto", "definition_en": "A request from a court.", "source": "UNTERM", "verified": "on"}
    )
    response = personas["secretariat"].post(path, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("library:glossary") + "#term-letter_rogatory"
    term = GlossaryTerm.objects.get(key="letter_rogatory")
    assert (term.term_es, term.definition_en, term.source, term.verified) == (
        "exhorto",
        "A request from a court.",
        "UNTERM",
        True,
    )
    response = personas["secretariat"].post(path, {**data, "term_en": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


# --- the forum's translation through the hook ---------------------------------------------------------------------


def test_the_library_registers_its_glossary_with_the_forum():
    assert forum_hooks.translation_glossary in hooks.glossary_provider._receivers


@pytest.mark.django_db
def test_forum_translation_uses_the_library_glossary(users):
    # Before load_glossary: the library's data file.
    protected, found = translation.protect("The letter rogatory and the rule of speciality.", "en")
    assert protected == "The [[0]] and the [[1]]."
    assert translation.restore(protected, found, "fr")[0] == "The commission rogatoire and the règle de la spécialité."
    # After: the database, including the secretariat's edits.
    services.glossary_load()
    term = GlossaryTerm.objects.get(key="letter_rogatory")
    services.glossary_term_update(actor=users["secretariat"], term=term, values={"term_es": "exhorto"})
    protected, found = translation.protect("Una exhorto sobre extradición.", "es")
    assert protected == "Una [[0]] sobre [[1]]."
    assert translation.restore(protected, found, "en")[0] == "Una letter rogatory sobre extradition."
    assert translation.glossary()["source"].startswith("Comity legal library glossary.")
