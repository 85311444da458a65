"""Uploads in one request (the no-JavaScript form, demo data, scripts), encrypted as they stream in."""

from __future__ import annotations

import os
from collections.abc import Iterable

from comity.files import sniff, storage, streamcrypt
from comity.files.models import Attachment
from comity.files.services._common import READ_SIZE, _check_space_and_post, _too_large_message
from comity.files.services.errors import FileTooLarge
from comity.files.services.finalize import _finalize


class SealedTemp:
    """A file encrypted to a temporary file as it streams in, checked against the allow-list as soon as its
    first bytes arrive. `close()` removes whatever was not turned into an attachment."""

    def __init__(self, *, max_bytes: int | None = None) -> None:
        self.key, self.wrapped_key, self.key_fingerprint = storage.new_file_key()
        self.temp_name = storage.new_name()
        self.path = storage.part_path(self.temp_name)
        self.max_bytes = storage.max_upload_bytes() if max_bytes is None else max_bytes
        self._handle = storage.create_private(self.path)
        self._writer = streamcrypt.SealedWriter(self._handle, self.key)
        self.inspector = sniff.Inspector()
        self.head_checked = False
        self.finished = False

    @property
    def size(self) -> int:
        return self.inspector.size

    def write(self, data: bytes) -> None:
        if self.inspector.size + len(data) > self.max_bytes:
            raise FileTooLarge(_too_large_message(self.max_bytes))
        self._writer.write(data)
        self.inspector.feed(data)
        if not self.head_checked and self.inspector.head_ready:
            sniff.check_head(self.inspector.head)
            self.head_checked = True

    def finish(self) -> None:
        if not self.head_checked:
            sniff.check_head(self.inspector.head, complete=True)
            self.head_checked = True
        self._writer.finish()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self.finished = True

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        storage.remove(self.path)


def attachment_create_from_sealed(*, actor, space, filename: str, sealed: SealedTemp, post=None) -> Attachment:
    """Turn a finished SealedTemp into an attachment; the temporary file is gone afterwards either way."""
    try:
        _check_space_and_post(actor=actor, space=space, post=post)
        if not sealed.finished:
            sealed.finish()
        return _finalize(
            actor=actor,
            space=space,
            post=post,
            filename=sniff.sanitize_filename(filename),
            sealed_path=sealed.path,
            key=sealed.key,
            wrapped_key=sealed.wrapped_key,
            key_fingerprint=sealed.key_fingerprint,
            inspector=sealed.inspector,
        )
    finally:
        sealed.close()


def attachment_create(*, actor, space, filename: str, content: Iterable[bytes] | object, post=None) -> Attachment:
    """Store a file given as an iterable of byte strings or a binary stream (`read(n)`)."""
    _check_space_and_post(actor=actor, space=space, post=post)
    sealed = SealedTemp()
    try:
        if hasattr(content, "read"):
            while data := content.read(READ_SIZE):
                sealed.write(data)
        else:
            for data in content:  # type: ignore[attr-defined]
                sealed.write(data)
    except BaseException:
        sealed.close()
        raise
    return attachment_create_from_sealed(actor=actor, space=space, post=post, filename=filename, sealed=sealed)
