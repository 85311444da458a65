"""Generations and kept fragments (comity.core.generations, comity.core.fragments)."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from comity.core import fragments, generations

pytestmark = pytest.mark.django_db


def test_bump_replaces_the_token_and_a_lost_token_is_never_an_old_one():
    (first,) = generations.current("things")
    assert generations.current("things") == (first,)
    generations.bump("things")
    (second,) = generations.current("things")
    assert second != first
    cache.clear()
    (third,) = generations.current("things")
    assert third not in (first, second)


@pytest.mark.django_db(transaction=True)
def test_bump_inside_a_transaction_bumps_again_on_commit():
    seen = []
    with transaction.atomic():
        generations.bump("things")
        seen.append(generations.current("things"))
    seen.append(generations.current("things"))
    assert seen[0] != seen[1]


def test_process_memo_reloads_after_a_bump():
    loads = []
    memo = generations.ProcessMemo("things", lambda: loads.append(1) or len(loads))
    assert (memo.get(), memo.get()) == (1, 1)
    generations.bump("things")
    assert memo.get() == 2
    memo.max_age = 0
    assert memo.get() == 3


def test_fragment_keys_follow_language_zone_parts_and_generations():
    renders = []

    def render():
        renders.append(1)
        return "<p>kept</p>"

    def get(parts=("a",)):
        return fragments.cached_html("test", parts, render, generation_names=("things",))

    assert str(get()) == "<p>kept</p>"
    get()
    assert len(renders) == 1
    get(("b",))
    with translation.override("fr"):
        get()
    with timezone.override("Asia/Tokyo"):
        get()
    assert len(renders) == 4
    generations.bump("things")
    get()
    assert len(renders) == 5


def test_a_value_apart_for_some_readers_is_kept_for_each_of_them_alone():
    renders = []

    def render_for(reader):
        def render():
            renders.append(reader)
            apart = frozenset({1})  # reader 1 wrote something on the page
            return (f"<p>for {'author' if reader in apart else 'anyone'}</p>", None, apart)

        return render

    def get(reader):
        return fragments.cached_apart_for("test", ("page",), render_for(reader), reader=reader)[0]

    assert get(1) == "<p>for author</p>"  # the author asks first: nothing shared is kept yet
    assert get(2) == "<p>for anyone</p>"
    assert get(3) == "<p>for anyone</p>"  # shared
    assert get(1) == "<p>for author</p>"  # kept for the author
    assert renders == [1, 2]


def test_a_request_reads_each_generation_once_and_sees_its_own_bumps(django_assert_max_num_queries):
    from unittest import mock

    with generations.request_snapshot():
        first = generations.current("things", "others")
        with mock.patch.object(generations.cache, "get_many", side_effect=AssertionError("read again")):
            assert generations.current("things") == first[:1]  # kept for the request
            generations.bump("things")
            (after,) = generations.current("things")
        assert after != first[0]
    generations.bump("others")  # another process, between requests
    with generations.request_snapshot():
        assert generations.current("others")[0] != first[1]


def test_keyed_memo_keeps_per_key_until_a_bump_or_its_age_and_only_so_many():
    loads: list[str] = []

    def load(key):
        return lambda: loads.append(key) or f"{key}{len(loads)}"

    memo: generations.KeyedMemo = generations.KeyedMemo("things", max_age=60, size=2)
    assert (memo.get("a", load("a")), memo.get("a", load("a")), memo.get("b", load("b"))) == ("a1", "a1", "b2")
    generations.bump("things")
    assert memo.get("a", load("a")) == "a3"
    memo.get("b", load("b"))  # b4
    memo.get("c", load("c"))  # c5: a, the least recently used, goes
    assert memo.get("b", load("b")) == "b4"
    assert memo.get("a", load("a")) == "a6"
    memo.max_age = 0
    assert memo.get("a", load("a")) == "a7"
    memo.max_age = 60
    assert memo.get("none", lambda: None) is None
    assert memo.get("none", lambda: "now") == "now"  # nothing found is not kept


def test_the_first_read_in_a_request_reads_every_known_generation_at_once():
    from unittest import mock

    generations.bump_on_change("things-known")
    with generations.request_snapshot():
        generations.current("things")
        with mock.patch.object(generations.cache, "get_many", side_effect=AssertionError("read again")):
            assert generations.current("things-known")
