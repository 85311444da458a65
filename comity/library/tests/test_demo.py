"""The library's demo seed: documents in several languages, marked as demo, created once."""

import pytest

from comity.library.demo import library_demo_seed
from comity.library.models import Document

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_marked(users, brazil, indonesia):
    assert library_demo_seed() == {"documents": 9, "skipped": ""}
    assert library_demo_seed() == {"documents": 0, "skipped": ""}
    documents = Document.objects.order_by("group_key", "language")
    assert [(d.group_key, d.language, d.visibility, d.content_type.split(";")[0]) for d in documents] == [
        ("demo-central-authorities-meeting", "ar", "public", "text/plain"),
        ("demo-central-authorities-meeting", "en", "public", "text/plain"),
        ("demo-central-authorities-meeting", "ru", "public", "text/plain"),
        ("demo-central-authorities-meeting", "zh-hans", "public", "text/plain"),
        ("demo-law-summary-brazil", "pt", "public", "text/plain"),
        (
            "demo-model-mla-request",
            "en",
            "public",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("demo-model-mla-request", "es", "public", "text/plain"),
        ("demo-model-mla-request", "fr", "public", "text/html"),
        ("demo-urgent-requests-indonesia", "en", "members", "application/pdf"),
    ]
    assert all(d.is_demo for d in documents)
    guide = documents.get(group_key="demo-urgent-requests-indonesia")
    assert list(guide.countries.values_list("iso2", flat=True)) == ["ID"]
    assert guide.text.startswith("FICTIONAL DEMO DOCUMENT - MEMBERS ONLY")
    french = documents.get(group_key="demo-model-mla-request", language="fr")
    assert french.tag_values("instrument") == ["untoc"]
    assert "Base juridique" in french.text


def test_demo_seed_needs_a_secretariat_account(db):
    assert library_demo_seed() == {"documents": 0, "skipped": "no secretariat account"}
