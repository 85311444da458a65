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
        return os.access(root, os.W_OK), "local"


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
        return True, "s3"

    # Uploads in progress: the sealed bytes of each request as one segment object, named by its byte offset in
    # the .part file, and the latest tail. Any host rebuilds its local copy from them (`upload_sync_in`).

    def _upload_prefix(self, name: str) -> str:
        return f"{self.prefix}uploads/{_checked(name)}/"

    def put_segment(self, name: str, path: Path, start: int, end: int) -> None:
        with open(path, "rb") as handle:
            handle.seek(start)
            self.client.upload_fileobj(
                _Window(handle, end - start), self.bucket, f"{self._upload_prefix(name)}part/{start:015d}"
            )

    def segments(self, name: str) -> list[tuple[int, int, str]]:
        """(offset, size, key) of the segments, in order."""
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self._upload_prefix(name)}part/"):
            for item in page.get("Contents", []):
                found.append((int(item["Key"].rsplit("/", 1)[-1]), int(item["Size"]), item["Key"]))
        return sorted(found)

    def download_to(self, key: str, handle) -> None:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        for piece in body.iter_chunks(chunk_size=1024 * 1024):
            handle.write(piece)

    def put_tail(self, name: str, blob: bytes | None) -> None:
        key = f"{self._upload_prefix(name)}tail"
        if blob is None:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        else:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=blob)

    def get_tail(self, name: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=f"{self._upload_prefix(name)}tail")["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def delete_upload(self, name: str) -> None:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._upload_prefix(name)):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})


class _Window:
    """`length` bytes of an open file from its current position, read in pieces (a multipart upload's source)."""

    def __init__(self, handle, length: int):
        self._handle, self._left = handle, length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._handle.read(size)
        self._left -= len(data)
        return data


def iter_object_batches(batch_size: int = 500):
    """The local object store's files as paths, in lists (for callers that read COMITY_FILE_ROOT directly; with
    COMITY_FILE_STORE=s3 use `objects().iter_batches()` and `objects().open()`)."""
    for batch in LocalObjects().iter_batches(batch_size):
        yield [object_path(item.name) for item in batch]


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
    """Forget an upload in progress: this host's copy and, with an object store, the shared one."""
    remove(part_path(temp_name), tail_path(temp_name))
    shared = shared_uploads()
    if shared is not None:
        shared.delete_upload(temp_name)


def shared_uploads() -> S3Objects | None:
    """The object store that holds uploads in progress for every host; None with local storage (one host)."""
    store = objects()
    return store if isinstance(store, S3Objects) else None


def upload_sync_in(temp_name: str) -> None:
    """Under the upload's lock: make this host's .part and .tail equal to the shared copy (another host may
    have appended since, or this host may hold bytes that never reached the shared copy)."""
    shared = shared_uploads()
    if shared is None:
        return
    segments = shared.segments(temp_name)
    part = part_path(temp_name)
    _directory(part.parent)
    boundaries = {0} | {offset + size for offset, size, _ in segments}
    local = part.stat().st_size if part.exists() else 0
    keep = max(boundary for boundary in boundaries if boundary <= local)
    mode = "r+b" if part.exists() else "w+b"
    if not part.exists():
        create_private(part).close()
    with open(part, mode) as handle:
        handle.truncate(keep)
        handle.seek(keep)
        for offset, _size, key in segments:
            if offset >= keep:
                if offset != handle.tell():
                    raise FileNotFoundError(f"upload {temp_name}: a shared segment is missing at {handle.tell()}")
                shared.download_to(key, handle)
        handle.flush()
        os.fsync(handle.fileno())
    blob = shared.get_tail(temp_name)
    if blob is None:
        remove(tail_path(temp_name))
    else:
        write_tail(temp_name, blob)


def upload_sync_out(temp_name: str, start: int) -> None:
    """After a request appended: its new sealed bytes (from `start`) and the current tail to the shared copy."""
    shared = shared_uploads()
    if shared is None:
        return
    part = part_path(temp_name)
    end = part.stat().st_size
    if end > start:
        shared.put_segment(temp_name, part, start, end)
    tail = tail_path(temp_name)
    shared.put_tail(temp_name, tail.read_bytes() if tail.exists() else None)


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
    upload_sync_out(temp_name, 0)


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


# --- library documents (comity.library) ---------------------------------------------------------------------------
# The legal library keeps its encrypted documents in the same store as the attachments, in their own area: locally
# under <file root>/library/<2 hex>/<40 hex> (as it always has), in the bucket under COMITY_S3_PREFIX + library/.


def library_object_path(storage_name: str) -> Path:
    name = _checked(storage_name)
    return file_root() / "library" / name[:2] / name


def _iter_local_batches(root: Path, batch_size: int):
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


class LocalLibraryObjects(LocalObjects):
    """Library documents under COMITY_FILE_ROOT/library."""

    def put(self, source: Path, name: str) -> None:
        target = library_object_path(name)
        _directory(target.parent)
        os.replace(source, target)

    def open(self, name: str):
        return open(library_object_path(name), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, name: str) -> None:
        remove(library_object_path(name))

    def exists(self, name: str) -> bool:
        return library_object_path(name).exists()

    def iter_batches(self, batch_size: int = 500):
        yield from _iter_local_batches(file_root() / "library", batch_size)


class S3LibraryObjects(S3Objects):
    """Library documents in the bucket, under COMITY_S3_PREFIX + library/<40 hex> (multipart upload, streamed)."""

    def _key(self, name: str) -> str:
        return f"{self.prefix}library/{_checked(name)}"

    def iter_batches(self, batch_size: int = 500):
        paginator = self.client.get_paginator("list_objects_v2")
        batch: list[StoredObject] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.prefix}library/"):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if _NAME.match(name):
                    batch.append(StoredObject(name, item["LastModified"].timestamp()))
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
        if batch:
            yield batch


_library_stores: dict[tuple, S3LibraryObjects] = {}


def library_objects() -> LocalLibraryObjects | S3LibraryObjects:
    """Where library documents are stored: the bucket when COMITY_FILE_STORE is "s3", else the local file root."""
    if getattr(settings, "COMITY_FILE_STORE", "local") != "s3":
        return LocalLibraryObjects()
    config = (
        settings.COMITY_S3_BUCKET,
        settings.COMITY_S3_PREFIX,
        settings.COMITY_S3_ENDPOINT_URL,
        settings.COMITY_S3_REGION,
        settings.COMITY_S3_ACCESS_KEY_ID,
    )
    if config not in _library_stores:
        _library_stores[config] = S3LibraryObjects()
    return _library_stores[config]
