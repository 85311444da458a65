"""A page masks its CSRF token once: every form of the page carries the same value, which the server accepts; the
next response gets another mask; a page without a form sets no CSRF cookie."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import rotate_token
from django.template import engines
from django.test import Client, RequestFactory

from comity.core.context_processors import masked_csrf_token
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.testing import sign_in

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def thread(users):
    space = forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")
    return forum_services.thread_create(actor=users["member"], space=space, title="Bank records", body="Hello")


def test_every_form_of_a_page_carries_one_token_that_the_server_accepts(users, thread):
    client = sign_in(Client(enforce_csrf_checks=True), users["member"])
    first = client.get(f"/en/forum/t/{thread.pk}/").content.decode()
    tokens = TOKEN.findall(first)
    assert len(tokens) >= 4  # language, sign-out, reply and notification forms
    assert len(set(tokens)) == 1
    second = TOKEN.findall(client.get(f"/en/forum/t/{thread.pk}/").content.decode())
    assert second[0] != tokens[0]  # masked anew for each response
    response = client.post(
        f"/en/forum/t/{thread.pk}/notifications/", {"csrfmiddlewaretoken": tokens[0], "level": "watching"}
    )
    assert response.status_code == 302
    refused = client.post(
        f"/en/forum/t/{thread.pk}/notifications/", {"csrfmiddlewaretoken": "x" * 64, "level": "muted"}
    )
    assert refused.status_code == 403


def test_a_new_secret_in_the_same_request_gets_a_new_token(rf: RequestFactory):
    request = rf.get("/")
    request.META["CSRF_COOKIE"] = "a" * 32
    first = masked_csrf_token(request)
    assert masked_csrf_token(request) == first
    rotate_token(request)  # as a sign-in does
    assert masked_csrf_token(request) != first


def test_a_template_without_a_form_reads_no_token(rf: RequestFactory):
    engine = engines["jinja2"]
    request = rf.get("/")
    assert engine.from_string("{{ LANGUAGE_CODE }}").render({}, request) == "en"
    assert "CSRF_COOKIE" not in request.META  # no token read: no cookie to set
    html = engine.from_string("{{ csrf_input }}{{ csrf_input }}{{ csrf_token }}").render({}, request)
    assert "CSRF_COOKIE" in request.META
    assert len(set(TOKEN.findall(html))) == 1
    assert html.endswith(TOKEN.findall(html)[0])
