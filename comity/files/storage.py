"""Where encrypted files live on disk, per-file keys, and the on-disk state of resumable uploads.

Layout under the file root (setting COMITY_FILE_ROOT, default MEDIA_ROOT/"files"):

    objects/<2 hex>/<40 hex>      finished attachments (streamcrypt format)
    uploads/<40 hex>.part         an upload's sealed chunks so far (same format; becomes the object)
    uploads/<40 hex>.tail         its pending bytes that do not fill a chunk yet (sealed, see streamcrypt)

Names are random and never derived from user input. Directories are created 0700, files 0600.

Finished objects go to the object store that COMITY_FILE_STORE names (`objects()`): this local layout (the
embedded default), or an S3-compatible bucket under COMITY_S3_PREFIX (`objects/<40 hex>`), written by a multipart
upload from the sealed file and read back as a stream, so a file is never whole in memory.
The lock that guards an upload in progress is in the database (`upload_lock`): several hosts can share it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from comity.core import crypto
from comity.files import streamcrypt

_NAME = re.compile(r"^[0-9a-f]{40}$")


def file_root() -> Path:
    return Path(getattr(settings, "COMITY_FILE_ROOT", None) or Path(settings.MEDIA_ROOT) / "files")


def max_upload_bytes() -> int:
    return int(getattr(settings, "COMITY_MAX_UPLOAD_BYTES", 2 * 1024**3))


def refuse_active_content() -> bool:
    """Setting COMITY_FILES_REFUSE_ACTIVE_CONTENT: refuse files with active content instead of flagging them."""
    return bool(getattr(settings, "COMITY_FILES_REFUSE_ACTIVE_CONTENT", False))


def upload_expiry_hours() -> int:
    return int(getattr(settings, "COMITY_UPLOAD_EXPIRY_HOURS", 72))


def new_name() -> str:
    return secrets.token_hex(20)


def _checked(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ValueError("invalid storage name")
    return name


def _directory(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def object_path(storage_name: str) -> Path:
    name = _checked(storage_name)
    return file_root() / "objects" / name[:2] / name


def uploads_dir() -> Path:
    return file_root() / "uploads"


def part_path(temp_name: str) -> Path:
    return uploads_dir() / f"{_checked(temp_name)}.part"


def tail_path(temp_name: str) -> Path:
    return uploads_dir() / f"{_checked(temp_name)}.tail"


def create_private(path: Path):
    """Open a new file for writing, readable only by this process's user."""
    _directory(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def install_object(source: Path, storage_name: str) -> str:
    """Move a finished upload into the object store; returns its storage name."""
    objects().put(source, _checked(storage_name))
    return storage_name


@dataclass(frozen=True)
class StoredObject:
    name: str
    modified: float  # POSIX timestamp


class LocalObjects:
    """Objects under COMITY_FILE_ROOT/objects (one file system: installing is an atomic rename)."""

    def put(self, source: Path, name: str) -> None:
        target = object_path(name)
        _directory(target.parent)
        os.replace(source, target)

    def open(self, name: str):
        return open(object_path(name), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, name: str) -> None:
        remove(object_path(name))

    def exists(self, name: str) -> bool:
        return object_path(name).exists()

    def iter_batches(self, batch_size: int = 500):
        root = file_root() / "objects"
        if not root.exists():
            return
        batch: list[StoredObject] = []
        for directory in sorted(root.iterdir()):
            if not directory.is_dir():
                continue
            for path in directory.iterdir():
                if _NAME.match(path.name) and path.name.startswith(directory.name):
                    try:
                        batch.append(StoredObject(path.name, path.stat().st_mtime))
                    except FileNotFoundError:
                        continue
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
        if batch:
            yield batch

    def check(self) -> tuple[bool, str]:
        root = _directory(file_root())
        return os.access(root, os.W_OK), f"local: {root}"


class _BodyReader(io.RawIOBase):
    """A raw binary stream over an S3 response body, read as the decryption asks for it."""

    def __init__(self, body):
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()
        super().close()


class S3Objects:
    """Objects in an S3-compatible bucket (COMITY_S3_*), written by multipart upload, read as a stream."""

    def __init__(self):
        import boto3
        from botocore.config import Config

        self.bucket = settings.COMITY_S3_BUCKET
        self.prefix = settings.COMITY_S3_PREFIX
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.COMITY_S3_ENDPOINT_URL or None,
            region_name=settings.COMITY_S3_REGION or None,
            aws_access_key_id=settings.COMITY_S3_ACCESS_KEY_ID or None,
            aws_secret_access_key=settings.COMITY_S3_SECRET_ACCESS_KEY or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60),
        )

    def _key(self, name: str) -> str:
        return f"{self.prefix}objects/{_checked(name)}"

    def put(self, source: Path, name: str) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(name))  # multipart, from disk, in parts
        remove(source)

    def open(self, name: str):
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"]
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(name) from exc
        return io.BufferedReader(_BodyReader(body), buffer_size=256 * 1024)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError:
            return False
        return True

    def iter_batches(self, batch_size: int = 500):
        paginator = self.client.get_paginator("list_objects_v2")
        batch: list[StoredObject] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}objects/"):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _NAME.match(name):
                    batch.append(StoredObject(name, item["LastModified"].timestamp()))
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
        if batch:
            yield batch

    def check(self) -> tuple[bool, str]:
        self.client.head_bucket(Bucket=self.bucket)
        return True, f"s3: {self.bucket}"


_stores: dict[tuple, LocalObjects | S3Objects] = {}


def objects() -> LocalObjects | S3Objects:
    """The configured object store (one client per configuration and process)."""
    kind = getattr(settings, "COMITY_FILE_STORE", "local")
    if kind != "s3":
        return LocalObjects()
    config = (
        settings.COMITY_S3_BUCKET,
        settings.COMITY_S3_PREFIX,
        settings.COMITY_S3_ENDPOINT_URL,
        settings.COMITY_S3_REGION,
        settings.COMITY_S3_ACCESS_KEY_ID,
    )
    if config not in _stores:
        _stores[config] = S3Objects()
    return _stores[config]


def remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_upload_files(temp_name: str) -> None:
    remove(part_path(temp_name), tail_path(temp_name))


# --- keys ---------------------------------------------------------------------------------------------------------


def fingerprint(master: bytes | None = None) -> str:
    """A short public name for a master key, stored with each wrapped key (idempotent rotation)."""
    return hashlib.sha256(b"comity-master-key\x00" + (master or crypto.master_key())).hexdigest()[:16]


def new_file_key() -> tuple[bytes, str, str]:
    """(data key, the key wrapped by the current master key, the master key's fingerprint)."""
    master = crypto.master_key()
    key = crypto.new_data_key()
    return key, crypto.wrap_key(key, master), fingerprint(master)


class KeyUnavailable(Exception):
    """The data key cannot be unwrapped: another master key wrapped it, or the wrapped key was altered."""


def unwrap(wrapped: str, key_fingerprint: str) -> bytes:
    master = crypto.master_key()
    if key_fingerprint != fingerprint(master):
        raise KeyUnavailable(f"wrapped by master key {key_fingerprint}, the configured one is {fingerprint(master)}")
    try:
        return crypto.unwrap_key(wrapped, master)
    except crypto.DecryptionError as exc:
        raise KeyUnavailable("the wrapped key failed its integrity check") from exc


# --- resumable uploads --------------------------------------------------------------------------------------------


class UploadBusy(Exception):
    """Another request is appending to this upload right now."""


def upload_lock(temp_name: str):
    """Exclusive and non-blocking, shared by every host (`comity/files/locks.py`); raises UploadBusy."""
    from comity.files import locks

    return locks.exclusive(f"upload:{_checked(temp_name)}")


def start_upload_file(temp_name: str) -> None:
    """The .part file begins with its header, so every later request appends whole chunks."""
    with create_private(part_path(temp_name)) as handle:
        handle.write(streamcrypt.new_header())


@dataclass(frozen=True)
class UploadState:
    chunks: int  # sealed (non-final) chunks in the .part file
    tail_length: int  # pending plaintext bytes in a current .tail (0 when none or stale)
    tail_current: bool  # whether the .tail belongs to the current chunk count
    chunk_size: int = streamcrypt.DEFAULT_CHUNK_SIZE
    version: int = streamcrypt.FORMAT_VERSION  # of the .part file; only the current one is appended to

    @property
    def offset(self) -> int:
        return self.chunks * self.chunk_size + self.tail_length


def read_state(temp_name: str, *, repair: bool = False) -> UploadState:
    """How many plaintext bytes are safely stored, from the files alone (the database offset may lag
    after a crash). A half-written chunk at the end of .part is cut off when `repair` (under the lock);
    a .tail written for fewer chunks is stale (its bytes went into the next chunk) and counts for nothing."""
    part = part_path(temp_name)
    with open(part, "rb") as handle:
        layout = streamcrypt.parse_layout(handle.read(streamcrypt.HEADER_SIZE))
        size = handle.seek(0, os.SEEK_END)
    body = max(0, size - streamcrypt.HEADER_SIZE)
    chunks, partial = divmod(body, layout.block_size)
    if partial and repair:
        os.truncate(part, streamcrypt.HEADER_SIZE + chunks * layout.block_size)
    state = {"chunk_size": layout.chunk_size, "version": layout.version}
    try:
        header = tail_path(temp_name).read_bytes()[: streamcrypt.TAIL_HEADER.size]
        chunks_before, length = streamcrypt.peek_tail(header)
    except (FileNotFoundError, streamcrypt.IntegrityError):
        return UploadState(chunks, 0, False, **state)
    if chunks_before != chunks:
        return UploadState(chunks, 0, False, **state)
    return UploadState(chunks, length, True, **state)


def write_tail(temp_name: str, blob: bytes) -> None:
    """Replace the tail atomically (write, fsync, rename)."""
    target = tail_path(temp_name)
    scratch = target.with_suffix(".tail-new")
    remove(scratch)
    with create_private(scratch) as handle:
        handle.write(blob)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(scratch, target)
