import io

import pytest

from comity.files import sniff
from comity.files.tests.conftest import odf, ooxml, pdf, png, zipped

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
ACCEPTED = (
    "PDF, PNG, JPEG, TIFF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument text (ODT), "
    "OpenDocument spreadsheet (ODS), plain text, CSV"
)


def classify(data: bytes, filename: str):
    inspector = sniff.Inspector()
    for start in range(0, len(data), 1000):
        inspector.feed(data[start : start + 1000])
    return sniff.classify(inspector, filename, lambda: io.BytesIO(data))


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (pdf(), "a.pdf", "application/pdf"),
        (png(), "a.png", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, "a.JPG", "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20, "scan.tiff", "image/tiff"),
        (
            ooxml(DOCX_MAIN, "word/document.xml"),
            "a.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            ooxml(XLSX_MAIN, "xl/workbook.xml"),
            "a.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            ooxml(PPTX_MAIN, "ppt/presentation.xml"),
            "a.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (odf("application/vnd.oasis.opendocument.text"), "a.odt", "application/vnd.oasis.opendocument.text"),
        (
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            "a.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("Nota: pedido de assistência — 银行 records\n".encode(), "notes.txt", "text/plain; charset=utf-8"),
        (b"\xef\xbb\xbfaccount;amount\nBR01;1000\n", "statement.csv", "text/csv; charset=utf-8"),
    ],
)
def test_accepted_types(data, filename, content_type):
    file_type, name = classify(data, filename)
    assert (file_type.content_type, name) == (content_type, filename)


def test_missing_extension_is_added():
    assert classify(pdf(), "scan")[1] == "scan.pdf"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"MZ\x90\x00" + b"\x00" * 100,
            "tool.pdf",
            f"This file looks like a Windows program, which cannot be shared here. Accepted: {ACCEPTED}.",
        ),
        (
            b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
            "x.txt",
            f"This file looks like a Linux program, which cannot be shared here. Accepted: {ACCEPTED}.",
        ),
        (
            b"#!/bin/sh\nrm -rf /\n",
            "run.txt",
            f"This file looks like a script, which cannot be shared here. Accepted: {ACCEPTED}.",
        ),
        (
            b"  <!DOCTYPE html><html><script>alert(1)</script>",
            "page.txt",
            f"This file looks like a web page or markup (HTML, SVG or XML), which cannot be shared here. "
            f"Accepted: {ACCEPTED}.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "logo.txt",
            f"This file looks like a web page or markup (HTML, SVG or XML), which cannot be shared here. "
            f"Accepted: {ACCEPTED}.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "old.doc",
            f"This file looks like a legacy Office file (DOC, XLS or PPT), which cannot be shared here. "
            f"Accepted: {ACCEPTED}.",
        ),
        (
            zipped({"evidence/a.exe": b"MZ"}),
            "bundle.zip",
            f"This file looks like a ZIP archive (send the files one by one instead), which cannot be shared here. "
            f"Accepted: {ACCEPTED}.",
        ),
        (
            zipped({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": b"x"}),
            "macro.docx",
            "This document contains macros, which cannot be shared here. Save it without macros (for example as DOCX "
            "or "
            "XLSX) and try again.",
        ),
        (
            b"account;amount\n\xff\xfe broken",
            "bad.csv",
            "This text file is not valid UTF-8 (or contains binary data). Save it as UTF-8 and try again.",
        ),
        (png(), "photo.pdf", "The name ends in .pdf but the content is PNG. Rename the file or choose the right one."),
        (b"plain words", "notes.html", f"Files ending in .html cannot be shared here. Accepted: {ACCEPTED}."),
        (b"PK\x03\x04 not really a zip", "a.docx", "This archive is damaged and cannot be checked."),
    ],
)
def test_refused_with_a_clear_message(data, filename, message):
    with pytest.raises(sniff.Rejected) as info:
        classify(data, filename)
    assert info.value.message == message


def test_empty_file_is_refused():
    with pytest.raises(sniff.Rejected) as info:
        classify(b"", "a.txt")
    assert info.value.message == "The file is empty."


def test_head_check_stops_an_executable_from_its_first_bytes():
    with pytest.raises(sniff.Rejected):
        sniff.check_head(b"MZ\x90\x00")
    assert sniff.check_head("só o começo, cortado no meio de é".encode()[:-1]) == "text"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("CON.txt", "_CON.txt"),
        ("  .hidden.  ", "hidden"),
        ('a<b>c:"d"|e?.pdf', "a_b_c__d__e_.pdf"),
        ("", "file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sniff.sanitize_filename(raw) == clean


def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read():
    data = zipped({f"part{i}.xml": b"" for i in range(20_001)})
    with pytest.raises(sniff.Rejected) as info:
        classify(data, "a.docx")
    assert info.value.message == "This document has too many parts to be checked."
