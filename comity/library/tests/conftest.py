"""Fixtures of the library tests: the other legal apps' selectors replaced by fakes (their contracts are tested by
the integration tests after merging), small files of every accepted format, and documents."""

from __future__ import annotations

import io

import pytest

from comity.files.demo import demo_pdf
from comity.library import services, sources
from comity.library.models import DocumentKind, Visibility

INSTRUMENTS = [("untoc", "UNTOC"), ("uncac", "UNCAC"), ("budapest", "Convention on Cybercrime")]


class FakeSources:
    """Stand-ins for comity.treaties/legalprofiles selectors: fixed instruments, hits set by each test."""

    def __init__(self):
        self.profile = []
        self.instrument = []
        self.calls = []

    def instrument_choices(self):
        return list(INSTRUMENTS)

    def profile_hits(self, **kwargs):
        self.calls.append(("profile", kwargs))
        return list(self.profile)

    def instrument_hits(self, **kwargs):
        self.calls.append(("instrument", kwargs))
        return list(self.instrument)


@pytest.fixture(autouse=True)
def fake_sources(monkeypatch):
    fake = FakeSources()
    monkeypatch.setattr(sources, "instrument_choices", fake.instrument_choices)
    monkeypatch.setattr(sources, "profile_hits", fake.profile_hits)
    monkeypatch.setattr(sources, "instrument_hits", fake.instrument_hits)
    return fake


@pytest.fixture(autouse=True)
def _file_root(settings, tmp_path):
    settings.COMITY_FILE_ROOT = str(tmp_path / "files")


def pdf_bytes(*lines: str) -> bytes:
    return demo_pdf(lines or ("A PDF document",))


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def html_bytes(*paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<!doctype html><html><body><script>var secret = 1;</script>{body}</body></html>".encode()


def make_document(
    actor,
    *,
    title="Document",
    text="Some text.",
    language="en",
    visibility=Visibility.PUBLIC,
    kind=DocumentKind.GUIDE,
    filename="doc.txt",
    data=None,
    **fields,
):
    return services.document_create(
        actor=actor,
        fields=services.DocumentFields(kind=kind, title=title, language=language, visibility=visibility, **fields),
        upload=io.BytesIO(data if data is not None else text.encode("utf-8")),
        filename=filename,
    )
