"""The checks of an uploaded file (through files.sniff) and the extraction of its text."""

import pytest

from comity.files.demo import demo_pdf
from comity.library import content
from comity.library.tests.conftest import docx_bytes, html_bytes

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    ("data", "filename", "code", "content_type"),
    [
        (demo_pdf(("Hello",)), "law.pdf", "pdf", "application/pdf"),
        (
            docx_bytes("Hello"),
            "law.docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (html_bytes("Hello"), "law.html", "html", "text/html; charset=utf-8"),
        (html_bytes("Hello"), "law.htm", "html", "text/html; charset=utf-8"),
        ("Закон о выдаче".encode(), "law.txt", "text", "text/plain; charset=utf-8"),
    ],
)
def test_each_accepted_format(data, filename, code, content_type):
    checked = content.check(data, filename)
    assert (checked.code, checked.content_type, checked.filename) == (code, content_type, filename)


@pytest.mark.parametrize(
    ("data", "filename", "code", "message"),
    [
        (b"", "empty.pdf", "empty", "The file is empty."),
        (
            PNG,
            "picture.png",
            "type_not_allowed",
            "The library accepts PDF, DOCX, HTML, plain text documents; this file is PNG.",
        ),
        (EXE, "law.pdf", "type_not_allowed", "This file looks like a Windows program, which cannot be shared here."),
        (
            demo_pdf(("x",)),
            "law.docx",
            "extension_mismatch",
            "The name ends in .docx but the content is PDF. Rename the file or choose the right one.",
        ),
        (
            demo_pdf(("x",)),
            "law.html",
            "extension_mismatch",
            "The name ends in .html but the content is PDF. Rename the file or choose the right one.",
        ),
        (b"just words, no markup", "page.html", "not_html", "This file ends in .html but does not contain a web page."),
        (b"#!/bin/sh\necho '<p>'", "page.html", "type_not_allowed", "This file looks like a script"),
        (EXE, "page.html", "type_not_allowed", "This file looks like a Windows program"),
        (b"<p>caf\xe9</p>", "page.html", "not_utf8", "This text file is not valid UTF-8"),
        (b"plain caf\xe9", "notes.txt", "not_utf8", "This text file is not valid UTF-8"),
    ],
)
def test_refused_files_say_why(data, filename, code, message):
    with pytest.raises(content.Rejected) as caught:
        content.check(data, filename)
    assert caught.value.code == code
    assert caught.value.message.startswith(message)


def test_too_large(settings):
    settings.COMITY_LIBRARY_MAX_BYTES = 10
    with pytest.raises(content.Rejected) as caught:
        content.check(b"01234567890", "big.txt")
    assert caught.value.code == "too_large"
    assert caught.value.message == "The file is larger than the limit of 0 MiB."


def test_text_of_each_format():
    pdf = content.check(demo_pdf(("Central authority of Brazil", "Second line")), "a.pdf")
    assert content.extract_text(pdf) == ("Central authority of Brazil\nSecond line", "")
    docx = content.check(docx_bytes("Первый абзац", "第二段"), "a.docx")
    assert content.extract_text(docx) == ("Первый абзац\n第二段", "")
    page = content.check(html_bytes("Letter &amp; rogatory", "<b>bold</b>"), "a.html")
    assert content.extract_text(page) == ("Letter & rogatory\n\nbold", "")
    text = content.check("\ufeffنص عربي".encode(), "a.txt")
    assert content.extract_text(text) == ("نص عربي", "")


def test_html_text_drops_scripts_and_styles():
    markup = "<head><title>T</title><style>p{}</style></head><p>One &lt;two&gt;</p><script>alert(1)</script>"
    assert content.html_text(markup) == "\nOne <two>\n"


def test_damaged_pdf_gives_an_empty_text_and_a_note():
    damaged = content.CheckedFile(filename="a.pdf", content_type="application/pdf", code="pdf", data=b"%PDF-1.4 junk")
    assert content.extract_text(damaged) == (
        "",
        "The text of this file could not be read (damaged or protected), so it is not searchable.",
    )


def test_pdf_without_text_gets_a_note():
    blank = content.check(demo_pdf(()), "scan.pdf")
    assert content.extract_text(blank) == (
        "",
        "No text was found in this file (a scanned image?), so it is not searchable.",
    )
