"""`manage.py backup` and `manage.py restore`: what a backup holds, what a restore refuses, a restore that works."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from comity.files import services as file_services
from comity.files import storage
from comity.files.demo import demo_pdf
from comity.files.models import Attachment
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.ops import backup

REPO = Path(settings.BASE_DIR)
ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def file_root(tmp_path, settings):
    settings.COMITY_FILE_ROOT = tmp_path / "files"
    return settings.COMITY_FILE_ROOT


@pytest.fixture
def attachments(transactional_db, users):
    """Two files in a private consultation, committed (pg_dump reads from its own connection)."""
    space = forum_services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="Backup consultation", invite_users=[users["liaison"]]
    )
    return [
        file_services.attachment_create(
            actor=users["member"], space=space, filename=f"draft-{n}.pdf", content=[demo_pdf(lines=(f"draft {n}",))]
        )
        for n in (1, 2)
    ]


def run_backup(directory: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("backup", str(directory), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_backup_holds_database_files_and_a_signed_manifest_but_never_the_master_key(attachments, tmp_path):
    target = tmp_path / "backup"
    out, err = run_backup(target)

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format"] == "comity-backup/1"
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["missing"] == []
    assert err == ""
    root = storage.file_root()
    stored = sorted(storage.object_path(a.storage_name).relative_to(root).as_posix() for a in attachments)
    assert [entry["path"] for entry in manifest["files"]] == stored
    for entry in manifest["files"]:
        copy = target / "files" / entry["path"]
        assert copy.read_bytes() == (storage.file_root() / entry["path"]).read_bytes()
        assert backup._sha256_file(copy) == (entry["sha256"], entry["size"])
        assert copy.stat().st_mode & 0o777 == 0o600
    assert manifest["signature"] == backup.sign_manifest(manifest)
    assert f"{len(stored)} files" in out
    assert (target / manifest["database"]["path"]).stat().st_size == manifest["database"]["size"]
    assert target.stat().st_mode & 0o777 == 0o700

    master_b64 = settings.COMITY_MASTER_KEY.encode()
    master_raw = base64.b64decode(master_b64)
    for path in target.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert master_b64 not in data, path
            assert master_raw not in data, path


def test_backup_refuses_a_folder_that_is_not_empty(db, tmp_path):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "old").write_text("x")
    with pytest.raises(CommandError, match="is not empty"):
        run_backup(target)
    assert sorted(p.name for p in target.iterdir()) == ["old"]


def test_a_file_deleted_before_it_was_copied_is_reported_as_missing(attachments, tmp_path):
    gone = storage.object_path(attachments[0].storage_name)
    gone.unlink()
    out, err = run_backup(tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    relative = gone.relative_to(storage.file_root()).as_posix()
    assert manifest["missing"] == [relative]
    assert f"{relative}: referenced by the database but deleted before it could be copied." in err
    assert "1 files" in out


def test_restore_refuses_a_non_empty_installation(attachments, tmp_path):
    run_backup(tmp_path / "backup")
    before = sorted(p for p in storage.file_root().rglob("*") if p.is_file())
    with pytest.raises(CommandError, match=r"Refusing to restore into a non-empty installation \(\d+ tables"):
        call_command("restore", str(tmp_path / "backup"), stdout=StringIO())
    assert sorted(p for p in storage.file_root().rglob("*") if p.is_file()) == before
    assert Attachment.objects.count() == 2


def _rewrite_manifest(directory: Path, change) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda d: _rewrite_manifest(d, lambda m: m["files"].pop()), "fails its signature check"),
        (lambda d: _rewrite_manifest(d, lambda m: m.update(signature="0" * 64)), "fails its signature check"),
        (lambda d: _rewrite_manifest(d, lambda m: m.pop("signature")), "fails its signature check"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "not valid JSON"),
        (lambda d: (d / "manifest.json").unlink(), "not a Comity backup"),
        (lambda d: _flip_last_byte(_first_file(d)), "does not match its SHA-256"),
        (lambda d: _flip_last_byte(next(d.glob("database.*"))), "the database copy does not match"),
        (lambda d: _first_file(d).unlink(), "is missing"),
        (lambda d: (_first_file(d).parent / ("f" * 40)).write_bytes(b"x"), "does not list"),
    ],
    ids=["file-dropped", "signature-forged", "unsigned", "garbage", "no-manifest", "file", "database", "gone", "extra"],
)
def test_restore_refuses_a_damaged_or_altered_backup(attachments, tmp_path, tamper, message):
    target = tmp_path / "backup"
    run_backup(target)
    tamper(target)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(target), stdout=StringIO())


def test_restore_refuses_a_backup_made_under_another_master_key(attachments, tmp_path, settings):
    run_backup(tmp_path / "backup")
    settings.COMITY_MASTER_KEY = base64.b64encode(b"another-master-key-of-32-bytes!!").decode()
    with pytest.raises(CommandError, match="made under another master key"):
        call_command("restore", str(tmp_path / "backup"), stdout=StringIO())


def _first_file(directory: Path) -> Path:
    return sorted(p for p in (directory / "files").rglob("*") if p.is_file())[0]


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))


# --- a real restore, in a second process against a new, empty installation ------------------------------------------


def _empty_database_url(tmp_path: Path) -> tuple[str, object]:
    """A URL of a new, empty database, and a function that drops it."""
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    import psycopg

    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    name = f"comity_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    s = connection.settings_dict
    credentials = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}", drop


def _manage(*args: str, database_url: str, file_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comity.ops.tests.backup_settings",
        "DATABASE_URL": database_url,
        "COMITY_FILE_ROOT": str(file_root),
    }
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_restore_into_an_empty_installation_brings_back_the_database_and_every_file(attachments, tmp_path):
    run_backup(tmp_path / "backup")
    database_url, drop = _empty_database_url(tmp_path)
    new_root = tmp_path / "restored-files"
    try:
        done = _manage("restore", str(tmp_path / "backup"), database_url=database_url, file_root=new_root)
        assert done.returncode == 0, done.stderr
        assert "2 stored files; 2 files decrypt to their recorded hash." in done.stdout

        check = _manage("audit_verify", database_url=database_url, file_root=new_root)
        assert check.returncode == 0, check.stderr
        script = (
            "from comity.files.models import Attachment; "
            "print(sorted(Attachment.objects.values_list('filename', 'sha256')))"
        )
        listed = _manage("shell", "--no-imports", "-c", script, database_url=database_url, file_root=new_root)
        assert listed.stdout.strip() == str(sorted((a.filename, a.sha256) for a in attachments))
        for attachment in attachments:
            restored = new_root / storage.object_path(attachment.storage_name).relative_to(storage.file_root())
            assert restored.read_bytes() == storage.object_path(attachment.storage_name).read_bytes()

        again = _manage("restore", str(tmp_path / "backup"), database_url=database_url, file_root=new_root)
        assert again.returncode == 1
        assert "Refusing to restore into a non-empty installation" in again.stderr
    finally:
        drop()


# --- with the files in an S3-compatible object store (moto's server) ------------------------------------------------

needs_object_store = pytest.mark.skipif(
    not hasattr(storage, "S3Objects"), reason="this tree's files app has no S3-compatible object store"
)


@pytest.fixture(scope="module")
def s3_endpoint():
    import contextlib
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - moto's server from this interpreter
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


def _s3_settings(endpoint: str) -> dict[str, str]:
    import boto3

    bucket = f"comity-backup-{uuid.uuid4().hex[:12]}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    ).create_bucket(Bucket=bucket)
    return {
        "COMITY_FILE_STORE": "s3",
        "COMITY_S3_BUCKET": bucket,
        "COMITY_S3_ENDPOINT_URL": endpoint,
        "COMITY_S3_REGION": "us-east-1",
        "COMITY_S3_ACCESS_KEY_ID": "k",
        "COMITY_S3_SECRET_ACCESS_KEY": "s",
        "COMITY_S3_PREFIX": "b/",
    }


@needs_object_store
def test_backup_and_restore_stream_the_objects_of_an_s3_store(s3_endpoint, transactional_db, users, tmp_path, settings):
    for name, value in _s3_settings(s3_endpoint).items():
        setattr(settings, name, value)
    space = forum_services.space_create(actor=users["member"], kind=SpaceKind.PRIVATE, name="S3 backup")
    contents = [demo_pdf(lines=(f"in the bucket {n}",)) for n in (1, 2)]
    attachments = [
        file_services.attachment_create(actor=users["member"], space=space, filename=f"s3-{n}.pdf", content=[data])
        for n, data in enumerate(contents)
    ]
    assert not any(storage.object_path(a.storage_name).exists() for a in attachments)  # only in the bucket

    out, err = run_backup(tmp_path / "backup")
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["object_store"] == "s3"
    assert manifest["missing"] == []
    assert sorted(entry["path"] for entry in manifest["files"]) == sorted(
        f"objects/{a.storage_name[:2]}/{a.storage_name}" for a in attachments
    )

    database_url, drop = _empty_database_url(tmp_path)
    target_store = _s3_settings(s3_endpoint)  # a new, empty bucket
    try:
        env = {**target_store, "DATABASE_URL": database_url}
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "restore", str(tmp_path / "backup")],
            cwd=REPO,
            env={
                **os.environ,
                **env,
                "DJANGO_SETTINGS_MODULE": "comity.ops.tests.backup_settings",
                "COMITY_FILE_ROOT": str(tmp_path / "restored-files"),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "2 stored files; 2 files decrypt to their recorded hash." in done.stdout
        for name, value in target_store.items():
            setattr(settings, name, value)
        store = storage.objects()
        for attachment in attachments:
            with store.open(attachment.storage_name) as handle:
                assert (
                    handle.read()
                    == (
                        tmp_path
                        / "backup"
                        / "files"
                        / "objects"
                        / attachment.storage_name[:2]
                        / attachment.storage_name
                    ).read_bytes()
                )
    finally:
        drop()
