"""More of the checks, text extraction and encrypted storage of library files (local store)."""

from __future__ import annotations

import io

import pytest

from comity.files import storage
from comity.library import content
from comity.library.tests.conftest import docx_bytes, html_bytes, pdf_bytes


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, size: int | None = None):
        super().__init__(data)
        if size is not None:
            self.size = size


def test_read_upload_rewinds_and_refuses_past_the_limit(settings):
    settings.COMITY_LIBRARY_MAX_BYTES = 10
    upload = _Upload(b"0123456789")
    upload.read()  # already read once by the form
    assert content.read_upload(upload) == b"0123456789"
    with pytest.raises(content.Rejected) as declared:
        content.read_upload(_Upload(b"x", size=11))
    assert declared.value.code == "too_large"
    with pytest.raises(content.Rejected) as actual:
        content.read_upload(_Upload(b"x" * 11))  # no declared size: counted while reading
    assert actual.value.code == "too_large"


def test_empty_and_oversized_files_are_refused(settings):
    with pytest.raises(content.Rejected) as empty:
        content.check(b"", "law.txt")
    assert empty.value.code == "empty"
    settings.COMITY_LIBRARY_MAX_BYTES = 4
    with pytest.raises(content.Rejected) as large:
        content.check(b"hello", "law.txt")
    assert large.value.code == "too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (pdf_bytes("x"), "extension_mismatch"),
        (docx_bytes("x"), "extension_mismatch"),
        (b"<p>caf\xe9</p>", "not_utf8"),
        (b"just words, no markup", "not_html"),
        (b"<not-a-page>text</not-a-page>", "not_html"),
    ],
)
def test_html_names_need_a_web_page(data, code):
    with pytest.raises(content.Rejected) as refused:
        content.check(data, "page.html")
    assert refused.value.code == code


def test_html_with_a_byte_order_mark_is_accepted():
    data = b"\xef\xbb\xbf" + html_bytes("Mutual assistance")
    checked = content.check(data, "page.htm")
    assert checked.code == "html" and checked.data == data
    text, note = content.extract_text(checked)
    assert text == "Mutual assistance" and note == ""


def test_html_text_keeps_blocks_and_cells_and_skips_nested_hidden_parts():
    markup = (
        "<html><head><title>Hidden</title></head><body><h1>Title</h1>"
        "<svg><style>x{}</style><text>drawn</text></svg>"
        "<table><tr><td>a</td><th>b</th></tr></table><p>one<br>two &amp; three</p></body></html>"
    )
    text = content.html_text(markup)
    assert "Hidden" not in text and "drawn" not in text and "x{}" not in text
    assert "Title" in text and " a b" in text and "one\ntwo & three" in text


def test_other_types_are_refused_with_their_name():
    with pytest.raises(content.Rejected) as refused:
        content.check(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "scan.png")
    assert refused.value.code == "type_not_allowed"
    assert "PDF, DOCX, HTML" in str(refused.value)


def test_docx_tables_are_in_the_text():
    import docx

    document = docx.Document()
    document.add_paragraph("Preamble")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Article 1"
    table.rows[0].cells[1].text = "Scope"
    out = io.BytesIO()
    document.save(out)
    text, note = content.extract_text(content.check(out.getvalue(), "law.docx"))
    assert text == "Preamble\nArticle 1 | Scope" and note == ""


def test_long_text_is_cut_with_a_note(monkeypatch):
    monkeypatch.setattr(content, "MAX_TEXT_CHARS", 5)
    text, note = content.extract_text(content.check(b"abcdefghij", "law.txt"))
    assert text == "abcde" and "beginning" in note


def test_whitespace_only_text_gets_the_no_text_note():
    text, note = content.extract_text(content.CheckedFile("a.txt", "text/plain", "text", b" \n\t \n"))
    assert text == "" and "No text" in note


def test_encrypted_pdf_without_the_empty_password_gives_a_note():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes("secret"))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="pw", owner_password="owner")  # noqa: S106
    out = io.BytesIO()
    writer.write(out)
    text, note = content.extract_text(content.CheckedFile("s.pdf", "application/pdf", "pdf", out.getvalue()))
    assert text == "" and "could not be read" in note


def test_store_read_back_and_remove_locally():
    data = "Traité d'entraide judiciaire".encode()
    stored = content.store(data)
    assert stored.path == storage.library_object_path(stored.storage_name)
    assert stored.path.exists() and data not in stored.path.read_bytes()  # encrypted at rest
    chunks = content.open_plaintext(
        storage_name=stored.storage_name,
        wrapped_key=stored.wrapped_key,
        key_fingerprint=stored.key_fingerprint,
        size=len(data),
    )
    assert b"".join(chunks) == data
    text, note = content.stored_text(
        storage_name=stored.storage_name,
        wrapped_key=stored.wrapped_key,
        key_fingerprint=stored.key_fingerprint,
        size=len(data),
        filename="t.txt",
    )
    assert (text, note) == ("Traité d'entraide judiciaire", "")
    content.remove(stored.storage_name)
    assert not stored.path.exists()
    content.remove("")  # nothing stored: nothing to do
    with pytest.raises(content.Unreadable):
        content.open_plaintext(
            storage_name=stored.storage_name,
            wrapped_key=stored.wrapped_key,
            key_fingerprint=stored.key_fingerprint,
            size=len(data),
        )


def test_a_wrong_key_or_altered_file_is_unreadable():
    data = b"plain text"
    stored = content.store(data)
    with pytest.raises(content.Unreadable, match="wrapped by master key"):
        content.open_plaintext(
            storage_name=stored.storage_name, wrapped_key=stored.wrapped_key, key_fingerprint="0" * 16, size=10
        )
    with pytest.raises(content.Unreadable):
        content.open_plaintext(storage_name="../etc", wrapped_key=stored.wrapped_key, key_fingerprint="x", size=10)
    sealed = bytearray(stored.path.read_bytes())
    sealed[-1] ^= 1
    stored.path.write_bytes(bytes(sealed))
    with pytest.raises(content.Unreadable):
        content.open_plaintext(
            storage_name=stored.storage_name,
            wrapped_key=stored.wrapped_key,
            key_fingerprint=stored.key_fingerprint,
            size=len(data),
        )
