"""The legal search: documents and glossary through their indexes, the other sources merged, filters, ranking,
capped counts, highlighting, and members-only documents never shown (or counted) to anonymous visitors."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from comity.core.search import highlight, snippet, terms_of
from comity.core.search.hits import SearchHit
from comity.library import search
from comity.library.models import Visibility
from comity.library.tests.conftest import make_document

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


def run(user, q="", **filters):
    return search.legal_search(user=user, terms=terms_of(q), filters=search.LegalFilters(**filters))


def keys(results):
    return [(hit.kind, hit.key) for hit in results.hits]


@pytest.fixture
def docs(users, brazil, indonesia):
    actor = users["secretariat"]
    return {
        "ru": make_document(
            actor,
            title="Закон о выдаче",
            text="Выдача лиц и взаимная правовая помощь по уголовным делам.",
            language="ru",
            countries=[brazil],
            date=dt.date(2020, 5, 1),
            instruments=["untoc"],
            cooperation_types=["extradition"],
        ),
        "zh": make_document(
            actor,
            title="司法协助法",
            text="中华人民共和国国际刑事司法协助法的摘要。",
            language="zh-hans",
            countries=[indonesia],
            date=dt.date(2018, 10, 26),
            cooperation_types=["mla"],
        ),
        "ar": make_document(
            actor,
            title="دليل المساعدة القانونية المتبادلة",
            text="يشرح هذا الدليل كيفية إعداد طلب المساعدة القانونية المتبادلة.",
            language="ar",
            date=dt.date(2022, 1, 1),
        ),
        "members": make_document(
            actor,
            title="Confidential guide on extradition",
            text="Members only: extradition practice.",
            visibility=Visibility.MEMBERS,
            countries=[brazil],
            date=dt.date(2023, 3, 3),
        ),
        "public": make_document(
            actor,
            title="Public note",
            text="A public note on extradition.",
            countries=[indonesia],
            date=dt.date(2024, 4, 4),
        ),
    }


def test_search_in_russian_chinese_and_arabic(docs):
    assert keys(run(ANONYMOUS, "ВЫДАЧЕ")) == [("document", str(docs["ru"].pk))]
    assert keys(run(ANONYMOUS, "выдача правовая")) == [("document", str(docs["ru"].pk))]
    assert keys(run(ANONYMOUS, "刑事司法")) == [("document", str(docs["zh"].pk))]
    assert keys(run(ANONYMOUS, "القانونية المتبادلة")) == [("document", str(docs["ar"].pk))]


def test_members_only_documents_never_reach_anonymous_results_or_counts(users, docs):
    anonymous = run(ANONYMOUS, "extradition")
    assert keys(anonymous) == [("document", str(docs["public"].pk))]
    assert anonymous.count == 1
    member = run(users["member"], "extradition")
    assert sorted(keys(member)) == sorted([("document", str(docs["public"].pk)), ("document", str(docs["members"].pk))])
    assert member.count == 2
    assert [hit.visibility for hit in member.hits if hit.key == str(docs["members"].pk)] == ["members"]


def test_filters(users, docs):
    member = users["member"]
    # Without words every hit scores 0: the most recently updated comes first.
    assert keys(run(member, "", country="BR")) == [
        ("document", str(docs["members"].pk)),
        ("document", str(docs["ru"].pk)),
    ]
    assert keys(run(member, "", instrument="untoc")) == [("document", str(docs["ru"].pk))]
    assert keys(run(member, "", coop_type="mla")) == [("document", str(docs["zh"].pk))]
    assert keys(run(member, "", language="ar")) == [("document", str(docs["ar"].pk))]
    in_range = run(member, "", date_from=dt.date(2019, 1, 1), date_to=dt.date(2022, 12, 31))
    assert sorted(keys(in_range)) == sorted([("document", str(docs["ru"].pk)), ("document", str(docs["ar"].pk))])
    assert keys(run(member, "extradition", country="ID")) == [("document", str(docs["public"].pk))]


def test_ranking_by_score_then_recency(users):
    actor = users["secretariat"]
    in_text = make_document(actor, title="Note", text="speciality rule")
    newer_in_text = make_document(actor, title="Other note", text="speciality rule")
    in_title = make_document(actor, title="The speciality rule", text="nothing else")
    results = run(ANONYMOUS, "speciality")
    assert keys(results) == [
        ("document", str(in_title.pk)),  # in the title: 3
        ("document", str(newer_in_text.pk)),
        ("document", str(in_text.pk)),
    ]
    assert [hit.score for hit in results.hits] == [3.0, 1.0, 1.0]


def test_capped_count(users, monkeypatch):
    for number in range(4):
        make_document(users["secretariat"], title=f"Extradition note {number}", text="extradition")
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    results = run(ANONYMOUS, "extradition")
    assert (results.count, results.more, len(results.hits)) == (3, True, 4)
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    results = run(ANONYMOUS, "extradition")
    assert (results.count, results.more) == (4, False)


def test_merges_the_other_sources(users, docs, fake_sources):
    updated = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    fake_sources.profile = [
        SearchHit(
            kind="profile", key="BR", title="Brazil", url="/en/legal/countries/BR/", text="extradition law", score=1.0
        ),
        SearchHit(
            kind="measure",
            key="BR/bank_records",
            title="Bank records",
            url="/x/",
            text="extradition extradition extradition",
            score=3.0,
            updated_at=updated,
        ),
        SearchHit(kind="measure", key="BR/secret", title="Hidden", url="/y/", text="extradition", visibility="members"),
    ]
    fake_sources.instrument = [
        SearchHit(kind="instrument", key="untoc", title="UNTOC extradition", url="/z/", text="", score=3.0),
    ]
    results = run(ANONYMOUS, "extradition", country="ID")
    assert keys(results) == [
        ("measure", "BR/bank_records"),  # 3, newest
        ("instrument", "untoc"),  # 3
        ("document", str(docs["public"].pk)),  # once in the text: 1, newer than the profile
        ("profile", "BR"),
    ]
    assert results.count == 4  # the members-only measure is dropped for an anonymous visitor, and not counted
    [(kind, call)] = [entry for entry in fake_sources.calls if entry[0] == "profile"]
    assert call == {
        "terms": ["extradition"],
        "user": ANONYMOUS,
        "country": "ID",
        "coop_type": None,
        "instrument": None,
        "language": None,
        "date_from": None,
        "date_to": None,
        "limit": search.SOURCE_LIMIT,
    }


def test_kind_filter_asks_only_that_source(docs, fake_sources):
    results = run(ANONYMOUS, "extradition", kinds=("instrument",))
    assert keys(results) == []
    assert [kind for kind, _call in fake_sources.calls] == ["instrument"]


def test_glossary_hits_in_every_script():
    call_command("load_glossary", verbosity=0)
    assert keys(run(ANONYMOUS, "letter rogatory")) == [("glossary", "letter_rogatory")]
    assert keys(run(ANONYMOUS, "Судебное поручение")) == [("glossary", "letter_rogatory")]
    assert keys(run(ANONYMOUS, "一事不再理")) == [("glossary", "ne_bis_in_idem")]
    assert keys(run(ANONYMOUS, "السلطة المركزية")) == [("glossary", "central_authority")]
    russian = run(ANONYMOUS, "поручение", language="ru")
    assert [(hit.key, hit.title, hit.language) for hit in russian.hits] == [
        ("letter_rogatory", "судебное поручение", "ru")
    ]
    assert keys(run(ANONYMOUS, "letter rogatory", country="BR")) == []  # terms have no country


def test_highlighted_snippets_are_escaped():
    text = "Under <b>UNTOC</b>, the central authority receives requests."
    assert str(snippet(text, ["central"])) == (
        "Under &lt;b&gt;UNTOC&lt;/b&gt;, the <mark>central</mark> authority receives requests."
    )
    assert str(highlight("Закон о выдаче", ["выдаче"])) == "Закон о <mark>выдаче</mark>"
