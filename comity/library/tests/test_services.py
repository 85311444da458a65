"""Writes of the library: uploads of each format, refused uploads, validation, who may write, audit, download."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditAction, AuditEvent
from comity.core.search import fold
from comity.library import content, services
from comity.library.models import Document, DocumentTag, Visibility
from comity.library.tests.conftest import docx_bytes, html_bytes, make_document, pdf_bytes
from comity.testing import Unchanged

pytestmark = pytest.mark.django_db


class LibraryUnchanged(Unchanged):
    tables = (Document, DocumentTag)


def stored_files(settings) -> list[Path]:
    root = Path(settings.COMITY_FILE_ROOT) / "library"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "text"),
    [
        (pdf_bytes("Dual criminality is required"), "law.pdf", "application/pdf", "Dual criminality is required"),
        (
            docx_bytes("Двойная криминальность", "第二段"),
            "law.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Двойная криминальность\n第二段",
        ),
        (
            html_bytes("Lettre &amp; commission rogatoire"),
            "law.html",
            "text/html; charset=utf-8",
            "Lettre & commission rogatoire",
        ),
        ("نص القانون".encode(), "law.txt", "text/plain; charset=utf-8", "نص القانون"),
    ],
)
def test_upload_each_format(users, settings, data, filename, content_type, text):
    document = make_document(users["secretariat"], title="A law", data=data, filename=filename)
    document.refresh_from_db()
    assert (document.filename, document.content_type, document.size, document.text, document.text_note) == (
        filename,
        content_type,
        len(data),
        text,
        "",
    )
    assert document.search_text == fold(f"a law\n{text}")
    [path] = stored_files(settings)
    stored = path.read_bytes()
    assert stored.startswith(b"CMTF")  # encrypted with the file exchange's format, never in clear
    assert data not in stored
    assert b"".join(services.document_download(actor=users["secretariat"], document=document)) == data
    [event] = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_UPLOADED)
    assert (event.actor_id, event.target_type, event.target_id) == (
        users["secretariat"].pk,
        "library.document",
        str(document.pk),
    )
    assert event.details["filename"] == filename
    assert event.details["size"] == len(data)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "a.png", "The library accepts PDF, DOCX, HTML, plain text documents"),
        (b"MZ\x90\x00" + b"\x00" * 100, "law.pdf", "This file looks like a Windows program"),
        (pdf_bytes("x"), "law.docx", "The name ends in .docx but the content is PDF."),
        (b"", "law.pdf", "The file is empty."),
    ],
)
def test_refused_uploads_write_nothing(users, settings, data, filename, message):
    before = LibraryUnchanged()
    with pytest.raises(ValidationError) as caught:
        make_document(users["secretariat"], data=data, filename=filename)
    assert list(caught.value.message_dict) == ["file"]
    assert caught.value.message_dict["file"][0].startswith(message)
    before.check()
    assert stored_files(settings) == []


def test_too_large_upload_is_refused(users, settings):
    settings.COMITY_LIBRARY_MAX_BYTES = 1024 * 1024
    before = LibraryUnchanged()
    with pytest.raises(ValidationError) as caught:
        make_document(users["secretariat"], data=b"a" * (1024 * 1024 + 1), filename="big.txt")
    assert caught.value.message_dict == {"file": ["The file is larger than the limit of 1 MiB."]}
    before.check()


def test_validation_names_every_field(users, brazil):
    before = LibraryUnchanged()
    with pytest.raises(ValidationError) as caught:
        services.document_create(
            actor=users["secretariat"],
            fields=services.DocumentFields(
                kind="novel",
                title="  ",
                language="xx",
                visibility="secret",
                group_key="Not A Slug",
                instruments=["untoc", "nonsense"],
                cooperation_types=["gossip"],
            ),
            upload=io.BytesIO(b""),
            filename="a.txt",
        )
    assert caught.value.message_dict == {
        "title": ["Give the document a title."],
        "kind": ["Unknown kind of document."],
        "visibility": ["Choose public or members only."],
        "language": ["Unknown language code."],
        "group_key": ["Use lower-case letters, digits and hyphens only."],
        "instruments": ["Unknown instrument: nonsense."],
        "cooperation_types": ["Unknown type of cooperation."],
        "file": ["The file is empty."],
    }
    before.check()


def test_language_versions_share_a_group_but_not_a_language(users):
    english = make_document(users["secretariat"], title="Model request", group_key="model-request")
    french = make_document(users["secretariat"], title="Modèle de demande", language="fr", group_key="model-request")
    assert (english.group_key, french.group_key) == ("model-request", "model-request")
    with pytest.raises(ValidationError) as caught:
        make_document(users["secretariat"], title="Another", group_key="model-request")
    assert caught.value.message_dict == {"language": ["This document already has a version in that language."]}


def test_a_new_document_gets_its_own_group(users):
    document = make_document(users["secretariat"], title="Guide on extradition")
    assert document.group_key.startswith("guide-on-extradition-")
    assert len(document.group_key) == len("guide-on-extradition-") + 6


def test_tags_are_stored(users, brazil, indonesia):
    document = make_document(
        users["secretariat"],
        countries=[brazil, indonesia],
        instruments=["untoc"],
        cooperation_types=["mla", "extradition"],
        topics=["Bank Records", " bank  records ", "Urgent"],
    )
    assert sorted(document.countries.values_list("iso2", flat=True)) == ["BR", "ID"]
    assert sorted(document.tags.values_list("kind", "value")) == [
        ("cooperation", "extradition"),
        ("cooperation", "mla"),
        ("instrument", "untoc"),
        ("topic", "bank records"),
        ("topic", "urgent"),
    ]


# --- who may write ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "member_other", "observer", "liaison", "moderator"])
def test_only_secretariat_and_coordinators_add(users, brazil, persona):
    before = LibraryUnchanged()
    with pytest.raises(PermissionDenied):
        make_document(users[persona], countries=[brazil])
    before.check()


def test_coordinator_tags_only_their_own_countries(users, brazil, indonesia):
    document = make_document(users["coordinator"], countries=[brazil])
    assert document.created_by == users["coordinator"]
    before = LibraryUnchanged()
    for countries in ([], [indonesia], [brazil, indonesia]):
        with pytest.raises(ValidationError) as caught:
            make_document(users["coordinator"], countries=countries)
        assert caught.value.message_dict == {
            "countries": ["Tag the document with one or more of the countries you coordinate, and no other."]
        }
    before.check()


def test_coordinator_edits_only_documents_of_their_countries(users, brazil, indonesia):
    theirs = make_document(users["secretariat"], countries=[brazil])
    other = make_document(users["secretariat"], countries=[indonesia])
    untagged = make_document(users["secretariat"])
    fields = services.DocumentFields(kind="guide", title="Renamed", language="en", countries=[brazil])
    services.document_update(actor=users["coordinator"], document=theirs, fields=fields)
    theirs.refresh_from_db()
    assert theirs.title == "Renamed"
    for document in (other, untagged):
        before = LibraryUnchanged(document)
        with pytest.raises(PermissionDenied):
            services.document_update(actor=users["coordinator"], document=document, fields=fields)
        before.check()


def test_update_replaces_the_file_and_audits(users, settings, django_capture_on_commit_callbacks):
    document = make_document(users["secretariat"], title="Old", text="old words")
    [old_path] = stored_files(settings)
    fields = services.DocumentFields(kind="law", title="New title", language="en", visibility=Visibility.MEMBERS)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_update(
            actor=users["secretariat"],
            document=document,
            fields=fields,
            upload=io.BytesIO(docx_bytes("new words")),
            filename="new.docx",
        )
    document.refresh_from_db()
    assert (document.title, document.kind, document.visibility, document.text, document.filename) == (
        "New title",
        "law",
        "members",
        "new words",
        "new.docx",
    )
    assert old_path.exists() is False
    assert len(stored_files(settings)) == 1
    [event] = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_UPDATED)
    assert event.details["file_replaced"] is True
    assert event.details["visibility"] == "members"


def test_refused_update_keeps_everything(users):
    document = make_document(users["secretariat"], title="Keep me", text="kept")
    before = LibraryUnchanged(document)
    fields = services.DocumentFields(kind="law", title="", language="en")
    with pytest.raises(ValidationError):
        services.document_update(
            actor=users["secretariat"], document=document, fields=fields, upload=io.BytesIO(b"x"), filename="a.exe"
        )
    before.check()
    assert b"".join(services.document_download(actor=users["secretariat"], document=document)) == b"kept"


def test_delete_removes_file_and_text_and_audits(users, settings, django_capture_on_commit_callbacks):
    document = make_document(users["secretariat"], text="secret words")
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=users["secretariat"], document=document)
    document.refresh_from_db()
    assert (document.is_deleted, document.text, document.search_text, document.storage_name) == (True, "", "", "")
    assert stored_files(settings) == []
    [event] = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DELETED)
    assert event.target_id == str(document.pk)


def test_members_only_download_is_audited_and_refused_to_anonymous(users, anonymous_user):
    document = make_document(users["secretariat"], visibility=Visibility.MEMBERS, text="members text")
    with pytest.raises(PermissionDenied):
        services.document_download(actor=anonymous_user, document=document)
    assert b"".join(services.document_download(actor=users["member"], document=document)) == b"members text"
    [event] = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOADED)
    assert (event.actor_id, event.target_type, event.details) == (
        users["member"].pk,
        "library.document",
        {"library_document": document.pk, "sha256": document.sha256, "size": 12},
    )


def test_a_damaged_stored_file_gives_a_clear_error(users, settings):
    document = make_document(users["secretariat"], text="words")
    [path] = stored_files(settings)
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    with pytest.raises(services.DownloadFailed) as caught:
        services.document_download(actor=users["secretariat"], document=document)
    assert caught.value.message == "This file cannot be read; the incident has been logged."


def test_library_path_refuses_bad_names():
    with pytest.raises(ValueError):
        content.library_path("../etc/passwd")


@pytest.fixture
def anonymous_user():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_master_key_rotation_rewraps_document_keys(users, settings, monkeypatch):
    import base64

    from django.core.management import call_command

    document = make_document(users["secretariat"], text="rotate me")
    old = settings.COMITY_MASTER_KEY
    new = base64.b64encode(b"n" * 32).decode()
    monkeypatch.setenv("COMITY_MASTER_KEY_OLD", old)
    monkeypatch.setenv("COMITY_MASTER_KEY_NEW", new)
    out = io.StringIO()
    call_command("library_rotate_master_key", stdout=out)
    assert out.getvalue() == "library: re-wrapped 1 document key(s); 0 already under the new key; 0 failed.\n"
    settings.COMITY_MASTER_KEY = new
    document.refresh_from_db()
    assert b"".join(services.document_download(actor=users["secretariat"], document=document)) == b"rotate me"
    again = io.StringIO()
    call_command("library_rotate_master_key", stdout=again)
    assert again.getvalue() == "library: re-wrapped 0 document key(s); 1 already under the new key; 0 failed.\n"
