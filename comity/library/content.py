"""A library file: checked by content (the file exchange's `sniff`), its text extracted, stored encrypted.

Accepted: PDF, DOCX and UTF-8 plain text, decided by `comity.files.sniff` exactly as for the file exchange, and
HTML, which the file exchange refuses (a page runs in a browser): here an HTML file is accepted when its name ends
in .html or .htm and its content is UTF-8 markup, and it is only ever offered as a download (attachment, sandboxed
by its Content-Security-Policy, never rendered in the site's origin). Its text is taken with the standard
library's html.parser (scripts and styles dropped, every tag stripped).

Files are small (COMITY_LIBRARY_MAX_BYTES, default 20 MiB), so the checks and the extraction work on the bytes in
memory. The stored copy is encrypted with `files.streamcrypt` under a key per file, wrapped by the master key
(`files.storage`), in the files app's store (`storage.library_objects()`): `<file root>/library/` by default, or
the S3-compatible bucket when COMITY_FILE_STORE is "s3" (several application hosts). To the bucket the file is
sealed to a private scratch file and sent by multipart upload; it is read back as a stream.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from comity.files import sniff, storage, streamcrypt

logger = logging.getLogger("comity.library")

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 2_000
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
HTML_EXTENSIONS = ("html", "htm")
ACCEPTED_TYPES = (sniff.PDF, sniff.DOCX, sniff.TEXT)
_HTML_TAG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|p|div|h[1-6]|table|ul|ol|section|article|main|span|br)(?:[\s>/]|$)",
    re.IGNORECASE,
)

Rejected = sniff.Rejected


def max_bytes() -> int:
    return int(getattr(settings, "COMITY_LIBRARY_MAX_BYTES", DEFAULT_MAX_BYTES))


def accepted_label() -> str:
    return "PDF, DOCX, HTML, " + str(sniff.TEXT.label)


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    code: str  # "pdf", "docx", "html" or "text"
    data: bytes


def _too_large() -> Rejected:
    limit = max_bytes()
    return Rejected(
        _("The file is larger than the limit of %(limit)s MiB.") % {"limit": f"{limit / 1024**2:,.0f}"},
        code="too_large",
    )


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file (a Django UploadedFile or any binary stream), refused past the size limit."""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > max_bytes():
        raise _too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _too_large()
    return data


def _check_html(data: bytes, filename: str) -> CheckedFile:
    """An HTML page: UTF-8 text that starts with markup. The file exchange's `check_head` refuses markup, so its
    refusal of a file that starts with "<" is the expected one here; any other refusal (a program, binary data, a
    PDF or ZIP under an .html name) stands."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    starts_with_markup = body.lstrip().startswith(b"<")
    family: str | None = None
    try:
        family = sniff.check_head(data[: sniff.HEAD_BYTES], complete=len(data) <= sniff.HEAD_BYTES)
    except Rejected:
        if not starts_with_markup:
            raise
    if family is not None and family != "text":
        label = sniff.PDF.label if family == "pdf" else _("an archive or Office document")
        if family not in ("pdf", "zip"):
            label = family.upper()
        raise Rejected(
            _("The name ends in .%(ext)s but the content is %(type)s. Rename the file or choose the right one.")
            % {"ext": sniff.extension_of(filename), "type": str(label)},
            code="extension_mismatch",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            _("This text file is not valid UTF-8 (or contains binary data). Save it as UTF-8 and try again."),
            code="not_utf8",
        ) from exc
    if "\x00" in text or not starts_with_markup or not _HTML_TAG.search(body):
        raise Rejected(_("This file ends in .html but does not contain a web page."), code="not_html")
    return CheckedFile(filename=filename, content_type=HTML_CONTENT_TYPE, code="html", data=data)


def check(data: bytes, filename: str) -> CheckedFile:
    """The accepted type of the file, or Rejected with a message naming the problem."""
    filename = sniff.sanitize_filename(filename or "")
    if not data:
        raise Rejected(_("The file is empty."), code="empty")
    if len(data) > max_bytes():
        raise _too_large()
    if sniff.extension_of(filename) in HTML_EXTENSIONS:
        return _check_html(data, filename)
    inspector = sniff.Inspector()
    inspector.feed(data)
    file_type, name = sniff.classify(inspector, filename, lambda: io.BytesIO(data))
    if file_type not in ACCEPTED_TYPES:
        raise Rejected(
            _("The library accepts %(accepted)s documents; this file is %(type)s.")
            % {"accepted": accepted_label(), "type": str(file_type.label)},
            code="type_not_allowed",
        )
    return CheckedFile(filename=name, content_type=file_type.content_type, code=file_type.code, data=data)


# --- text extraction ----------------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    return "\n".join((page.extract_text() or "") for page in list(reader.pages)[:MAX_PDF_PAGES])


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "svg", "math"})
_BREAKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "dt",
        "dd",
        "hr",
        "title",
    }
)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag in _BREAKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAKS and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML page: scripts, styles and the head dropped, tags stripped, entities decoded, a
    line break at each block (stdlib html.parser, which never fails on bad markup)."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def _plain(data: bytes) -> str:
    return data.decode("utf-8-sig")


def extract_text(checked: CheckedFile) -> tuple[str, str]:
    """(text, note): the text for search, and a note for the reader when there is none or it was cut.

    A file whose text cannot be read is still stored: it gets an empty text and a note, never an error page.
    """
    readers = {"pdf": _pdf_text, "docx": _docx_text, "html": lambda data: html_text(_plain(data)), "text": _plain}
    try:
        text = readers[checked.code](checked.data)
    except Exception:  # pypdf and python-docx raise many kinds of errors on damaged files
        logger.info("library: no text from %s", checked.filename, exc_info=True)
        return "", _("The text of this file could not be read (damaged or protected), so it is not searchable.")
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\x00", " "))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    if not text:
        return "", _("No text was found in this file (a scanned image?), so it is not searchable.")
    if len(text) > MAX_TEXT_CHARS:
        return text[:MAX_TEXT_CHARS], _("Only the beginning of this long file is searchable.")
    return text, ""


# --- storage ------------------------------------------------------------------------------------------------------


def library_path(storage_name: str) -> Path:
    """Where a document lives under a local file root (checks the name); the bucket keeps it as library/<name>."""
    return storage.library_object_path(storage_name)


def _uses_bucket() -> bool:
    return not isinstance(storage.library_objects(), storage.LocalLibraryObjects)


def _store_errors() -> tuple[type[BaseException], ...]:
    """What reading or deleting in the bucket may raise besides OSError (none with the local store)."""
    if not _uses_bucket():
        return ()
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    wrapped_key: str
    key_fingerprint: str
    path: Path | None  # the local file; None when the document went to the bucket


def _seal(handle, key: bytes, data: bytes) -> None:
    writer = streamcrypt.SealedWriter(handle, key)
    writer.write(data)
    writer.finish()


def store(data: bytes) -> StoredFile:
    """Encrypt the bytes to a new file under a new key (the caller removes it if its transaction fails)."""
    key, wrapped, fingerprint = storage.new_file_key()
    name = storage.new_name()
    objects = storage.library_objects()
    if isinstance(objects, storage.LocalLibraryObjects):
        path = library_path(name)
        with storage.create_private(path) as handle:
            _seal(handle, key, data)
        return StoredFile(storage_name=name, wrapped_key=wrapped, key_fingerprint=fingerprint, path=path)
    fd, scratch = tempfile.mkstemp(prefix="comity-library-", suffix=".sealed")  # 0600, removed by put()
    scratch_path = Path(scratch)
    try:
        with os.fdopen(fd, "wb") as handle:
            _seal(handle, key, data)
        objects.put(scratch_path, name)  # multipart upload from the scratch file, never whole in memory
    finally:
        storage.remove(scratch_path)
    return StoredFile(storage_name=name, wrapped_key=wrapped, key_fingerprint=fingerprint, path=None)


def remove(storage_name: str) -> None:
    """Delete a stored document. A failure of the bucket is logged, not raised (this runs after a commit): the
    object is then an orphan, which `files_verify` does not need and an operator may delete."""
    if not storage_name:
        return
    try:
        storage.library_objects().delete(storage_name)
    except _store_errors():
        logger.warning("library: stored file %s could not be deleted from the bucket", storage_name, exc_info=True)


class Unreadable(Exception):
    """The stored file is missing, or its key or bytes fail verification."""


def open_stored(storage_name: str):
    """The stored (encrypted) bytes as a binary stream, from the local file root or the bucket; the caller closes
    it. Raises FileNotFoundError when it is missing."""
    return storage.library_objects().open(storage_name)


def open_plaintext(*, storage_name: str, wrapped_key: str, key_fingerprint: str, size: int) -> Iterator[bytes]:
    """The plaintext as verified chunks. The first chunk is verified before this returns (else Unreadable)."""
    try:
        key = storage.unwrap(wrapped_key, key_fingerprint)
        handle = open_stored(storage_name)
    except (storage.KeyUnavailable, OSError, ValueError, *_store_errors()) as exc:
        raise Unreadable(str(exc) or exc.__class__.__name__) from exc
    chunks = streamcrypt.iter_plaintext(handle, key, size)
    try:
        first = next(chunks)
    except (streamcrypt.IntegrityError, StopIteration, *_store_errors()) as exc:
        handle.close()
        raise Unreadable(str(exc) or exc.__class__.__name__) from exc

    def stream() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            handle.close()

    return stream()


def stored_text(
    *, storage_name: str, wrapped_key: str, key_fingerprint: str, size: int, filename: str
) -> tuple[str, str]:
    """(text, note) extracted again from the stored file, read back as a stream (e.g. after the extraction rules
    change). The plaintext is at most `max_bytes()`, the limit every stored file was checked against."""
    buffer = io.BytesIO()
    for chunk in open_plaintext(
        storage_name=storage_name, wrapped_key=wrapped_key, key_fingerprint=key_fingerprint, size=size
    ):
        buffer.write(chunk)
    return extract_text(check(buffer.getvalue(), filename))
