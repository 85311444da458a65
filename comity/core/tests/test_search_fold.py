"""Search ignores case and accents in every script, and Arabic letter variants (issue 11, section 7)."""

import pytest
from django.db import connection

from comity.core.search import fold, highlight, snippet, terms_of
from comity.core.search.operations import refold_search_text


def test_fold_ignores_case_and_accents_in_latin_greek_and_cyrillic():
    assert fold("Maré") == fold("MARE") == "mare"
    assert fold("São Paulo, CÔTE D'IVOIRE") == "sao paulo, cote d'ivoire"
    assert fold("Straße") == "strasse"
    assert fold("Ἀθῆναι") == fold("αθηναι")
    assert fold("Ёлка") == fold("елка")
    assert fold("Türkiye") == "turkiye"


def test_fold_unifies_arabic_alef_hamza_forms_ta_marbuta_and_yeh_variants():
    alef = "\u0627"
    for variant in ("\u0623", "\u0625", "\u0622", "\u0671"):  # أ إ آ ٱ
        assert fold(variant + "حمد") == alef + "حمد"
    assert fold("محكمة") == fold("محكمه")  # ta marbuta and heh
    assert fold("مصطفى") == fold("مصطفي")  # alef maksura and yeh
    assert fold("ایران") == fold("ايران")  # Farsi yeh
    assert fold("سؤال") == "سوال" and fold("رئيس") == "رييس"  # hamza on waw and yeh
    assert fold("مُحَمَّد") == "محمد"  # harakat
    assert fold("العـــدل") == "العدل"  # tatweel


def test_fold_keeps_chinese_and_is_idempotent():
    for text in ("最高人民检察院", "Maré", "إدارة استرداد الأصول", "ß", "Ǆemal", "한국어"):
        assert fold(fold(text)) == fold(text)
    assert fold("最高人民检察院") == "最高人民检察院"
    assert fold("한국어") == "한국어"


def test_terms_are_folded_and_highlights_mark_the_original_text():
    assert terms_of("MARÉ  mare Porto") == ["mare", "porto"]
    assert terms_of("الأصول") == ["الاصول"]
    assert str(highlight("Complexo da Maré, Rio", ["mare"])) == "Complexo da <mark>Maré</mark>, Rio"
    assert str(highlight("إدارة استرداد الأصول", terms_of("الاصول"))) == "إدارة استرداد <mark>الأصول</mark>"
    assert str(highlight("Straße & Co", ["strasse"])) == "<mark>Straße</mark> &amp; Co"
    assert str(snippet("x " * 200 + "Maré", ["mare"])).endswith("<mark>Maré</mark>")


@pytest.mark.django_db
def test_the_data_migration_folds_stored_texts_again_and_leaves_folded_ones_alone():
    from comity.directory.models import Authority
    from comity.directory.tests.factories import AuthorityFactory

    old = AuthorityFactory(official_name="Maré", search_text="maré أحمد")
    new = AuthorityFactory(official_name="Other", search_text="other")
    operation = refold_search_text(table="directory_authority", column="search_text", batch=1)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    operation.code(None, editor)
    assert Authority.objects.get(pk=old.pk).search_text == "mare احمد"
    assert Authority.objects.get(pk=new.pk).search_text == "other"


def test_a_column_searched_as_written_is_compared_with_the_case_folded_term():
    from comity.core.search import TextIndex

    (term,) = terms_of("MARÉ")
    assert (term, term.casefolded) == ("mare", "maré")
    titles = TextIndex(table="forum_thread", column="title", name="forum_thread_title_search", lowercase=True)
    texts = TextIndex(table="forum_post", column="search_text", name="forum_post_search")
    assert titles.exact(term).children[0].rhs == "maré"  # LOWER(title) holds accents: no regression
    assert texts.exact(term).children[0].rhs == "mare"  # stored search texts are folded
