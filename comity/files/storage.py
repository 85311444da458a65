"""Where encrypted files live on disk, per-file keys, and the on-disk state of resumable uploads.

Layout under the file root (setting COMITY_FILE_ROOT, default MEDIA_ROOT/"files"):

    objects/<2 hex>/<40 hex>      finished attachments (streamcrypt format)
    uploads/<40 hex>.part         an upload's sealed chunks so far (same format; becomes the object)
    uploads/<40 hex>.tail         its pending bytes that do not fill a chunk yet (sealed, see streamcrypt)
    uploads/<40 hex>.lock         held (flock) by the one request appending to it

Names are random and never derived from user input. Directories are created 0700, files 0600.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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


def lock_path(temp_name: str) -> Path:
    return uploads_dir() / f"{_checked(temp_name)}.lock"


def create_private(path: Path):
    """Open a new file for writing, readable only by this process's user."""
    _directory(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def install_object(source: Path, storage_name: str) -> Path:
    """Move a finished upload into the object store (same file system: an atomic rename)."""
    target = object_path(storage_name)
    _directory(target.parent)
    os.replace(source, target)
    return target


def iter_object_batches(batch_size: int = 500):
    """The object store's files, in lists of at most `batch_size` (names that are not storage names skipped)."""
    root = file_root() / "objects"
    if not root.exists():
        return
    batch: list[Path] = []
    for directory in sorted(root.iterdir()):
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if _NAME.match(path.name) and path.name.startswith(directory.name):
                batch.append(path)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
    if batch:
        yield batch


def remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_upload_files(temp_name: str) -> None:
    remove(part_path(temp_name), tail_path(temp_name), lock_path(temp_name))


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


@contextlib.contextmanager
def upload_lock(temp_name: str):
    """Exclusive, non-blocking, released by the kernel if the process dies (single host or local disk)."""
    path = lock_path(temp_name)
    _directory(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UploadBusy from exc
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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
