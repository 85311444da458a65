"""What a file is, decided by its content against an allow-list; the filename's extension must agree.

Accepted: PDF, PNG, JPEG, TIFF, Word/Excel/PowerPoint (DOCX, XLSX, PPTX without macros), OpenDocument
text and spreadsheet (ODT, ODS), and UTF-8 plain text or CSV. Everything else is refused, notably
executables, scripts, HTML, SVG and XML (they run in a browser or a shell), legacy binary Office files
and macro-enabled documents (macros), and generic ZIP archives (their content cannot be checked; send the
files one by one). See docs/files-protocol.md.

Two stages: `check_head` looks at the first bytes as soon as they arrive, so a refused file is stopped
early; `classify` decides when the whole file is there (a ZIP-based document is opened through its
central directory, and a text file must be valid UTF-8 from its first to its last byte).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 4096
MAX_FILENAME = 200
logger = logging.getLogger("comity.files")


@dataclass(frozen=True)
class FileType:
    code: str
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("pdf", "application/pdf", ("pdf",), "PDF")
PNG = FileType("png", "image/png", ("png",), "PNG")
JPEG = FileType("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG")
TIFF = FileType("tiff", "image/tiff", ("tif", "tiff"), "TIFF")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
    gettext_lazy("Word (DOCX)"),
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), gettext_lazy("Excel (XLSX)")
)
PPTX = FileType(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
    gettext_lazy("PowerPoint (PPTX)"),
)
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", ("odt",), gettext_lazy("OpenDocument text (ODT)"))
ODS = FileType(
    "ods", "application/vnd.oasis.opendocument.spreadsheet", ("ods",), gettext_lazy("OpenDocument spreadsheet (ODS)")
)
TEXT = FileType("text", "text/plain; charset=utf-8", ("txt",), gettext_lazy("plain text"))
CSV = FileType("csv", "text/csv; charset=utf-8", ("csv",), "CSV")

ALLOWED = (PDF, PNG, JPEG, TIFF, DOCX, XLSX, PPTX, ODT, ODS, TEXT, CSV)
ALLOWED_EXTENSIONS = tuple(sorted({ext for t in ALLOWED for ext in t.extensions}))

_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_ODF_MIMETYPES = {ODT.content_type: ODT, ODS.content_type: ODS}

# Signatures of refused content, to say what the file looked like.
_REFUSED_SIGNATURES = (
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a Linux program")),
    (b"\xcf\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xce\xfa\xed\xfe", gettext_lazy("a macOS program")),
    (b"\xca\xfe\xba\xbe", gettext_lazy("a macOS or Java program")),
    (b"#!", gettext_lazy("a script")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_lazy("a legacy Office file (DOC, XLS or PPT)")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"{\\rtf", gettext_lazy("an RTF document")),
    (b"dex\n", gettext_lazy("an Android program")),
    (b"\x00asm", gettext_lazy("a WebAssembly program")),
)

# WHATWG MIME Sniffing, "identifying a resource with an unknown MIME type": the text patterns that make a
# browser treat bytes as HTML, plus XML and SVG.
_MARKUP = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html|<head|<script|<iframe|<h1|<div|<font|<table|<a|<style|<title|<b|<body|"
    rb"<br|<p|<!--|<\?xml|<svg)(?:[\s>/]|$)",
    re.IGNORECASE,
)
_ZIP = (b"PK\x03\x04",)
_SAFE_CONTROLS = {9, 10, 12, 13}


# --- active content: flagged to everyone who downloads the file (or refused, COMITY_FILES_REFUSE_ACTIVE_CONTENT) ---


def _pdf_name(name: str) -> bytes:
    """A PDF name as it may be written: any character may be spelled #xx (PDF 1.7, 7.3.5), "/J#61vaScript"."""
    parts = []
    for char in name:
        high, low = f"{ord(char):02x}"
        parts.append(f"(?:{re.escape(char)}|#{high}[{low.lower()}{low.upper()}])")
    return "".join(parts).encode()


# PDF actions that run something: a JavaScript action (its type /S /JavaScript is required, in an OpenAction,
# an annotation, a form field; the document-level scripts sit in the /JavaScript name tree) and /Launch (opens
# another file or program). A name ends at a delimiter. The /JS key alone is not matched: three letters occur
# by chance in compressed stream data (about once per 200 MiB), eleven do not.
_PDF_ACTIVE = re.compile(
    rb"/(?:(?P<javascript>"
    + _pdf_name("JavaScript")
    + rb")|(?P<launch>"
    + _pdf_name("Launch")
    + rb")|(?P<objstm>"
    + _pdf_name("ObjStm")
    + rb"))(?![^\s()<>\[\]{}/%])"
)
_OBJSTM = "objstm"  # not a code: says that some dictionaries are compressed, out of sight of the byte scan
# Markup that makes a browser run or embed something, anywhere in the file: a file that carries it is also a
# web page (a polyglot) for a browser or a viewer that sniffs. Two separate patterns: each one starts with a
# literal character, which the regular expression engine finds fast (hundreds of MB/s).
# "<svg" only with an attribute that makes it live (four letters also occur by chance in compressed data).
_HTML_ACTIVE = re.compile(
    rb"<(?:(?:script|html|body|iframe|object|embed)(?=[\s>/])|svg\s+(?:on|xmlns)|!doctype\s+html)", re.IGNORECASE
)
_CARRY = 64  # bytes kept between two pieces, so that a token split across them is still found
# Viewers accept a PDF whose "%PDF-" header starts anywhere in its first 1024 bytes.
_PDF_HEADER_WINDOW = 1024

ACTIVE_JAVASCRIPT = "javascript"
ACTIVE_LAUNCH = "launch"
ACTIVE_HTML = "html"
ACTIVE_CONTENT_LABELS = {
    ACTIVE_JAVASCRIPT: gettext_lazy("JavaScript in a PDF"),
    ACTIVE_LAUNCH: gettext_lazy("an action in a PDF that launches another file or program"),
    ACTIVE_HTML: gettext_lazy("web page markup (the file is also an HTML page)"),
}


def active_content_label(codes) -> str:
    return ", ".join(str(ACTIVE_CONTENT_LABELS[code]) for code in codes if code in ACTIVE_CONTENT_LABELS)


class ActiveContentScanner:
    """Fed the plaintext in order; `codes` says what it carries that could run when the file is opened."""

    def __init__(self) -> None:
        self._carry = b""
        self._html = False
        self._pdf_hits: set[str] = set()
        self.maybe_pdf = True  # set to False once the head shows it is not a PDF (halves the cost of text)

    def feed(self, data: bytes) -> None:
        window = self._carry + data if self._carry else data
        if not self._html and _HTML_ACTIVE.search(window):
            self._html = True
        if self.maybe_pdf and len(self._pdf_hits) < 3:
            for match in _PDF_ACTIVE.finditer(window):
                self._pdf_hits.add(match.lastgroup or "")
        self._carry = window[-_CARRY:]

    def feed_pdf_objects(self, data: bytes) -> None:
        """Decoded PDF object streams, where dictionaries (and their actions) may be compressed."""
        for match in _PDF_ACTIVE.finditer(data):
            self._pdf_hits.add(match.lastgroup or "")

    @property
    def has_object_streams(self) -> bool:
        return _OBJSTM in self._pdf_hits

    @property
    def complete(self) -> bool:
        """Both PDF actions found already: decoding the object streams could add nothing."""
        return {ACTIVE_JAVASCRIPT, ACTIVE_LAUNCH} <= self._pdf_hits

    def codes(self, *, is_pdf: bool) -> list[str]:
        found = (self._pdf_hits - {_OBJSTM}) if is_pdf else set()
        if self._html:
            found.add(ACTIVE_HTML)
        return sorted(found)


def is_pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:_PDF_HEADER_WINDOW]


MAX_PDF_OBJECT_STREAMS = 10_000
MAX_PDF_OBJECT_BYTES = 256 * 1024 * 1024  # decoded, in all; pypdf also caps each stream's decompression
# pypdf repairs a damaged cross-reference table by reading the whole file into memory: only up to this size.
PDF_REPAIR_LIMIT = 64 * 1024 * 1024


def scan_pdf_object_streams(plaintext, scanner: ActiveContentScanner, *, size: int) -> None:
    """Decode the PDF's object streams (PDF 1.5+ packs dictionaries into compressed streams, out of sight of
    the byte scan) and scan them too. A PDF that pypdf cannot parse keeps what the byte scan found."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf looks for %%EOF backwards through the whole file when it is not near the end (minutes for 2 GiB);
    # viewers expect it in the last 1,024 bytes too.
    plaintext.seek(max(0, size - 1024))
    if b"%%EOF" not in plaintext.read(1024):
        logger.info("PDF object streams not scanned: no %%EOF near the end")
        return
    plaintext.seek(0)
    try:
        reader = PdfReader(plaintext, strict=size > PDF_REPAIR_LIMIT)
        streams = sorted({stream for stream, _index in getattr(reader, "xref_objStm", {}).values()})
        budget = MAX_PDF_OBJECT_BYTES
        for number in streams[:MAX_PDF_OBJECT_STREAMS]:
            stream = reader.get_object(number)
            if stream is not None and hasattr(stream, "get_data"):
                data = stream.get_data()
                scanner.feed_pdf_objects(data)
                budget -= len(data)
                if budget <= 0 or scanner.complete:
                    break
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        logger.info("PDF object streams not scanned: %s", exc)


class Rejected(Exception):
    """A file that is not accepted; `message` says why in the user's language."""

    def __init__(self, message: str, code: str = "type_not_allowed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def accepted_list() -> str:
    return ", ".join(str(t.label) for t in ALLOWED)


def _not_accepted(what: str | None = None) -> Rejected:
    if what:
        return Rejected(
            _("This file looks like %(what)s, which cannot be shared here. Accepted: %(accepted)s.")
            % {"what": what, "accepted": accepted_list()}
        )
    return Rejected(
        _("This kind of file cannot be shared here. Accepted: %(accepted)s.") % {"accepted": accepted_list()}
    )


def _not_utf8() -> Rejected:
    return Rejected(
        _("This text file is not valid UTF-8 (or contains binary data). Save it as UTF-8 and try again."),
        code="not_utf8",
    )


# --- filenames ---------------------------------------------------------------------------------------------------

_RESERVED_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def sanitize_filename(name: str) -> str:
    """A filename safe to show and to offer for download: no path, no control or bidi-override characters,
    no characters Windows refuses, at most 200 characters keeping the extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.lower() in _RESERVED_NAMES:
        stem = "_" + stem
    ext = ext[:16]
    stem = stem[: MAX_FILENAME - len(ext) - 1].rstrip(" .") or "file"
    return f"{stem}.{ext}" if ext else stem


def extension_of(filename: str) -> str:
    _stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and _stem else ""


# --- stage 1: the first bytes -----------------------------------------------------------------------------------


def _refused_signature(head: bytes) -> str | None:
    for signature, what in _REFUSED_SIGNATURES:
        if head.startswith(signature):
            return what
    return None


def _looks_like_text(head: bytes, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return not any(ord(ch) < 32 and ord(ch) not in _SAFE_CONTROLS for ch in text)


def check_head(head: bytes, *, complete: bool = False) -> str:
    """The family of a file from its first bytes ("pdf", "png", "jpeg", "tiff", "zip" or "text"), or Rejected.

    `complete` says whether `head` is the whole file (a text file may then end anywhere)."""
    if not head:
        raise Rejected(_("The file is empty."), code="empty")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.startswith(_ZIP):
        return "zip"
    what = _refused_signature(head)
    if what:
        raise _not_accepted(str(what))
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if _MARKUP.match(body):
        raise _not_accepted(_("a web page or markup (HTML, SVG or XML)"))
    if _looks_like_text(body, complete):
        return "text"
    if not any(byte < 32 and byte not in _SAFE_CONTROLS for byte in body):
        raise _not_utf8()  # text in another encoding (Latin-1, Windows-1252, ...)
    raise _not_accepted()


# --- stage 2: the whole file ------------------------------------------------------------------------------------


class Inspector:
    """Fed the plaintext in order: its SHA-256, size, first bytes, and whether it is all valid UTF-8 text."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.head = b""
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.is_utf8 = True
        self.active = ActiveContentScanner()

    def feed(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
            if len(self.head) >= _PDF_HEADER_WINDOW:
                self.active.maybe_pdf = is_pdf(self.head)
        self.active.feed(data)
        if self.is_utf8:
            try:
                self._decoder.decode(data)
            except UnicodeDecodeError:
                self.is_utf8 = False
            else:
                if b"\x00" in data:
                    self.is_utf8 = False

    def close(self) -> None:
        if self.is_utf8:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.is_utf8 = False

    @property
    def head_ready(self) -> bool:
        return len(self.head) >= HEAD_BYTES


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with archive.open(name) as member:
        return member.read(limit)


MAX_ZIP_ENTRIES = 20_000
_EOCD = b"PK\x05\x06"


def _zip_entry_count(plaintext) -> int | None:
    """The entry count of the end-of-central-directory record, read before zipfile builds its directory in
    memory (a ZIP with millions of tiny entries would exhaust it). None when there is no such record."""
    plaintext.seek(0, 2)
    size = plaintext.tell()
    window = min(size, 22 + 65535)
    plaintext.seek(size - window)
    tail = plaintext.read(window)
    position = tail.rfind(_EOCD)
    if position < 0 or len(tail) < position + 22:
        return None
    return int.from_bytes(tail[position + 10 : position + 12], "little")


def classify_zip(plaintext) -> FileType:
    """An Office Open XML or OpenDocument file, opened through its (seekable) plaintext; Rejected otherwise."""
    count = _zip_entry_count(plaintext)
    if count is not None and (count == 0xFFFF or count > MAX_ZIP_ENTRIES):  # 0xFFFF: ZIP64, far too many parts
        raise Rejected(_("This document has too many parts to be checked."), code="too_many_parts")
    plaintext.seek(0)
    try:
        with zipfile.ZipFile(plaintext) as archive:
            names = archive.namelist()
            lowered = [name.lower() for name in names]
            if any(name.endswith("vbaproject.bin") or name.startswith("basic/") for name in lowered):
                raise Rejected(
                    _(
                        "This document contains macros, which cannot be shared here. Save it without "
                        "macros (for example as DOCX or XLSX) and try again."
                    ),
                    code="macros",
                )
            if "mimetype" in names:
                declared = _read_member(archive, "mimetype", 200).decode("ascii", "replace").strip()
                if declared in _ODF_MIMETYPES:
                    return _ODF_MIMETYPES[declared]
                raise _not_accepted(_("an OpenDocument file of a kind that is not accepted"))
            if "[Content_Types].xml" in names:
                types = _read_member(archive, "[Content_Types].xml", 1024 * 1024).decode("utf-8", "replace")
                if "macroenabled" in types.lower():
                    raise Rejected(
                        _(
                            "This document contains macros, which cannot be shared here. Save it "
                            "without macros (for example as DOCX or XLSX) and try again."
                        ),
                        code="macros",
                    )
                for main, file_type in _OOXML_MAIN.items():
                    if main in types:
                        return file_type
                raise _not_accepted(_("an Office file of a kind that is not accepted"))
    except zipfile.BadZipFile as exc:
        raise Rejected(_("This archive is damaged and cannot be checked."), code="damaged") from exc
    except (RuntimeError, NotImplementedError, KeyError, EOFError) as exc:  # encrypted or exotic members
        raise Rejected(
            _("This archive cannot be checked (encrypted or unsupported compression)."), code="damaged"
        ) from exc
    raise _not_accepted(_("a ZIP archive (send the files one by one instead)"))


def active_content(inspector: Inspector, open_plaintext) -> list[str]:
    """What the whole file carries that could run when it is opened (see ActiveContentScanner)."""
    pdf = is_pdf(inspector.head)
    if pdf and inspector.active.has_object_streams and not inspector.active.complete:
        scan_pdf_object_streams(open_plaintext(), inspector.active, size=inspector.size)
    return inspector.active.codes(is_pdf=pdf)


def refused_active_content(codes) -> Rejected:
    return Rejected(
        _(
            "This file contains active content (%(what)s), which cannot be shared here. Save or print it "
            "again without it (for example as a new PDF) and try again."
        )
        % {"what": active_content_label(codes)},
        code="active_content",
    )


def classify(inspector: Inspector, filename: str, open_plaintext) -> tuple[FileType, str]:
    """The accepted type and the filename to keep (the type's extension added when the name has none).

    `open_plaintext()` returns a seekable view of the plaintext; it is called only for ZIP-based files.
    Rejected when the content is not accepted or the extension contradicts it."""
    inspector.close()
    family = check_head(inspector.head, complete=inspector.size <= len(inspector.head))
    if family == "zip":
        file_type = classify_zip(open_plaintext())
    elif family == "text":
        if not inspector.is_utf8:
            raise _not_utf8()
        file_type = CSV if extension_of(filename) == "csv" else TEXT
    else:
        file_type = {"pdf": PDF, "png": PNG, "jpeg": JPEG, "tiff": TIFF}[family]
    ext = extension_of(filename)
    if not ext:
        return file_type, sanitize_filename(f"{filename}.{file_type.extensions[0]}")
    if ext not in ALLOWED_EXTENSIONS:
        raise Rejected(
            _("Files ending in .%(ext)s cannot be shared here. Accepted: %(accepted)s.")
            % {"ext": ext, "accepted": accepted_list()},
            code="extension_not_allowed",
        )
    if ext not in file_type.extensions:
        raise Rejected(
            _("The name ends in .%(ext)s but the content is %(type)s. Rename the file or choose the right one.")
            % {"ext": ext, "type": str(file_type.label)},
            code="extension_mismatch",
        )
    return file_type, filename
