import hashlib
import io
import os

import pytest

from comity.files import streamcrypt
from comity.files.streamcrypt import (
    HEADER_SIZE,
    TAG_SIZE,
    IntegrityError,
    RandomAccessReader,
    SealedWriter,
    iter_plaintext,
)

CHUNK = 64
KEY = bytes(range(32))


def seal(data: bytes, *, pieces: int = 7, chunk: int = CHUNK) -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, KEY, chunk_size=chunk)
    for start in range(0, len(data), pieces):
        writer.write(data[start : start + pieces])
    writer.finish()
    return out.getvalue()


def unseal(blob: bytes, size: int, key: bytes = KEY) -> bytes:
    return b"".join(iter_plaintext(io.BytesIO(blob), key, size))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + CHUNK // 2])
def test_round_trip_and_layout(size):
    data = os.urandom(size)
    blob = seal(data)
    chunks = max(1, -(-size // CHUNK))
    assert len(blob) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert unseal(blob, size) == data


def test_chunks_are_bounded_by_the_chunk_size():
    data = os.urandom(3 * CHUNK + 5)
    pieces = list(iter_plaintext(io.BytesIO(seal(data, pieces=100)), KEY, len(data)))
    assert [len(p) for p in pieces] == [CHUNK, CHUNK, CHUNK, 5]


def test_writer_keeps_at_most_one_chunk_pending():
    out = io.BytesIO()
    writer = SealedWriter(out, KEY, chunk_size=CHUNK)
    writer.write(b"x" * (5 * CHUNK))
    assert (writer.chunks_written, len(writer.pending)) == (4, CHUNK)
    writer.write(b"y")
    assert (writer.chunks_written, len(writer.pending)) == (5, 1)


@pytest.mark.parametrize("position", ["header", "first", "tag", "last"])
def test_any_flipped_byte_is_detected(position):
    data = os.urandom(3 * CHUNK)
    blob = bytearray(seal(data))
    index = {"header": 10, "first": HEADER_SIZE + 3, "tag": HEADER_SIZE + CHUNK + 2, "last": len(blob) - 1}[position]
    blob[index] ^= 0x01
    with pytest.raises(IntegrityError):
        unseal(bytes(blob), len(data))


def test_truncation_extension_reordering_and_wrong_key_are_detected():
    data = os.urandom(3 * CHUNK)
    blob = seal(data)
    block = CHUNK + TAG_SIZE
    header, chunks = (
        blob[:HEADER_SIZE],
        [blob[HEADER_SIZE + i * block : HEADER_SIZE + (i + 1) * block] for i in range(3)],
    )
    with pytest.raises(IntegrityError, match="truncated"):
        unseal(header + chunks[0] + chunks[1], len(data))
    with pytest.raises(IntegrityError):  # two chunks presented as a whole file: the last one is not final
        unseal(header + chunks[0] + chunks[1], 2 * CHUNK)
    with pytest.raises(IntegrityError, match="after the last chunk"):
        unseal(blob + b"\x00", len(data))
    with pytest.raises(IntegrityError):
        unseal(header + chunks[1] + chunks[0] + chunks[2], len(data))
    with pytest.raises(IntegrityError):
        unseal(blob, len(data), key=bytes(32))


def test_resumed_writer_continues_the_same_file():
    data = os.urandom(2 * CHUNK + 10)
    out = io.BytesIO()
    first = SealedWriter(out, KEY, chunk_size=CHUNK)
    first.write(data[: CHUNK + 20])
    header, chunks, pending = first.header, first.chunks_written, first.pending
    second = SealedWriter(out, KEY, header=header, chunks_written=chunks, pending=pending)
    second.write(data[CHUNK + 20 :])
    second.finish()
    assert unseal(out.getvalue(), len(data)) == data


def test_random_access_reader_reads_any_range():
    data = os.urandom(5 * CHUNK + 7)
    reader = RandomAccessReader(io.BytesIO(seal(data)), KEY, len(data))
    for start, length in [(0, 10), (CHUNK - 3, 10), (2 * CHUNK, 3 * CHUNK + 7), (len(data) - 2, 50)]:
        reader.seek(start)
        assert reader.read(length) == data[start : start + length]
    reader.seek(-4, io.SEEK_END)
    assert reader.read() == data[-4:]


def test_tail_is_sealed_and_bound_to_its_upload():
    blob = streamcrypt.seal_tail(KEY, b"upload-1", 3, b"pending bytes")
    assert b"pending bytes" not in blob
    assert streamcrypt.peek_tail(blob) == (3, 13)
    assert streamcrypt.open_tail(KEY, b"upload-1", blob) == (3, b"pending bytes")
    with pytest.raises(IntegrityError):
        streamcrypt.open_tail(KEY, b"upload-2", blob)


def test_default_chunk_size_round_trip_of_a_multi_chunk_file():
    data = os.urandom(streamcrypt.DEFAULT_CHUNK_SIZE * 2 + 12345)
    out = io.BytesIO()
    writer = SealedWriter(out, KEY)
    for start in range(0, len(data), 300_000):
        writer.write(data[start : start + 300_000])
    writer.finish()
    digest = hashlib.sha256()
    for piece in iter_plaintext(io.BytesIO(out.getvalue()), KEY, len(data)):
        digest.update(piece)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
