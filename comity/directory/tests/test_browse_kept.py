"""The directory list's filters and results are kept in the shared cache (comity.core.fragments) for viewers of
the same class: reused while nothing changed, replaced at once when the directory changes, every minute (the
"open now" column), and never shown to a viewer of another class, language or time zone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.directory.models import Authority
from comity.directory.tests.test_pages_browse import URL, fixed_now, make, names  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _queries(client, params=None) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    return len(ctx.captured_queries), names(response)


def test_kept_results_are_reused_until_the_directory_changes(personas, brazil, fixed_now):  # noqa: F811
    authority = make(brazil, "Ministério da Justiça (demo)")
    client = personas["member"]
    _queries(client, {"page": "2"})  # loads the shared lists of countries and networks
    rendered, shown = _queries(client)
    assert shown == ["Ministério da Justiça (demo)"]
    reused, shown_again = _queries(client)
    # Only the session is read: the user, the second factor and the tracked session were kept by the first request
    # (comity.accounts.kept), and the count, the page and its prefetches are not run again.
    assert (rendered, reused) == (7, 1)
    assert shown_again == shown
    authority.official_name = "Ministério da Justiça e Segurança Pública (demo)"
    authority.save()
    changed, shown = _queries(client)
    assert changed == rendered
    assert shown == ["Ministério da Justiça e Segurança Pública (demo)"]


def test_a_change_without_signals_shows_within_a_minute(personas, brazil, fixed_now, monkeypatch):  # noqa: F811
    make(brazil, "Ministério da Justiça (demo)")
    client = personas["member"]
    assert names(client.get(URL)) == ["Ministério da Justiça (demo)"]
    Authority.objects.update(official_name="Renamed in bulk (demo)")  # no signal, no generation bumped
    assert names(client.get(URL)) == ["Ministério da Justiça (demo)"]
    import time

    later = time.time() + 60
    monkeypatch.setattr("comity.core.fragments.time.time", lambda: later)
    assert names(client.get(URL)) == ["Renamed in bulk (demo)"]


def test_classes_languages_and_zones_are_kept_apart(personas, brazil, fixed_now):  # noqa: F811
    make(brazil, "Active office (demo)")
    make(brazil, "Closed office (demo)", is_active=False)
    member, secretariat = personas["member"], personas["secretariat"]
    assert names(member.get(URL)) == ["Active office (demo)"]
    assert names(secretariat.get(URL)) == ["Active office (demo)", "Closed office (demo)"]
    assert names(member.get(URL)) == ["Active office (demo)"]
    english = member.get(URL).content.decode()
    french = member.get("/fr/directory/authorities/").content.decode()
    assert "Languages accepted" in english and "Languages accepted" not in french
    user = member.get(URL).wsgi_request.user
    user.timezone = "Asia/Tokyo"
    user.save(update_fields=["timezone"])
    with CaptureQueriesContext(connection) as ctx:
        member.get(URL)
    assert any("COUNT(*)" in query["sql"] for query in ctx.captured_queries)  # rendered again for the new zone


def test_invalid_filters_are_never_kept(personas, brazil, fixed_now):  # noqa: F811
    make(brazil, "Ministério da Justiça (demo)")
    client = personas["member"]
    for _ in range(2):
        response = client.get(URL, {"country": "ZZ"})
        assert response.status_code == 400
        assert "<li>“ZZ” is not a country in Comity.</li>" in response.content.decode()
