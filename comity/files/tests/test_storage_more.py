"""More of the object stores (local and S3-compatible, against moto's server), the shared state of uploads in
progress, and the per-file keys."""

from __future__ import annotations

import io
import os

import pytest

from comity.core import crypto
from comity.files import storage, streamcrypt
from comity.files.tests.test_locks_and_objects import s3_server, s3_store  # noqa: F401 - fixtures

NAME_A = "aa" + "1" * 38
NAME_B = "ab" + "2" * 38
NAME_C = "bb" + "3" * 38


def _put(store, tmp_path, name: str, data: bytes) -> None:
    source = tmp_path / f"src-{name}"
    source.write_bytes(data)
    store.put(source, name)
    assert not source.exists()


def test_names_are_checked():
    for bad in ("", "../" + "a" * 37, "A" * 40, "a" * 39):
        with pytest.raises(ValueError, match="invalid storage name"):
            storage.object_path(bad)
    assert len(storage.new_name()) == 40 and storage.new_name() != storage.new_name()


def test_settings_have_defaults_and_can_be_changed(settings):
    assert storage.max_upload_bytes() == 2 * 1024**3
    assert storage.refuse_active_content() is False
    assert storage.upload_expiry_hours() == 72
    settings.COMITY_MAX_UPLOAD_BYTES = "10"
    settings.COMITY_FILES_REFUSE_ACTIVE_CONTENT = 1
    settings.COMITY_UPLOAD_EXPIRY_HOURS = "5"
    assert (storage.max_upload_bytes(), storage.refuse_active_content(), storage.upload_expiry_hours()) == (
        10,
        True,
        5,
    )
    settings.COMITY_FILE_ROOT = None
    assert storage.file_root() == storage.Path(settings.MEDIA_ROOT) / "files"


def test_local_objects_are_listed_in_batches_ignoring_strays(tmp_path, file_root):
    store = storage.objects()
    assert isinstance(store, storage.LocalObjects)
    assert list(store.iter_batches()) == []  # no objects directory yet
    for name in (NAME_A, NAME_B, NAME_C):
        _put(store, tmp_path, name, name.encode())
    objects = file_root / "objects"
    (objects / "stray-file").write_bytes(b"x")  # not a directory
    (objects / "aa" / "not-an-object").write_bytes(b"x")
    (objects / "aa" / NAME_C).write_bytes(b"x")  # in the wrong directory
    batches = list(store.iter_batches(batch_size=2))
    assert [len(batch) for batch in batches] == [2, 1]
    assert sorted(item.name for batch in batches for item in batch) == sorted([NAME_A, NAME_B, NAME_C])
    paths = [path for batch in storage.iter_object_batches(batch_size=2) for path in batch]
    assert sorted(paths) == sorted(storage.object_path(name) for name in (NAME_A, NAME_B, NAME_C))
    with store.open(NAME_B) as handle:
        assert handle.read() == NAME_B.encode()
    store.delete(NAME_B)
    store.delete(NAME_B)  # already gone: no error
    assert not store.exists(NAME_B) and store.exists(NAME_A)
    assert store.check() == (True, "local")


def test_local_library_objects_live_apart_from_attachments(tmp_path, file_root):
    store = storage.library_objects()
    assert isinstance(store, storage.LocalLibraryObjects)
    assert list(store.iter_batches()) == []
    _put(store, tmp_path, NAME_A, b"law")
    _put(store, tmp_path, NAME_B, b"treaty")
    (file_root / "library" / "readme").write_bytes(b"x")
    (file_root / "library" / "aa" / "junk").write_bytes(b"x")
    assert storage.library_object_path(NAME_A).read_bytes() == b"law"
    assert not storage.object_path(NAME_A).exists()
    assert list(storage.objects().iter_batches()) == []
    assert [len(batch) for batch in store.iter_batches(batch_size=1)] == [1, 1]
    with store.open(NAME_B) as handle:
        assert handle.read() == b"treaty"
    store.delete(NAME_A)
    assert not store.exists(NAME_A) and store.exists(NAME_B)


def test_a_local_store_shares_no_uploads(file_root):
    assert storage.shared_uploads() is None
    name = storage.new_name()
    storage.start_upload_file(name)
    storage.upload_sync_in(name)  # nothing to do with one host
    storage.write_tail(name, b"tail")
    storage.remove_upload_files(name)
    assert not storage.part_path(name).exists() and not storage.tail_path(name).exists()


def test_read_state_repairs_a_half_written_chunk_and_ignores_a_stale_tail(file_root):
    name = storage.new_name()
    storage.start_upload_file(name)
    part = storage.part_path(name)
    layout = streamcrypt.parse_layout(part.read_bytes()[: streamcrypt.HEADER_SIZE])
    with open(part, "ab") as handle:
        handle.write(b"\0" * (layout.block_size + 10))  # one whole chunk and a piece of the next
    state = storage.read_state(name)
    assert (state.chunks, state.tail_length, state.tail_current) == (1, 0, False)
    assert part.stat().st_size == streamcrypt.HEADER_SIZE + layout.block_size + 10  # not repaired unasked
    state = storage.read_state(name, repair=True)
    assert part.stat().st_size == streamcrypt.HEADER_SIZE + layout.block_size
    assert state.offset == layout.chunk_size
    storage.write_tail(name, streamcrypt.TAIL_HEADER.pack(streamcrypt.TAIL_MAGIC, 0, 7) + b"x" * 40)
    assert storage.read_state(name).tail_current is False  # written when there were no chunks yet
    storage.write_tail(name, streamcrypt.TAIL_HEADER.pack(streamcrypt.TAIL_MAGIC, 1, 7) + b"x" * 40)
    state = storage.read_state(name)
    assert (state.tail_current, state.tail_length, state.offset) == (True, 7, layout.chunk_size + 7)
    storage.write_tail(name, b"garbage")
    assert storage.read_state(name).tail_current is False


def test_keys_unwrap_only_with_their_master_key_and_intact():
    key, wrapped, fingerprint = storage.new_file_key()
    assert storage.unwrap(wrapped, fingerprint) == key
    assert fingerprint == storage.fingerprint(crypto.master_key())
    with pytest.raises(storage.KeyUnavailable, match="wrapped by master key 0000"):
        storage.unwrap(wrapped, "0000")
    other = crypto.wrap_key(key, os.urandom(32))
    with pytest.raises(storage.KeyUnavailable, match="integrity check"):
        storage.unwrap(other, fingerprint)


def test_window_reads_only_its_length():
    window = storage._Window(io.BytesIO(b"0123456789"), 6)
    assert window.read(4) == b"0123"
    assert window.read(None) == b"45"
    assert window.read() == b""


def test_s3_library_objects_and_store_are_reused(s3_store, tmp_path, settings):  # noqa: F811
    assert storage.objects() is s3_store
    library = storage.library_objects()
    assert isinstance(library, storage.S3LibraryObjects) and storage.library_objects() is library
    _put(library, tmp_path, NAME_A, b"law")
    _put(library, tmp_path, NAME_B, b"treaty")
    _put(s3_store, tmp_path, NAME_C, b"attachment")
    keys = sorted(item["Key"] for item in library.client.list_objects_v2(Bucket=library.bucket)["Contents"])
    assert keys == [f"t/library/{NAME_A}", f"t/library/{NAME_B}", f"t/objects/{NAME_C}"]
    batches = list(library.iter_batches(batch_size=1))
    assert [[item.name for item in batch] for batch in batches] == [[NAME_A], [NAME_B]]
    assert [[item.name for item in batch] for batch in s3_store.iter_batches(batch_size=1)] == [[NAME_C]]
    with library.open(NAME_B) as handle:
        assert handle.read() == b"treaty"
    assert not s3_store.exists(NAME_A)  # the attachment area does not see library documents
    library.delete(NAME_A)
    assert not library.exists(NAME_A)


def test_s3_upload_segments_tail_and_cleanup(s3_store, tmp_path, file_root):  # noqa: F811
    name = storage.new_name()
    assert storage.shared_uploads() is s3_store
    storage.start_upload_file(name)
    header = storage.part_path(name).read_bytes()
    assert s3_store.segments(name) == [(0, len(header), f"t/uploads/{name}/part/{0:015d}")]
    assert s3_store.get_tail(name) is None
    with open(storage.part_path(name), "ab") as handle:
        handle.write(b"A" * 100)
    storage.write_tail(name, b"tail-1")
    storage.upload_sync_out(name, len(header))
    assert [(offset, size) for offset, size, _ in s3_store.segments(name)] == [(0, len(header)), (len(header), 100)]
    assert s3_store.get_tail(name) == b"tail-1"

    # Another host: nothing local yet; it rebuilds the .part and .tail from the shared copy.
    storage.remove(storage.part_path(name), storage.tail_path(name))
    storage.upload_sync_in(name)
    assert storage.part_path(name).read_bytes() == header + b"A" * 100
    assert storage.tail_path(name).read_bytes() == b"tail-1"

    # The tail went into a chunk: the shared tail is deleted and so is this host's.
    storage.tail_path(name).unlink()
    storage.upload_sync_out(name, len(header) + 100)  # no new bytes: no new segment
    assert len(s3_store.segments(name)) == 2 and s3_store.get_tail(name) is None
    storage.write_tail(name, b"stale")
    storage.upload_sync_in(name)
    assert not storage.tail_path(name).exists()

    storage.remove_upload_files(name)
    assert s3_store.segments(name) == [] and not storage.part_path(name).exists()
    storage.remove_upload_files(name)  # twice: nothing left, no error


def test_s3_upload_with_a_missing_segment_is_refused(s3_store, file_root):  # noqa: F811
    name = storage.new_name()
    storage.start_upload_file(name)
    size = storage.part_path(name).stat().st_size
    with open(storage.part_path(name), "ab") as handle:
        handle.write(b"B" * 50)
    storage.upload_sync_out(name, size)
    [(_, _, first), _] = s3_store.segments(name)
    s3_store.client.delete_object(Bucket=s3_store.bucket, Key=first)
    storage.remove(storage.part_path(name))
    with pytest.raises(FileNotFoundError, match=f"upload {name}: a shared segment is missing at 0"):
        storage.upload_sync_in(name)
