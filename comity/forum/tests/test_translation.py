"""Machine translation through a local fake of the LibreTranslate API (never the internet).

The glossary's terms are protected by placeholders and come back as the target language's official terms; text
of AMBER, AMBER+STRICT and RED threads is never sent unless the service is self-hosted.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.forum import services, translation
from comity.forum.models import TLP
from comity.forum.tests.test_moderation import forum_world
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

BODY = "We request mutual legal assistance from the Central Authority under UNTOC.\n\nSecond paragraph."


class FakeLibreTranslate:
    """POST /translate like LibreTranslate. The 'translation' tags the text with the target and, as real engines
    sometimes do, puts spaces inside the placeholders' brackets."""

    def __init__(self):
        self.requests: list[dict] = []
        self.mode = "ok"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                fake.requests.append({"path": self.path, "content_type": self.headers["Content-Type"], **payload})
                if fake.mode == "slow":
                    time.sleep(1.5)
                if fake.mode == "error" or self.path != "/translate":
                    self._send(500, {"error": "boom"})
                    return
                if fake.mode == "garbage":
                    self._send(200, {"unexpected": True})
                    return
                text = payload["q"].replace("[[", "[ [").replace("]]", "] ]")
                self._send(200, {"translatedText": f"({payload['target']}) {text}"})

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_service(settings, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    fake = FakeLibreTranslate()
    settings.COMITY_TRANSLATE_URL = fake.url + "/"
    settings.COMITY_TRANSLATE_API_KEY = "test-api-key"
    settings.COMITY_TRANSLATE_SELF_HOSTED = False
    yield fake
    fake.close()


@pytest.fixture
def world(users):
    world = forum_world(users)
    world.post = services.post_create(actor=users["member"], thread=world.thread, body=BODY, language="en")
    world.amber = services.thread_create(
        actor=users["member"], space=world.plenary, title="Amber case", body="Names of the suspects", tlp=TLP.AMBER
    )
    return world


def url_of(post) -> str:
    return reverse("forum:post_translate", kwargs={"pk": post.pk})


def translations() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.TRANSLATION_REQUESTED))


# --- the glossary ------------------------------------------------------------------------------------------------


def test_glossary_file_has_every_language_for_every_term():
    data = translation.glossary()
    assert data["languages"] == ["en", "fr", "es", "ru", "zh-hans", "ar", "pt"]
    assert data["source"] and data["as_of"]
    for entry in data["terms"]:
        assert all(entry.get(language) for language in data["languages"]), entry["key"]
    keys = {entry["key"] for entry in data["terms"]}
    assert {"mla", "central_authority", "untoc", "extradition"} <= keys


def test_glossary_comes_from_the_registered_provider(monkeypatch):
    """The library registers its glossary through hooks.glossary_provider; the first answer is used."""
    glossary = {
        "source": "test",
        "as_of": "2026-01-01",
        "languages": ["en", "fr"],
        "terms": [{"key": "jit", "en": "joint investigation team", "fr": "équipe commune d'enquête"}],
    }
    monkeypatch.setattr(translation.hooks.glossary_provider, "_receivers", [lambda: None, lambda: glossary])
    assert translation.glossary() == glossary
    protected, found = translation.protect("A joint investigation team under UNTOC.", "en")
    assert protected == "A [[0]] under UNTOC."
    assert translation.restore(protected, found, "fr")[0] == "A équipe commune d'enquête under UNTOC."


def test_without_a_provider_the_forum_file_is_used(monkeypatch):
    monkeypatch.setattr(translation.hooks.glossary_provider, "_receivers", [])
    data = translation.glossary()
    assert data["source"].startswith("UN official terminology")
    assert [entry["key"] for entry in data["terms"]][:3] == ["mla", "central_authority", "competent_authority"]
    assert translation.protect("Under UNTOC.", "en") == ("Under [[0]].", [("UNTOC", data["terms"][9])])


def test_protect_and_restore_english_to_french():
    protected, found = translation.protect(BODY, "en")
    assert protected == "We request [[0]] from the [[1]] under [[2]].\n\nSecond paragraph."
    assert [written for written, _entry in found] == ["mutual legal assistance", "Central Authority", "UNTOC"]
    text, used = translation.restore("Nous demandons [ [0] ] à l'[[1]] en vertu de la [[ 2 ]].", found, "fr")
    assert text == "Nous demandons entraide judiciaire à l'autorité centrale en vertu de la UNTOC."
    assert used == [
        ("mutual legal assistance", "entraide judiciaire"),
        ("Central Authority", "autorité centrale"),
        ("UNTOC", "UNTOC"),
    ]


def test_protect_russian_chinese_and_arabic_sources():
    protected, found = translation.protect("Просим о взаимная правовая помощь и выдача.", "ru")
    assert protected == "Просим о [[0]] и [[1]]."
    assert translation.restore(protected, found, "en")[0] == "Просим о mutual legal assistance и extradition."
    protected, found = translation.protect("关于引渡和司法协助的请求", "zh-hans")
    assert protected == "关于[[0]]和[[1]]的请求"
    assert translation.restore(protected, found, "es")[0] == "关于extradición和asistencia judicial recíproca的请求"
    protected, found = translation.protect("طلب المساعدة القانونية المتبادلة", "ar")
    assert protected == "طلب [[0]]"
    assert translation.restore(protected, found, "pt")[0] == "طلب assistência jurídica mútua"
    # Not inside another word; languages without glossary entries are sent as they are.
    assert translation.protect("extraditions", "en") == ("extraditions", [])
    assert translation.protect("ekstradisi", "id") == ("ekstradisi", [])


def test_language_codes_are_normalized():
    assert [translation.normalize_language(code) for code in ("zh", "zh-CN", "zh_Hans", "pt-BR", "FR", "ar")] == [
        "zh-hans",
        "zh-hans",
        "zh-hans",
        "pt",
        "fr",
        "ar",
    ]


# --- the action ----------------------------------------------------------------------------------------------------


def test_translate_page_shows_translation_beside_original(personas, users, world, fake_service):
    response = personas["member"].post(url_of(world.post), {"target": "fr"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<p>We request mutual legal assistance from the Central Authority under UNTOC.</p>" in body  # original
    assert "(fr) We request entraide judiciaire from the autorité centrale under UNTOC." in body
    assert "<p>Second paragraph.</p>" in body
    assert "Glossary terms kept:" in body and "Central Authority → autorité centrale" in body
    assert "TLP:GREEN" in body
    assert fake_service.requests == [
        {
            "path": "/translate",
            "content_type": "application/json",
            "q": "We request [[0]] from the [[1]] under [[2]].\n\nSecond paragraph.",
            "source": "en",
            "target": "fr",
            "format": "text",
            "api_key": "test-api-key",
        }
    ]
    [event] = translations()
    assert (event.actor_id, event.target_type, event.target_id) == (
        users["member"].pk,
        "forum.post",
        str(world.post.pk),
    )
    assert event.details == {
        "post": world.post.pk,
        "thread": world.thread.pk,
        "space": world.plenary.pk,
        "tlp": "green",
        "source": "en",
        "target": "fr",
        "self_hosted": False,
        "glossary_terms": 3,
    }


def test_translate_with_htmx_returns_a_fragment(personas, world, fake_service):
    response = personas["member"].post(url_of(world.post), {"target": "zh-hans"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="translation-{world.post.pk}-result"' in body
    assert "(zh) We request 司法协助 from the 中央机关 under UNTOC." in body
    assert fake_service.requests[0]["target"] == "zh"


def test_target_defaults_to_the_interface_language(personas, world, fake_service):
    response = personas["member"].post(f"/ru/forum/p/{world.post.pk}/translate/")
    assert response.status_code == 200
    assert fake_service.requests[0]["target"] == "ru"
    assert "взаимная правовая помощь" in response.content.decode()


def test_amber_text_is_never_sent_to_an_external_service(personas, users, world, fake_service):
    post = world.amber.posts.get()
    response = personas["member"].post(url_of(post), {"target": "fr"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This thread is marked TLP:AMBER. Its text may not leave Comity" in body
    assert "Names of the suspects" in body  # the original is still shown
    response = personas["member"].post(url_of(post), {"target": "fr"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "This thread is marked TLP:AMBER." in response.content.decode()
    assert fake_service.requests == []
    assert translations() == []
    for tlp in (TLP.AMBER_STRICT, TLP.RED):
        world.amber.tlp = tlp
        world.amber.save(update_fields=["tlp"])
        assert personas["member"].post(url_of(post), {"target": "fr"}).status_code == 403
    assert fake_service.requests == []


def test_self_hosted_service_may_translate_amber(personas, settings, world, fake_service):
    settings.COMITY_TRANSLATE_SELF_HOSTED = True
    post = world.amber.posts.get()
    response = personas["member"].post(url_of(post), {"target": "fr"})
    assert response.status_code == 200
    assert "(fr) Names of the suspects" in response.content.decode()
    assert [event.details["self_hosted"] for event in translations()] == [True]


def test_translate_matrix(personas, settings, world, fake_service):
    check_matrix(
        personas,
        "post",
        url_of(world.post),
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
        data={"target": "fr"},
    )
    assert len(fake_service.requests) == 5
    assert personas["member"].get(url_of(world.post)).status_code == 405


def test_other_countries_cannot_translate_a_private_consultation(personas, settings, world, fake_service):
    settings.COMITY_TRANSLATE_SELF_HOSTED = True
    check_matrix(
        personas,
        "post",
        url_of(world.secret_post),
        {"anonymous": 302, "member_other": 404, "coordinator_other": 404, "secretariat": 404},
        data={"target": "fr"},
    )
    assert fake_service.requests == []
    assert translations() == []
    assert personas["coordinator"].post(url_of(world.secret_post), {"target": "fr"}).status_code == 200


def test_no_service_configured_means_no_action(personas, settings, world):
    settings.COMITY_TRANSLATE_URL = ""
    assert personas["member"].post(url_of(world.post), {"target": "fr"}).status_code == 404
    settings.COMITY_TRANSLATE_URL = "ftp://translate.example.org"
    assert personas["member"].post(url_of(world.post), {"target": "fr"}).status_code == 404
    assert translations() == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("xx", "Choose one of the interface languages."),
        ("en", "This post is already in that language."),
    ],
)
def test_rejected_targets(personas, world, fake_service, target, message):
    response = personas["member"].post(url_of(world.post), {"target": target})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert fake_service.requests == [] and translations() == []


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", "The translation service refused the request (HTTP 500). Try again later or tell the secretariat."),
        ("garbage", "The translation service sent an answer Comity does not understand."),
        ("slow", "The translation service did not answer. Try again later."),
    ],
)
def test_service_failures_are_explained(personas, settings, world, fake_service, mode, message):
    settings.COMITY_TRANSLATE_TIMEOUT = 0.3
    fake_service.mode = mode
    response = personas["member"].post(url_of(world.post), {"target": "fr"})
    assert response.status_code == 502
    assert message in response.content.decode()
    assert len(translations()) == 1  # the text was sent: the attempt is in the log
