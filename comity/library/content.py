"""A library file: checked by content (the file exchange's `sniff`), its text extracted, stored encrypted.

Accepted: PDF, DOCX and UTF-8 plain text, decided by `comity.files.sniff` exactly as for the file exchange, and
HTML, which the file exchange refuses (a page runs in a browser): here an HTML file is accepted when its name ends
in .html or .htm and its content is UTF-8 markup, and it is only ever offered as a download (attachment, sandboxed
by its Content-Security-Policy, never rendered in the site's origin). Its text is taken with the standard
library's html.parser (scripts and styles dropped, every tag stripped).

Files are small (COMITY_LIBRARY_MAX_BYTES, default 20 MiB), so the checks and the extraction work on the bytes in
memory. The stored copy is encrypted with `files.streamcrypt` under a key per file, wrapped by the master key
(`files.storage`), in `<file root>/library/`.
"""

from __future__ import annotations

import io
import logging
import re
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
    path = storage.object_path(storage_name)  # checks the name
    return storage.file_root() / "library" / path.parent.name / path.name


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    wrapped_key: str
    key_fingerprint: str
    path: Path


def store(data: bytes) -> StoredFile:
    """Encrypt the bytes to a new file under a new key (the caller removes it if its transaction fails)."""
    key, wrapped, fingerprint = storage.new_file_key()
    name = storage.new_name()
    path = library_path(name)
    with storage.create_private(path) as handle:
        writer = streamcrypt.SealedWriter(handle, key)
        writer.write(data)
        writer.finish()
    return StoredFile(storage_name=name, wrapped_key=wrapped, key_fingerprint=fingerprint, path=path)


def remove(storage_name: str) -> None:
    if storage_name:
        storage.remove(library_path(storage_name))


class Unreadable(Exception):
    """The stored file is missing, or its key or bytes fail verification."""


def open_plaintext(*, storage_name: str, wrapped_key: str, key_fingerprint: str, size: int) -> Iterator[bytes]:
    """The plaintext as verified chunks. The first chunk is verified before this returns (else Unreadable)."""
    try:
        key = storage.unwrap(wrapped_key, key_fingerprint)
        handle = open(library_path(storage_name), "rb")  # noqa: SIM115 - closed by the stream
    except (storage.KeyUnavailable, OSError, ValueError) as exc:
        raise Unreadable(str(exc) or exc.__class__.__name__) from exc
    chunks = streamcrypt.iter_plaintext(handle, key, size)
    try:
        first = next(chunks)
    except (streamcrypt.IntegrityError, StopIteration) as exc:
        handle.close()
        raise Unreadable(str(exc)) from exc

    def stream() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            handle.close()

    return stream()
