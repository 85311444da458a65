"""The letter: BR->ID bank records in each language Indonesia accepts, FR->BR in Portuguese, BR->SA in Arabic
right-to-left; every required item is in the DOCX, opened with python-docx."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from comity.requests import documents, services, writer
from comity.requests.letters import letter_texts, normalise_language
from comity.requests.models import LETTER_LANGUAGES, LetterModel
from comity.requests.tests.conftest import BANK_ANSWERS_PREFIX, complete_draft

pytestmark = pytest.mark.django_db


def _open(content: bytes):
    return docx.Document(io.BytesIO(content))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _assert_every_item(document, draft, language):
    text = _text(document)
    texts = letter_texts(coop_type=draft.coop_type, language=language)
    for key, _label, required in writer.CONTENT_FIELDS:
        if required:
            assert texts.get(key) in text, key
            assert draft.content[key] in text, key
    reqs_fiches = writer.fiches_for(draft)
    for measure in draft.measures:
        assert texts.measure_labels[measure] in text
        items = writer.fiche_items(reqs_fiches[measure])
        assert len(items) == 5
        for index, item in enumerate(items):
            assert f"{item}: {BANK_ANSWERS_PREFIX} {measure} {index}" in text
    assert texts.get("title") in text
    assert texts.get("reciprocity") in text
    assert draft.requesting_authority.country.name_in(language) in text


def test_the_seven_languages_have_every_text(world):
    assert LetterModel.objects.count() == 7 * (1 + 5 + 18)
    english = {m.coop_type + "|" + m.measure: set(m.texts) for m in LetterModel.objects.filter(language="en")}
    for language in LETTER_LANGUAGES:
        rows = {m.coop_type + "|" + m.measure: m for m in LetterModel.objects.filter(language=language)}
        assert set(rows) == set(english)
        for key, row in rows.items():
            assert set(row.texts) == english[key]
            assert all(value.strip() for value in row.texts.values())


def test_brazil_to_indonesia_bank_records_in_each_language_indonesia_accepts(people, authorities, clients):
    src, dst = authorities["BR"], authorities["ID"]
    accepted = [normalise_language(code) for code in dst.languages_accepted]
    assert sorted(accepted) == ["en", "id"]  # the demo directory: Indonesian, English
    draft = complete_draft(author=people["br_member"], src=src, dst=dst)
    reqs = writer.requirements(user=people["br_member"], draft=draft)
    producible = [code for code in accepted if code in LETTER_LANGUAGES]
    assert reqs.letter_languages == producible == ["en"]
    assert reqs.translation_required is False
    assert draft.language == "en"  # the only language offered is chosen by itself
    for language in producible:
        document = _open(documents.letter_docx(draft=draft, language=language))
        _assert_every_item(document, draft, language)
        assert document.core_properties.language == language
    request = services.draft_finalise(actor=people["br_member"], draft=draft)
    response = clients["br_member"].get(f"/api/v1/requests/{request.pk}/document/?format=docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    _assert_every_item(_open(response.content), draft, "en")
    assert clients["br_member"].get(f"/api/v1/requests/{request.pk}/document/?format=pdf").status_code == 400


def test_france_to_brazil_in_portuguese(people, authorities, clients):
    draft = complete_draft(author=people["fr_member"], src=authorities["FR"], dst=authorities["BR"], language="pt")
    reqs = writer.requirements(user=people["fr_member"], draft=draft)
    assert sorted(reqs.letter_languages) == ["en", "es", "pt"]
    assert draft.language == "pt"
    document = _open(documents.letter_docx(draft=draft))
    _assert_every_item(document, draft, "pt")
    text = _text(document)
    assert "Pedido de auxílio jurídico mútuo em matéria penal" in text
    assert "Registros bancários" in text
    assert "França" in text  # the requesting State named in Portuguese (CLDR)
    page = clients["fr_member"].get(f"/en/requests/drafts/{draft.pk}/letter/").content.decode()
    assert '<html lang="pt" dir="ltr">' in page
    assert "Pedido de auxílio jurídico mútuo em matéria penal" in page


def test_brazil_to_saudi_arabia_in_arabic_right_to_left(people, authorities, clients):
    draft = complete_draft(
        author=people["br_member"],
        src=authorities["BR"],
        dst=authorities["SA"],
        coop_type="extradition",
        measures=(),
        language="ar",
    )
    reqs = writer.requirements(user=people["br_member"], draft=draft)
    assert sorted(reqs.letter_languages) == ["ar", "en"]
    content = documents.letter_docx(draft=draft)
    document = _open(content)
    text = _text(document)
    assert "طلب تسليم" in text
    for key in ("person", "offences", "penalty", "warrant", "assurances"):
        assert letter_texts(coop_type="extradition", language="ar").get(key) in text
        assert draft.content[key] in text
    paragraphs = [p for p in document.paragraphs if p.text]
    assert len(paragraphs) == sum(1 for _p in paragraphs)
    for paragraph in paragraphs:
        bidi = paragraph._p.pPr.find(qn("w:bidi"))
        assert bidi is not None and bidi.get(qn("w:val")) == "1"
        for run in paragraph.runs:
            assert run._r.rPr.find(qn("w:rtl")) is not None
    page = clients["br_member"].get(f"/en/requests/drafts/{draft.pk}/letter/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page


def test_a_state_accepting_none_of_the_seven_gets_english_and_a_translation_note(people, authorities, clients):
    dst = authorities["ID"]
    dst.languages_accepted = ["id"]
    dst.save(update_fields=["languages_accepted"])
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=dst)
    reqs = writer.requirements(user=people["br_member"], draft=draft)
    assert (reqs.letter_languages, reqs.translation_required) == (["en"], True)
    page = clients["br_member"].get(f"/en/requests/drafts/{draft.pk}/review/").content.decode()
    assert "a translation is required" in page
    annexes = clients["br_member"].get(f"/en/requests/drafts/{draft.pk}/annexes/").content.decode()
    assert "A translation of the request and its annexes" in annexes


def test_letter_text_is_data_the_secretariat_edits(people, authorities):
    row = LetterModel.objects.get(coop_type="mla", measure="", language="en")
    row.texts = {**row.texts, "title": "Edited title of the letter"}
    row.save()
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    assert "Edited title of the letter" in _text(_open(documents.letter_docx(draft=draft)))


def test_the_secretariat_edits_a_letter_model_in_the_admin(clients, people):
    import json

    from comity.audit.models import AuditEvent

    row = LetterModel.objects.get(coop_type="extradition", measure="", language="fr")
    texts = {**row.texts, "title": "Demande d’extradition (modèle révisé)"}
    url = f"/admin/requests/lettermodel/{row.pk}/change/"
    assert clients["br_member"].get(url).status_code == 302  # not staff: the admin's sign-in
    response = clients["secretariat"].post(
        url,
        {"coop_type": "extradition", "measure": "", "language": "fr", "texts": json.dumps(texts), "source": row.source},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.texts["title"], row.edited) == ("Demande d’extradition (modèle révisé)", True)
    event = AuditEvent.objects.get(action="requests.letter_model_edited")
    assert event.details == {"coop_type": "extradition", "measure": "", "language": "fr"}
