"""Library documents with COMITY_FILE_STORE=s3 (several application hosts), against moto's S3 server started here on
a loopback port: uploads go to the bucket (nothing under the local file root), downloads and text extraction read
them back as a stream, replacing and deleting remove them there, and a backup / restore carries them."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess  # noqa: S404 - moto's server from this interpreter
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from comity.files import storage
from comity.library import content, services
from comity.library.models import Document, Visibility
from comity.library.tests.conftest import make_document, pdf_bytes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def _use_new_bucket(settings, endpoint: str) -> None:
    import boto3

    bucket = f"comity-library-{time.monotonic_ns()}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    ).create_bucket(Bucket=bucket)
    settings.COMITY_FILE_STORE = "s3"
    settings.COMITY_S3_BUCKET = bucket
    settings.COMITY_S3_ENDPOINT_URL = endpoint
    settings.COMITY_S3_REGION = "us-east-1"
    settings.COMITY_S3_ACCESS_KEY_ID = "k"
    settings.COMITY_S3_SECRET_ACCESS_KEY = "s"  # noqa: S105
    settings.COMITY_S3_PREFIX = "t/"


@pytest.fixture
def bucket(settings, s3_server):
    _use_new_bucket(settings, s3_server)
    store = storage.library_objects()
    assert isinstance(store, storage.S3LibraryObjects)
    return store


def keys(store) -> list[str]:
    listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def local_files(settings) -> list[Path]:
    root = Path(settings.COMITY_FILE_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def url(name, *args):
    return reverse(f"library:{name}", args=args)


@pytest.mark.django_db
def test_upload_download_and_text_go_through_the_bucket(bucket, personas, brazil, settings):
    data = pdf_bytes("Guide on freezing in the bucket")
    form = {
        "file": SimpleUploadedFile("guide.pdf", data),
        "title": "Guide",
        "kind": "guide",
        "language": "en",
        "visibility": "members",
        "countries": ["BR"],
    }
    assert personas["coordinator"].post(url("document_create"), form).status_code == 302
    document = Document.objects.get(title="Guide")
    assert keys(bucket) == [f"t/library/{document.storage_name}"]
    assert local_files(settings) == []  # nothing under the local file root, not even a scratch file
    raw = bucket.client.get_object(Bucket=bucket.bucket, Key=f"t/library/{document.storage_name}")["Body"].read()
    assert data not in raw and b"freezing" not in raw  # encrypted at rest
    assert "Guide on freezing in the bucket" in document.text

    response = personas["member"].get(url("document_download", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert personas["anonymous"].get(url("document_download", document.pk)).status_code == 404

    again = content.stored_text(
        storage_name=document.storage_name,
        wrapped_key=document.wrapped_key,
        key_fingerprint=document.key_fingerprint,
        size=document.size,
        filename=document.filename,
    )
    assert again == (document.text, document.text_note)


@pytest.mark.django_db
def test_a_large_document_is_sent_in_parts_and_read_back_as_a_stream(bucket, users, settings):
    data = (b"Mutual legal assistance, line by line.\n" * 250_000)[: 9 * 1024 * 1024]  # past the multipart threshold
    document = make_document(users["secretariat"], title="Large", data=data, filename="large.txt")
    assert keys(bucket) == [f"t/library/{document.storage_name}"]
    chunks = services.document_download(actor=users["member"], document=document)
    pieces = list(chunks)
    assert len(pieces) > 1 and b"".join(pieces) == data


@pytest.mark.django_db
def test_replacing_and_deleting_remove_the_objects(bucket, users, django_capture_on_commit_callbacks):
    actor = users["secretariat"]
    document = make_document(actor, title="First", text="First version.", visibility=Visibility.PUBLIC)
    first = document.storage_name
    fields = services.DocumentFields(kind="guide", title="Second", language="en", visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_update(
            actor=actor,
            document=document,
            fields=fields,
            upload=SimpleUploadedFile("second.txt", b"Second version."),
            filename="second.txt",
        )
    assert document.storage_name != first
    assert keys(bucket) == [f"t/library/{document.storage_name}"]
    assert b"".join(services.document_download(actor=actor, document=document)) == b"Second version."

    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=actor, document=document)
    assert keys(bucket) == []


@pytest.mark.django_db
def test_a_refused_upload_leaves_nothing_in_the_bucket(bucket, users, brazil):
    with pytest.raises(ValidationError):
        make_document(users["secretariat"], title="", text="Some text.")
    assert keys(bucket) == []


@pytest.mark.django_db
def test_a_missing_object_gives_the_clear_error(bucket, users, personas):
    document = make_document(users["secretariat"], title="Gone", text="Soon gone.")
    bucket.delete(document.storage_name)
    with pytest.raises(services.DownloadFailed):
        services.document_download(actor=users["member"], document=document)
    response = personas["anonymous"].get(url("document_download", document.pk))
    assert response.status_code == 500 and "cannot be read" in response.content.decode()


@pytest.mark.django_db
def test_local_store_stays_the_default(users, settings):
    document = make_document(users["secretariat"], title="Local", text="On the disk.")
    assert isinstance(storage.library_objects(), storage.LocalLibraryObjects)
    assert local_files(settings) == [content.library_path(document.storage_name)]
    assert content.library_path(document.storage_name).stat().st_mode & 0o777 == 0o600


def test_backup_and_restore_carry_library_documents_in_the_bucket(
    bucket, transactional_db, users, settings, s3_server, tmp_path
):
    from comity.ops import backup

    document = make_document(users["secretariat"], title="Backed up", text="Kept in the bucket.")
    relative = f"library/{document.storage_name[:2]}/{document.storage_name}"
    result = backup.backup_create(directory=tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert result.missing == [] and manifest["missing"] == []
    assert [entry["path"] for entry in manifest["files"]] == [relative]
    stored = bucket.client.get_object(Bucket=bucket.bucket, Key=f"t/library/{document.storage_name}")["Body"].read()
    assert (tmp_path / "backup" / "files" / relative).read_bytes() == stored

    # Into a new, empty bucket and file root (the database stays: its rows are what files_verify checks).
    _use_new_bucket(settings, s3_server)
    settings.COMITY_FILE_ROOT = str(tmp_path / "restored-files")
    target = storage.library_objects()
    assert backup.installation_contents()[1] == 0
    assert backup._install_files(tmp_path / "backup", backup.read_manifest(tmp_path / "backup")) == 1
    assert keys(target) == [f"t/library/{document.storage_name}"]
    assert local_files(settings) == []
    assert backup.installation_contents()[1] == 1
    assert backup.files_verify() == (1, [])

    with pytest.raises(RuntimeError), backup._rollback_files_on_error(manifest):  # a failed restore empties it
        raise RuntimeError
    assert keys(target) == []
