"""public_conditional: 304 for the same viewer and data; the full page when data, viewer or language differ."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from comity.core.conditional import public_conditional, templates_fingerprint

CHANGED = {"at": dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)}
CALLS = []


def _changed(request, iso2):
    CALLS.append(iso2)
    return CHANGED["at"]


@public_conditional(_changed)
def view(request, iso2):
    return HttpResponse(f"page of {iso2}")


class _Anonymous:
    pk = None
    is_authenticated = False


class _User:
    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def _get(user=None, **headers):
    request = RequestFactory().get("/en/legal/countries/BR/", **headers)
    request.user = user or _Anonymous()
    return view(request, iso2="BR")


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    CHANGED["at"] = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
    with translation.override("en"):
        yield


def test_anonymous_gets_both_validators_and_a_304_when_nothing_changed():
    first = _get()
    assert first.status_code == 200
    assert first["Last-Modified"] == "Fri, 27 Nov 2026 09:30:00 GMT"
    assert CALLS == ["BR"]  # one query for both validators
    again = _get(HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    since = _get(HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_change_of_the_data_gives_the_page_again():
    first = _get()
    CHANGED["at"] = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    again = _get(HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again.content == b"page of BR"


def test_signing_in_or_another_language_is_another_page():
    anonymous = _get()
    signed_in = _get(_User(7), HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert signed_in.status_code == 200
    assert "Last-Modified" not in signed_in  # a signed-in frame has no date of its own
    assert _get(_User(7), HTTP_IF_NONE_MATCH=signed_in["ETag"]).status_code == 304
    assert _get(_User(8), HTTP_IF_NONE_MATCH=signed_in["ETag"]).status_code == 200
    with translation.override("ar"):
        assert _get(HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200


def test_templates_fingerprint_is_stable():
    assert templates_fingerprint() == templates_fingerprint()
    assert len(templates_fingerprint()) == 16
