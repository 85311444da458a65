"""Backup and restore: a consistent snapshot of the database and the encrypted file store, with a signed manifest.

A backup is a folder:

    manifest.json        what is in it, with the SHA-256 and size of every file, signed (HMAC-SHA256) with a
                         key derived from the master key
    database.dump        PostgreSQL: `pg_dump --format=custom`, taken in an exported snapshot
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    files/...            the file root as it was (objects/, library/, uploads in progress), still encrypted

The master key is never written: the files stay encrypted and the manifest holds only its fingerprint. Without
the master key a backup cannot be restored (nor its manifest checked), so keep the key apart from the backups.

Consistency: the database is copied first, in one snapshot; the list of files that the snapshot references
(attachments not deleted, library documents) is read from that same snapshot. Stored files are never changed in
place (a new file gets a new random name), so copying the file root afterwards captures every file the snapshot
needs, unless one was deleted in between: such a file is listed under "missing" in the manifest and reported.

The file store is the local file root (setting COMITY_FILE_ROOT) and, when the files app keeps finished objects in
an S3-compatible bucket (`storage.shared_uploads()` is not None), that bucket's objects too, streamed in both
directions, and the library's documents, which live in the same bucket under library/ (`storage.library_objects()`).
A backup has the same layout either way (`files/objects/<2 hex>/<40 hex>`, `files/library/<2 hex>/<40 hex>`), so it
can be restored into an installation with either kind of store. Uploads in progress that exist only in the bucket
are not backed up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore with fixed argument lists, never a shell
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone as dj_timezone

from comity.core import crypto
from comity.files import storage, streamcrypt
from comity.files.models import Attachment
from comity.library.content import library_path
from comity.library.models import Document

logger = logging.getLogger("comity.ops.backup")

FORMAT = "comity-backup/1"
MANIFEST = "manifest.json"
FILES_DIR = "files"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
COPY_BLOCK = 1024 * 1024
# Files in the file root that are never backed up: upload locks and half-written tails are per-process state.
SKIPPED_SUFFIXES = (".lock", ".tail-new")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    directory: Path
    engine: str
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    engine: str
    files: int = 0
    decrypted: int = 0
    failures: list[str] = field(default_factory=list)


# --- helpers ------------------------------------------------------------------------------------------------------


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(COPY_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _copy_stream(src, target: Path) -> tuple[str, int]:
    """Copy an open binary stream in blocks (never whole in memory) to a new file created 0600; (sha256, size)."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as dst:
        while block := src.read(COPY_BLOCK):
            digest.update(block)
            size += len(block)
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    return digest.hexdigest(), size


def _copy_hashed(source: Path, target: Path) -> tuple[str, int]:
    with open(source, "rb") as src:
        return _copy_stream(src, target)


def object_store():
    """The files app's S3-compatible object store when one is configured, else None (objects are local files)."""
    shared_uploads = getattr(storage, "shared_uploads", None)
    return shared_uploads() if shared_uploads is not None else None


def library_store():
    """The bucket that holds the library's documents when there is one, else None (they are local files)."""
    if object_store() is None or not hasattr(storage, "library_objects"):
        return None
    return storage.library_objects()


def _bucket_stores() -> list[tuple[str, Any]]:
    """(folder in a backup, store) for every area of the bucket; empty with local storage."""
    stores: list[tuple[str, Any]] = []
    if (store := object_store()) is not None:
        stores.append(("objects", store))
    if (library := library_store()) is not None:
        stores.append(("library", library))
    return stores


def _bucket_target(relative: Path) -> tuple[Any, str] | None:
    """(store, storage name) when a backup path belongs in the bucket, else None (a file under the file root)."""
    parts = relative.parts
    for area, store in _bucket_stores():
        if len(parts) == 3 and parts[0] == area and parts[2].startswith(parts[1]):
            try:
                return store, storage.object_path(parts[2]).name
            except ValueError:
                return None
    return None


def _manifest_key() -> bytes:
    """Signs the manifest: derived from the master key, so that only its holder can make or alter a manifest."""
    return hmac.new(crypto.master_key(), b"comity-backup-manifest-v1", hashlib.sha256).digest()


def _canonical(manifest: dict) -> bytes:
    body = {key: value for key, value in manifest.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign_manifest(manifest: dict) -> str:
    return hmac.new(_manifest_key(), _canonical(manifest), hashlib.sha256).hexdigest()


def _relative(path: str) -> Path:
    """A manifest path, refused if it could leave the folder it is read from or written to."""
    relative = Path(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"The manifest names an unsafe path: {path!r}.")
    return relative


def iter_file_root(root: Path) -> Iterator[Path]:
    """Every regular file under the file root, sorted, without locks and scratch files."""
    if not root.exists():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if name.endswith(SKIPPED_SUFFIXES) or not path.is_file() or path.is_symlink():
                continue
            yield path


def _referenced_files(rows: list[tuple[str, str]]) -> list[str]:
    """File-root-relative paths of the files the snapshot needs, from (kind, storage_name) rows."""
    root = storage.file_root()
    paths = []
    for kind, name in rows:
        try:
            path = storage.object_path(name) if kind == "attachment" else library_path(name)
        except ValueError:
            continue
        paths.append(path.relative_to(root).as_posix())
    return sorted(paths)


def _referenced_sql() -> str:
    return (
        f"SELECT 'attachment', storage_name FROM {Attachment._meta.db_table} WHERE deleted_at IS NULL "  # noqa: S608
        f"UNION ALL SELECT 'document', storage_name FROM {Document._meta.db_table} WHERE storage_name <> ''"
    )


def _pg_command_env(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore, from the Django settings (no password on
    the command line)."""
    settings_dict = connections[alias].settings_dict
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ, "PGDATABASE": str(settings_dict["NAME"])}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if settings_dict.get("OPTIONS", {}).get(option):
            env[variable] = str(settings_dict["OPTIONS"][option])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed; install the PostgreSQL client of the server's major version."
        ) from exc
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed ({completed.returncode}): {completed.stderr.strip()[:2000]}")


# --- backup -------------------------------------------------------------------------------------------------------


def _dump_postgresql(alias: str, target: Path) -> list[tuple[str, str]]:
    """pg_dump in a snapshot exported by a repeatable-read transaction that also lists the referenced files."""
    import psycopg

    params = connections[alias].get_connection_params()
    with psycopg.connect(**params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            if row is None:  # pragma: no cover - pg_export_snapshot always returns one row
                raise BackupError("PostgreSQL did not export a snapshot.")
            snapshot = row[0]
            args, env = _pg_command_env(alias)
            _run(
                ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
                + ["--file", str(target)],
                env,
            )
            cursor.execute(_referenced_sql())
            rows = [(kind, name) for kind, name in cursor.fetchall()]
        conn.rollback()
    return rows


def _dump_sqlite(alias: str, target: Path) -> list[tuple[str, str]]:
    """SQLite's online backup API: a consistent copy even while other connections write."""
    connection = connections[alias]
    connection.ensure_connection()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        rows = [(kind, name) for kind, name in destination.execute(_referenced_sql()).fetchall()]
    finally:
        destination.close()
    return rows


def _prepare_target(directory: Path) -> None:
    if directory.exists():
        if not directory.is_dir():
            raise BackupError(f"{directory} exists and is not a folder.")
        if any(directory.iterdir()):
            raise BackupError(f"{directory} is not empty; choose a new folder for each backup.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)


def backup_create(*, directory: Path, using: str = "default") -> BackupResult:
    """Write a backup of the database `using` and the file root into `directory` (new or empty)."""
    engine = _engine(using)
    directory = Path(directory)
    _prepare_target(directory)
    started = dj_timezone.now()
    database_file = directory / (PG_DUMP if engine == "postgresql" else SQLITE_COPY)
    rows = _dump_postgresql(using, database_file) if engine == "postgresql" else _dump_sqlite(using, database_file)
    database_sha, database_size = _sha256_file(database_file)

    root = storage.file_root()
    result = BackupResult(directory=directory, engine=engine)
    entries = []
    for source in iter_file_root(root):
        relative = source.relative_to(root)
        try:
            sha, size = _copy_hashed(source, directory / FILES_DIR / relative)
        except FileNotFoundError:  # removed while we walked (a purge, a finished upload): not needed
            continue
        entries.append({"path": relative.as_posix(), "sha256": sha, "size": size})
        result.files += 1
        result.bytes += size
    store = object_store()
    local = {entry["path"] for entry in entries}
    for area, bucket in _bucket_stores():
        for batch in bucket.iter_batches():
            for item in batch:
                relative = Path(area) / item.name[:2] / item.name
                if relative.as_posix() in local:  # a local copy left from before the move to the bucket
                    continue
                try:
                    with bucket.open(item.name) as src:
                        sha, size = _copy_stream(src, directory / FILES_DIR / relative)
                except FileNotFoundError:  # deleted since it was listed
                    continue
                entries.append({"path": relative.as_posix(), "sha256": sha, "size": size})
                result.files += 1
                result.bytes += size
    copied = {entry["path"] for entry in entries}
    result.missing = [path for path in _referenced_files(rows) if path not in copied]
    for path in result.missing:
        logger.warning("backup: %s is referenced by the database snapshot but was not in the file store", path)

    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": dj_timezone.now().isoformat(),
        "database": {"engine": engine, "path": database_file.name, "sha256": database_sha, "size": database_size},
        "object_store": "local" if store is None else "s3",
        "master_key_fingerprint": storage.fingerprint(),
        "files": entries,
        "missing": result.missing,
    }
    manifest["signature"] = sign_manifest(manifest)
    fd = os.open(directory / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.write("\n")
    logger.info("backup: %s, %d files (%d bytes) in %s", engine, result.files, result.bytes, directory)
    return result


# --- restore ------------------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    """The manifest, after checking its signature and format, and the hash and size of every file it lists."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{directory} has no {MANIFEST}: not a Comity backup.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON: the backup is damaged or was altered.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not a {FORMAT} manifest.")
    if manifest.get("master_key_fingerprint") != storage.fingerprint():
        raise BackupError(
            "The backup was made under another master key (fingerprint "
            f"{manifest.get('master_key_fingerprint')}, configured {storage.fingerprint()}): set COMITY_MASTER_KEY "
            "to the key in use when the backup was taken."
        )
    signature = manifest.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(signature, sign_manifest(manifest)):
        raise BackupError(f"{MANIFEST} fails its signature check: it was altered after the backup was made.")
    database = manifest["database"]
    _check_file(directory / _relative(database["path"]), database["sha256"], database["size"], "the database copy")
    listed = set()
    for entry in manifest["files"]:
        relative = _relative(entry["path"])
        listed.add(relative.as_posix())
        _check_file(directory / FILES_DIR / relative, entry["sha256"], entry["size"], relative.as_posix())
    extra = [
        path.relative_to(directory / FILES_DIR).as_posix()
        for path in iter_file_root(directory / FILES_DIR)
        if path.relative_to(directory / FILES_DIR).as_posix() not in listed
    ]
    if extra:
        raise BackupError(f"The backup holds files its manifest does not list (e.g. {extra[0]}): it was altered.")
    return manifest


def _check_file(path: Path, sha256: str, size: int, label: str) -> None:
    try:
        actual_sha, actual_size = _sha256_file(path)
    except FileNotFoundError as exc:
        raise BackupError(f"The backup is incomplete: {label} is missing.") from exc
    if actual_size != size or not hmac.compare_digest(actual_sha, sha256):
        raise BackupError(f"{label} does not match its SHA-256 in the manifest: the backup was damaged or altered.")


def installation_contents(using: str = "default") -> tuple[int, int]:
    """(tables in the database, files in the file root): an empty installation has (0, 0)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = len(connection.introspection.table_names(cursor))
    files = sum(1 for _path in iter_file_root(storage.file_root()))
    for _area, bucket in _bucket_stores():
        files += sum(len(batch) for batch in bucket.iter_batches())
    return tables, files


def _restore_postgresql(alias: str, dump: Path) -> None:
    connections[alias].close()
    args, env = _pg_command_env(alias)
    _run(
        ["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        + ["--dbname", env["PGDATABASE"], str(dump)],
        env,
    )


def _restore_sqlite(alias: str, copy: Path) -> None:
    connection = connections[alias]
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            connection.close()
            target = sqlite3.connect(connection.settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                target.close()
    finally:
        source.close()


def _install_files(directory: Path, manifest: dict) -> int:
    """Copy the backup's files under the file root; objects go to the object store when there is one."""
    root = storage.file_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    count = 0
    for entry in manifest["files"]:
        relative = _relative(entry["path"])
        bucket = _bucket_target(relative)
        target = root / relative if bucket is None else root / "restore-scratch" / relative.name
        sha, size = _copy_hashed(directory / FILES_DIR / relative, target)
        if sha != entry["sha256"] or size != entry["size"]:
            storage.remove(target)
            raise BackupError(f"{relative} changed while it was restored; restore again from the backup.")
        if bucket is not None:
            bucket[0].put(target, bucket[1])  # streamed from the scratch copy, which it removes
        count += 1
    return count


def _plaintext_sha256(handle, wrapped_key: str, key_fingerprint: str, size: int) -> str:
    key = storage.unwrap(wrapped_key, key_fingerprint)
    digest = hashlib.sha256()
    with handle:
        for chunk in streamcrypt.iter_plaintext(handle, key, size):
            digest.update(chunk)
    return digest.hexdigest()


def _open_attachment(storage_name: str):
    store = object_store()
    return store.open(storage_name) if store is not None else open(storage.object_path(storage_name), "rb")  # noqa: SIM115


def _open_document(storage_name: str):
    store = library_store()
    return store.open(storage_name) if store is not None else open(library_path(storage_name), "rb")  # noqa: SIM115


def files_verify() -> tuple[int, list[str]]:
    """Decrypt every stored attachment and library document and compare it with its recorded SHA-256.
    (files checked, failures as "kind pk: reason")."""
    checked, failures = 0, []
    attachments = Attachment.objects.filter(deleted_at__isnull=True).only(
        "pk", "storage_name", "wrapped_key", "key_fingerprint", "size", "sha256"
    )
    documents = (
        Document.objects.exclude(storage_name="")
        .only("pk", "storage_name", "wrapped_key", "key_fingerprint", "size", "sha256")
        .order_by("pk")
    )
    sources: list[tuple[str, QuerySet[Any], Callable[[str], Any]]] = [
        ("attachment", attachments.order_by("pk"), _open_attachment),
        ("document", documents, _open_document),
    ]
    for kind, queryset, locate in sources:
        for item in queryset.iterator(chunk_size=500):
            checked += 1
            try:
                sha = _plaintext_sha256(locate(item.storage_name), item.wrapped_key, item.key_fingerprint, item.size)
            except (OSError, ValueError, storage.KeyUnavailable, streamcrypt.IntegrityError) as exc:
                failures.append(f"{kind} {item.pk}: {exc or exc.__class__.__name__}")
                continue
            if item.sha256 and sha != item.sha256:
                failures.append(f"{kind} {item.pk}: decrypts to {sha}, recorded {item.sha256}")
    return checked, failures


def backup_restore(*, directory: Path, using: str = "default", verify: bool = True) -> RestoreResult:
    """Restore a backup into an empty installation (no tables, no stored files); refuses anything else."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    engine = _engine(using)
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"The backup holds a {manifest['database']['engine']} database; this installation uses {engine}."
        )
    tables, files = installation_contents(using)
    if tables or files:
        raise BackupError(
            f"Refusing to restore into a non-empty installation ({tables} tables in the database, {files} files "
            "in the file store). Restore into a new, empty database and file root (do not run migrate first)."
        )
    database_file = directory / _relative(manifest["database"]["path"])
    # Files first, then the database; if either fails the restored files are removed again, so that the
    # installation stays empty and the restore can be run again once the cause is fixed.
    result = RestoreResult(engine=engine)
    with _rollback_files_on_error(manifest):
        result.files = _install_files(directory, manifest)
        if engine == "postgresql":
            _restore_postgresql(using, database_file)
        else:
            _restore_sqlite(using, database_file)
    if verify:
        result.decrypted, result.failures = files_verify()
    logger.info("restore: %s, %d files from %s", engine, result.files, directory)
    return result


@contextlib.contextmanager
def _rollback_files_on_error(manifest: dict):
    """Remove the restored files again when the restore fails, so that the installation is empty again."""
    root = storage.file_root()
    try:
        yield
    except BaseException:
        for entry in manifest["files"]:
            with contextlib.suppress(Exception):  # best effort: the error that stopped the restore is what matters
                relative = _relative(entry["path"])
                bucket = _bucket_target(relative)
                if bucket is None:
                    (root / relative).unlink()
                else:
                    bucket[0].delete(bucket[1])
        raise


__all__ = [
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_restore",
    "files_verify",
    "installation_contents",
    "read_manifest",
]
