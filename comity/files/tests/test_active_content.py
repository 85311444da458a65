"""Files that carry something that could run when opened: JavaScript or a launch action in a PDF, or markup
that makes the file a web page too (a polyglot). They are flagged to everyone who downloads them, or refused
when COMITY_FILES_REFUSE_ACTIVE_CONTENT is on. The files are built here, byte by byte or with pypdf."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from comity.audit.models import AuditAction, AuditEvent
from comity.files import services, sniff
from comity.files.models import Attachment, FileEvent, Upload
from comity.files.tests.conftest import pdf, png, stored_files
from comity.files.tests.test_tus import create, metadata, patch
from comity.forum import services as forum_services

pytestmark = pytest.mark.django_db

WARNING = "Warning: this file contains"


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_open_action(action: dict) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(
        DictionaryObject({NameObject(key): value for key, value in action.items()})
    )
    return written(writer)


def pdf_with_javascript() -> bytes:
    return pdf_with_open_action({"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert('hello');")})


def pdf_with_launch_action() -> bytes:
    return pdf_with_open_action({"/S": NameObject("/Launch"), "/F": TextStringObject("cmd.exe")})


def pdf_with_javascript_in_an_object_stream() -> bytes:
    """PDF 1.5: the OpenAction's dictionary is compressed inside an object stream, with a cross-reference
    stream, so "/JavaScript" appears nowhere in the file's bytes."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    object_stream = zlib.compress(header + action)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(object_stream))
        + object_stream
        + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, 7):
        if number == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    xref = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(xref)
        + xref
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    )
    return bytes(out)


POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.domain)</script></html>\n" + pdf()[9:]


def png_with_script() -> bytes:
    return png()[:-12] + b"<svg onload=alert(1)>" + png()[-12:]


@pytest.mark.parametrize(
    ("build", "filename", "codes"),
    [
        (pdf_with_javascript, "form.pdf", ["javascript"]),
        (pdf_with_launch_action, "form.pdf", ["launch"]),
        (pdf_with_javascript_in_an_object_stream, "packed.pdf", ["javascript"]),
        (lambda: POLYGLOT, "polyglot.pdf", ["html"]),
        (png_with_script, "photo.png", ["html"]),
        (lambda: b"Meeting notes\nSee <script src=x></script>\n", "notes.txt", ["html"]),
        (lambda: pdf(b"clean"), "clean.pdf", []),
        (png, "clean.png", []),
        (lambda: b"Dates 01/02/2025 and a <b>bold</b> word; JS is a language\n", "notes.txt", []),
    ],
)
def test_active_content_is_found_and_recorded(users, consultation, build, filename, codes):
    data = build()
    attachment = services.attachment_create(
        actor=users["member"], space=consultation, filename=filename, content=[data]
    )
    assert (attachment.filename, attachment.size, attachment.active_content) == (filename, len(data), codes)
    assert Attachment.objects.get().active_content == codes
    event = FileEvent.objects.get(action=FileEvent.Action.UPLOAD)
    assert event.detail == (f"active content: {', '.join(codes)}" if codes else "")
    details = AuditEvent.objects.get(action=AuditAction.FILE_UPLOADED).details
    assert details.get("active_content") == (codes or None)


def test_the_object_stream_is_what_hides_it():
    """The byte scan alone misses the compressed action; decoding the object streams finds it."""
    data = pdf_with_javascript_in_an_object_stream()
    assert b"JavaScript" not in data
    inspector = sniff.Inspector()
    inspector.feed(data)
    assert inspector.active.codes(is_pdf=True) == []
    assert sniff.active_content(inspector, lambda: io.BytesIO(data)) == ["javascript"]


@pytest.mark.parametrize(
    ("pieces", "codes"),
    [
        ([b"%PDF-1.7\n<< /S /J#61vaScr", b"ipt /JS (x) >>"], ["javascript"]),
        ([b"%PDF-1.7\n<< /S /L#61#75nch /F (a.exe) >>"], ["launch"]),
        ([b"%PDF-1.7\n<< /Type /JSON /JavaScriptish (x) >>"], []),
        ([b"x" * 2000 + b"%PDF-1.7 /JS (x)"], []),  # "%PDF-" beyond where viewers look: not a PDF
        ([b"plain text <SC", b"RIPT>alert(1)</script>"], ["html"]),
    ],
)
def test_scanner_reads_escaped_names_and_tokens_split_across_pieces(pieces, codes):
    inspector = sniff.Inspector()
    for piece in pieces:
        inspector.feed(piece)
    assert inspector.active.codes(is_pdf=sniff.is_pdf(inspector.head)) == codes


def test_downloaders_are_warned_on_every_page_and_in_the_api(users, personas, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="Forms", body="see file")
    post = thread.posts.get()
    flagged = services.attachment_create(
        actor=users["member"], space=plenary, post=post, filename="form.pdf", content=[pdf_with_javascript()]
    )
    clean = services.attachment_create(
        actor=users["member"], space=plenary, post=post, filename="clean.pdf", content=[pdf(b"clean")]
    )
    reader = personas["member_other"]  # another country's member reads the plenary and downloads
    listing = reader.get(f"/en/files/spaces/{plenary.slug}/")
    body = listing.content.decode()
    assert listing.status_code == 200
    assert body.count(WARNING) == 1
    assert "Warning: this file contains JavaScript in a PDF." in body
    assert body.index("clean.pdf") < body.index("form.pdf") < body.index(WARNING)  # newest first
    page = reader.get(f"/en/forum/t/{thread.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count(WARNING) == 1
    api = reader.get(f"/api/v1/attachments/{flagged.pk}/download/")
    assert (api.status_code, api["Comity-Active-Content"]) == (200, "javascript")
    assert b"".join(api.streaming_content) == pdf_with_javascript()
    web = reader.get(f"/en/files/{flagged.pk}/download/")
    assert (web.status_code, web["Comity-Active-Content"], web["Content-Security-Policy"]) == (
        200,
        "javascript",
        "sandbox; default-src 'none'",
    )
    plain = reader.get(f"/api/v1/attachments/{clean.pk}/download/")
    assert plain.status_code == 200
    assert b"".join(plain.streaming_content) == pdf(b"clean")
    assert "Comity-Active-Content" not in plain


def test_refused_when_the_setting_is_on(users, personas, consultation, settings, file_root):
    settings.COMITY_FILES_REFUSE_ACTIVE_CONTENT = True
    client = personas["member"]
    data = pdf_with_javascript()
    url = create(client, len(data), metadata("form.pdf", consultation.slug))["Location"]
    response = patch(client, url, 0, data)
    assert (response.status_code, response.json()["error"]) == (
        415,
        {
            "status": 415,
            "code": "active_content",
            "message": "This file contains active content (JavaScript in a PDF), which cannot be shared here. "
            "Save or print it again without it (for example as a new PDF) and try again.",
        },
    )
    form = client.post(f"/en/files/spaces/{consultation.slug}/upload/", {"file": SimpleUploadedFile("p.pdf", POLYGLOT)})
    assert form.status_code == 415
    assert "This file contains active content (web page markup (the file is also an HTML page))" in (
        form.content.decode()
    )
    assert (Upload.objects.count(), Attachment.objects.count(), FileEvent.objects.count()) == (0, 0, 0)
    assert stored_files(file_root) == []
    # A clean file still goes through with the setting on.
    clean = services.attachment_create(actor=users["member"], space=consultation, filename="c.pdf", content=[pdf()])
    assert (clean.active_content, Attachment.objects.count()) == ([], 1)
