import hashlib
import io
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from comity.files import streamcrypt
from comity.files.streamcrypt import (
    HEADER_SIZE,
    NONCE_SIZE,
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
    assert len(blob) == HEADER_SIZE + size + chunks * (NONCE_SIZE + TAG_SIZE)
    assert blob[4] == 2  # format version
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


@pytest.mark.parametrize("position", ["header", "nonce", "first", "tag", "last"])
def test_any_flipped_byte_is_detected(position):
    data = os.urandom(3 * CHUNK)
    blob = bytearray(seal(data))
    index = {
        "header": 10,
        "nonce": HEADER_SIZE + 3,
        "first": HEADER_SIZE + NONCE_SIZE + 3,
        "tag": HEADER_SIZE + NONCE_SIZE + CHUNK + 2,
        "last": len(blob) - 1,
    }[position]
    blob[index] ^= 0x01
    with pytest.raises(IntegrityError):
        unseal(bytes(blob), len(data))


def test_truncation_extension_reordering_and_wrong_key_are_detected():
    data = os.urandom(3 * CHUNK)
    blob = seal(data)
    block = NONCE_SIZE + CHUNK + TAG_SIZE
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


def seal_format_1(data: bytes, chunk: int = CHUNK) -> bytes:
    """A file in the first format (nonce = the header's prefix || index, not recorded), written here by hand
    so that the reader is checked against the format, not against its own writer."""
    prefix = os.urandom(8)
    header = streamcrypt.HEADER.pack(b"CMTF", 1, chunk, prefix)
    aead = AESGCM(KEY)
    count = max(1, -(-len(data) // chunk))
    out = [header]
    for index in range(count):
        final = index == count - 1
        associated = header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")
        out.append(
            aead.encrypt(prefix + index.to_bytes(4, "big"), data[index * chunk : (index + 1) * chunk], associated)
        )
    return b"".join(out)


def test_files_of_the_first_format_still_decrypt_but_are_never_appended_to():
    data = os.urandom(3 * CHUNK + 9)
    blob = seal_format_1(data)
    assert len(blob) == HEADER_SIZE + len(data) + 4 * TAG_SIZE
    assert unseal(blob, len(data)) == data
    reader = RandomAccessReader(io.BytesIO(blob), KEY, len(data))
    reader.seek(CHUNK - 2)
    assert reader.read(5) == data[CHUNK - 2 : CHUNK + 3]
    assert streamcrypt.read_chunk(io.BytesIO(blob), KEY, 1, plain_length=CHUNK, final=False) == data[CHUNK : 2 * CHUNK]
    tampered = bytearray(blob)
    tampered[HEADER_SIZE + CHUNK + TAG_SIZE + 1] ^= 0x01
    with pytest.raises(IntegrityError, match="chunk 1 failed"):
        unseal(bytes(tampered), len(data))
    with pytest.raises(streamcrypt.LegacyFormat):
        SealedWriter(io.BytesIO(), KEY, header=blob[:HEADER_SIZE], chunks_written=3, pending=b"")


def test_a_chunk_sealed_again_after_a_rollback_gets_a_new_nonce():
    """The same index sealed by two writers (a rolled-back append, then its retry with other bytes) never
    reuses a nonce under the file key; the file still decrypts."""
    out = io.BytesIO()
    first = SealedWriter(out, KEY, chunk_size=CHUNK)
    first.write(b"a" * (CHUNK + 10))  # chunk 0 sealed, 10 bytes pending
    header, start, pending = first.header, out.tell(), first.pending
    nonces = streamcrypt.chunk_nonces(out)
    out.seek(start)
    rolled_back = SealedWriter(out, KEY, header=header, chunks_written=1, pending=pending)
    rolled_back.write(b"X" * CHUNK)  # chunk 1 sealed ...
    nonces += streamcrypt.chunk_nonces(out)[1:]
    out.truncate(start)  # ... and rolled back (a checksum mismatch)
    out.seek(start)
    retry = SealedWriter(out, KEY, header=header, chunks_written=1, pending=pending)
    retry.write(b"b" * CHUNK)
    retry.finish()
    stored = streamcrypt.chunk_nonces(out)
    nonces += stored[1:]
    assert len(stored) == 3
    assert len(nonces) == 4  # chunk 0, the rolled-back chunk 1, the retried chunk 1, chunk 2
    assert len(set(nonces)) == 4
    assert [n[-4:] for n in stored] == [i.to_bytes(4, "big") for i in range(3)]
    data = b"a" * (CHUNK + 10) + b"b" * CHUNK
    assert unseal(out.getvalue(), len(data)) == data
