"""Chunked AES-256-GCM for large files: encrypt and decrypt as streams, never a whole file in memory.

Stored file = header || chunk_0 || chunk_1 || ... || chunk_{n-1}

- header (17 bytes): b"CMTF", format version (1 byte), plaintext chunk size (4 bytes, big endian) and 8
  random bytes chosen for this file (bound into every tag through the header).
- chunk i (format 2, written today): nonce (12 bytes) || AES-GCM(file key, nonce, plaintext chunk i,
  associated data = header || i as 8 bytes || final flag), i.e. the nonce, the ciphertext and its 16-byte
  tag. The nonce is a random 8-byte prefix drawn afresh by every writer (every request that appends, every
  one-shot upload) followed by the chunk index as 4 bytes, and it is recorded with the chunk. A chunk that
  is sealed again after a rolled-back or retried append (checksum mismatch, overrun, crash repair) is
  therefore sealed under a new nonce: a nonce is never used twice under one key, whatever the retries.
- chunk i (format 1, still read): the same without the recorded nonce; the nonce was the header's 8 bytes
  || i, the same for every writer of the file, which reused a nonce when an append was rolled back and the
  index sealed again. Format 1 files are decrypted as before; appending to one is refused (`LegacyFormat`).

Every chunk holds `chunk size` plaintext bytes except the last (1 to `chunk size` bytes). Binding the chunk
index and a "last chunk" flag into each tag means that reordering, dropping, duplicating, truncating or
extending the chunks is detected, not only a flipped bit (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár). The header is covered by every tag too, and so is the nonce (GCM authenticates it).

A resumable upload keeps the plaintext bytes that do not fill a chunk yet in a small "tail" blob, sealed
with a key derived from the file key and a random nonce, until the next request brings more (see `seal_tail`).
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CMTF"
FORMAT_VERSION = 2  # the version written; READABLE_VERSIONS are decrypted
LEGACY_VERSION = 1
READABLE_VERSIONS = (LEGACY_VERSION, FORMAT_VERSION)
NONCE_SIZE = 12
HEADER = struct.Struct(">4sBI8s")
HEADER_SIZE = HEADER.size
TAG_SIZE = 16
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNKS = 2**32

TAIL_MAGIC = b"CMTT"
TAIL_HEADER = struct.Struct(">4sQI")
TAIL_NONCE_SIZE = 12


class IntegrityError(Exception):
    """The stored bytes were altered, truncated, reordered or belong to another key."""


class LegacyFormat(ValueError):
    """A format 1 file cannot be appended to (its nonces would repeat after a rollback); it is still readable."""


def new_header(chunk_size: int = DEFAULT_CHUNK_SIZE) -> bytes:
    if not 1 <= chunk_size < 2**32:
        raise ValueError("chunk size out of range")
    return HEADER.pack(MAGIC, FORMAT_VERSION, chunk_size, os.urandom(8))


@dataclass(frozen=True)
class Layout:
    """What a stored file's header says about the chunks that follow it."""

    version: int
    chunk_size: int
    file_salt: bytes  # format 1: the nonce prefix of every chunk

    @property
    def overhead(self) -> int:
        """Stored bytes per chunk beyond its plaintext: the tag, and from format 2 on the recorded nonce."""
        return TAG_SIZE + (NONCE_SIZE if self.version >= 2 else 0)

    @property
    def block_size(self) -> int:
        """Stored bytes of a full (non-final) chunk."""
        return self.chunk_size + self.overhead


def parse_layout(header: bytes) -> Layout:
    if len(header) != HEADER_SIZE:
        raise IntegrityError("the file is shorter than its header")
    magic, version, chunk_size, salt = HEADER.unpack(header)
    if magic != MAGIC or version not in READABLE_VERSIONS or chunk_size < 1:
        raise IntegrityError("not a Comity encrypted file, or an unknown format version")
    return Layout(version, chunk_size, salt)


def parse_header(header: bytes) -> tuple[int, bytes]:
    """(plaintext chunk size, the header's 8 random bytes) of a stored file's header."""
    layout = parse_layout(header)
    return layout.chunk_size, layout.file_salt


def chunk_count(plain_size: int, chunk_size: int) -> int:
    """An empty file still has one (empty, final) chunk."""
    return max(1, -(-plain_size // chunk_size))


def sealed_size(plain_size: int, chunk_size: int = DEFAULT_CHUNK_SIZE, *, version: int = FORMAT_VERSION) -> int:
    layout = Layout(version, chunk_size, b"")
    return HEADER_SIZE + plain_size + chunk_count(plain_size, chunk_size) * layout.overhead


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _open_chunk(aead: AESGCM, layout: Layout, header: bytes, index: int, final: bool, stored) -> bytes:
    """Decrypt one stored chunk (`stored`: its bytes, nonce included from format 2 on)."""
    if layout.version >= 2:
        nonce, sealed = bytes(stored[:NONCE_SIZE]), stored[NONCE_SIZE:]
    else:
        nonce, sealed = _nonce(layout.file_salt, index), stored
    try:
        return aead.decrypt(nonce, sealed, _associated(header, index, final))
    except InvalidTag as exc:
        raise IntegrityError(f"chunk {index} failed its integrity check") from exc


def chunk_nonces(stored) -> list[bytes]:
    """The nonce of every chunk of a stored file (positioned anywhere), from its size: for checks and tests."""
    stored.seek(0)
    header = stored.read(HEADER_SIZE)
    layout = parse_layout(header)
    size = stored.seek(0, io.SEEK_END)
    count = -(-max(0, size - HEADER_SIZE) // layout.block_size)
    if layout.version < 2:
        return [_nonce(layout.file_salt, index) for index in range(count)]
    nonces = []
    for index in range(count):
        stored.seek(HEADER_SIZE + index * layout.block_size)
        nonces.append(stored.read(NONCE_SIZE))
    return nonces


def _associated(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


class SealedWriter:
    """Encrypts a plaintext stream into `out`, holding at most one chunk of plaintext.

    A full chunk is sealed when more data arrives after it, so the last chunk (flagged final) is only sealed
    by `finish()`. To continue a resumable upload, pass the existing header, how many chunks are already in
    the file and the pending plaintext (the tail). Every writer draws its own random nonce prefix, so the
    chunks it seals never share a nonce with those of an earlier writer of the same file, even when a
    rolled-back append made it seal the same chunk index again. The chunk and ciphertext buffers are
    allocated once and reused, so memory stays at about two chunks whatever the file size.
    """

    def __init__(
        self,
        out,
        key: bytes,
        *,
        header: bytes | None = None,
        chunks_written: int = 0,
        pending: bytes = b"",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self._out = out
        self._aead = AESGCM(key)
        if header is None:
            header = new_header(chunk_size)
            out.write(header)
        self.header = header
        layout = parse_layout(header)
        if layout.version != FORMAT_VERSION:
            raise LegacyFormat(f"cannot append to a format {layout.version} file")
        self.chunk_size = layout.chunk_size
        self._prefix = os.urandom(NONCE_SIZE - 4)
        if len(pending) > self.chunk_size:
            raise ValueError("more pending bytes than a chunk")
        self.chunks_written = chunks_written
        self._buffer = bytearray(self.chunk_size)
        self._buffer[: len(pending)] = pending
        self._filled = len(pending)
        self._sealed = bytearray(self.chunk_size + TAG_SIZE) if hasattr(self._aead, "encrypt_into") else None
        self.finished = False

    @property
    def pending(self) -> bytes:
        """Plaintext received but not sealed yet (at most one chunk)."""
        return bytes(self._buffer[: self._filled])

    def _seal(self, length: int, final: bool) -> None:
        if self.chunks_written >= MAX_CHUNKS:
            raise ValueError("file too large for this chunk size")
        index = self.chunks_written
        nonce, associated = _nonce(self._prefix, index), _associated(self.header, index, final)
        self._out.write(nonce)
        with memoryview(self._buffer) as plain:
            if self._sealed is not None:
                with memoryview(self._sealed) as sealed:
                    target = sealed[: length + TAG_SIZE]
                    self._aead.encrypt_into(nonce, plain[:length], associated, target)
                    self._out.write(target)
                    target.release()
            else:  # cryptography < 44
                self._out.write(self._aead.encrypt(nonce, bytes(plain[:length]), associated))
        self.chunks_written += 1

    def write(self, data: bytes) -> None:
        if self.finished:
            raise RuntimeError("finished")
        size = self.chunk_size
        with memoryview(data) as view:
            position = 0
            while position < len(view):
                if self._filled == size:
                    self._seal(size, final=False)
                    self._filled = 0
                take = min(len(view) - position, size - self._filled)
                self._buffer[self._filled : self._filled + take] = view[position : position + take]
                self._filled += take
                position += take

    def finish(self) -> None:
        """Seal the pending bytes as the final chunk."""
        if self.finished:
            return
        self._seal(self._filled, final=True)
        self._filled = 0
        self.finished = True


def _stored_length(layout: Layout, plain_size: int, index: int, final: bool) -> int:
    return (plain_size - layout.chunk_size * index if final else layout.chunk_size) + layout.overhead


def iter_plaintext(stored, key: bytes, plain_size: int, *, first_chunk: int = 0) -> Iterator[bytes]:
    """Decrypt a stored file chunk by chunk, verifying every tag; raises IntegrityError on any alteration.

    `stored` is a binary file positioned at its start. `plain_size` (from the database) fixes how many chunks
    there must be and which one is final, so a truncated or extended file fails.
    """
    header = stored.read(HEADER_SIZE)
    layout = parse_layout(header)
    aead = AESGCM(key)
    count = chunk_count(plain_size, layout.chunk_size)
    if first_chunk:
        stored.seek(HEADER_SIZE + first_chunk * layout.block_size)
    buffer = bytearray(layout.block_size)  # one read buffer for every chunk
    for index in range(first_chunk, count):
        final = index == count - 1
        expected = _stored_length(layout, plain_size, index, final)
        with memoryview(buffer) as whole:
            data = whole[:expected]
            try:
                if stored.readinto(data) != expected:
                    raise IntegrityError(f"chunk {index} is truncated")
                plain = _open_chunk(aead, layout, header, index, final, data)
            finally:
                data.release()
        yield plain
    if stored.read(1):
        raise IntegrityError("unexpected data after the last chunk")


def read_chunk(stored, key: bytes, index: int, *, plain_length: int, final: bool) -> bytes:
    """One chunk, verified: for looking at the start of an upload that is not finished yet."""
    stored.seek(0)
    header = stored.read(HEADER_SIZE)
    layout = parse_layout(header)
    stored.seek(HEADER_SIZE + index * layout.block_size)
    data = stored.read(plain_length + layout.overhead)
    return _open_chunk(AESGCM(key), layout, header, index, final, data)


class RandomAccessReader(io.RawIOBase):
    """A read-only, seekable view of the plaintext (for zipfile), decrypting one chunk at a time."""

    def __init__(self, stored, key: bytes, plain_size: int) -> None:
        super().__init__()
        self._stored = stored
        stored.seek(0)
        self._header = stored.read(HEADER_SIZE)
        self._layout = parse_layout(self._header)
        self._chunk_size = self._layout.chunk_size
        self._aead = AESGCM(key)
        self._size = plain_size
        self._count = chunk_count(plain_size, self._chunk_size)
        self._position = 0
        self._cached_index = -1
        self._cached = b""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def _chunk(self, index: int) -> bytes:
        if index != self._cached_index:
            final = index == self._count - 1
            length = _stored_length(self._layout, self._size, index, final)
            self._stored.seek(HEADER_SIZE + index * self._layout.block_size)
            data = self._stored.read(length)
            if len(data) != length:
                raise IntegrityError(f"chunk {index} is truncated")
            self._cached = _open_chunk(self._aead, self._layout, self._header, index, final, data)
            self._cached_index = index
        return self._cached

    def read(self, size: int = -1) -> bytes:
        """Full reads (not the raw one-chunk-at-a-time semantics): zipfile expects them."""
        if size is None or size < 0:
            size = max(0, self._size - self._position)
        parts = []
        while size > 0 and self._position < self._size:
            index, start = divmod(self._position, self._chunk_size)
            piece = self._chunk(index)[start : start + size]
            parts.append(piece)
            self._position += len(piece)
            size -= len(piece)
        return b"".join(parts)

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        index, start = divmod(self._position, self._chunk_size)
        chunk = self._chunk(index)
        length = min(len(buffer), len(chunk) - start)
        buffer[:length] = chunk[start : start + length]
        self._position += length
        return length


# --- the tail of a resumable upload ---------------------------------------------------------------------------


def _tail_key(key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"comity-files-tail-v1").derive(key)


def seal_tail(key: bytes, upload_id: bytes, chunks_before: int, data: bytes) -> bytes:
    """The pending plaintext of an upload that follows `chunks_before` sealed chunks (random nonce)."""
    header = TAIL_HEADER.pack(TAIL_MAGIC, chunks_before, len(data))
    nonce = os.urandom(TAIL_NONCE_SIZE)
    return header + nonce + AESGCM(_tail_key(key)).encrypt(nonce, data, header + upload_id)


def peek_tail(blob: bytes) -> tuple[int, int]:
    """(chunks_before, plaintext length) from a tail blob's clear header, without the key."""
    if len(blob) < TAIL_HEADER.size:
        raise IntegrityError("tail header truncated")
    magic, chunks_before, length = TAIL_HEADER.unpack(blob[: TAIL_HEADER.size])
    if magic != TAIL_MAGIC:
        raise IntegrityError("not an upload tail")
    return chunks_before, length


def open_tail(key: bytes, upload_id: bytes, blob: bytes) -> tuple[int, bytes]:
    chunks_before, length = peek_tail(blob)
    header = blob[: TAIL_HEADER.size]
    nonce = blob[TAIL_HEADER.size : TAIL_HEADER.size + TAIL_NONCE_SIZE]
    try:
        data = AESGCM(_tail_key(key)).decrypt(nonce, blob[TAIL_HEADER.size + TAIL_NONCE_SIZE :], header + upload_id)
    except InvalidTag as exc:
        raise IntegrityError("upload tail failed its integrity check") from exc
    if len(data) != length:
        raise IntegrityError("upload tail has the wrong length")
    return chunks_before, data
