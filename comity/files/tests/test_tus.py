import base64
import hashlib

import pytest
from django.test import Client

from comity.accounts import services as account_services
from comity.audit.models import AuditAction, AuditEvent
from comity.files.models import Attachment, FileEvent, Upload
from comity.files.tests.conftest import pdf, stored_files
from comity.forum import services as forum_services
from comity.testing import sign_in

pytestmark = pytest.mark.django_db

TUS = {"Tus-Resumable": "1.0.0"}
MIB = 1024 * 1024


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def metadata(filename: str, space: str | None = None, post: int | None = None) -> str:
    pairs = [f"filename {b64(filename)}"]
    if space:
        pairs.append(f"space {b64(space)}")
    if post:
        pairs.append(f"post {b64(str(post))}")
    return ",".join(pairs)


def create(client, length: int, meta: str, **headers):
    return client.post(
        "/api/v1/uploads/", headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": meta, **headers}
    )


def patch(client, url: str, offset: int, data: bytes, **headers):
    return client.patch(
        url,
        data=data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def head(client, url: str):
    return client.head(url, headers=TUS)


def test_options_advertises_capabilities(client, settings):
    settings.COMITY_MAX_UPLOAD_BYTES = 5000
    response = client.options("/api/v1/uploads/")
    assert response.status_code == 204
    assert (
        response["Tus-Version"],
        response["Tus-Extension"],
        response["Tus-Max-Size"],
        response["Tus-Checksum-Algorithm"],
    ) == ("1.0.0", "creation,termination,checksum,expiration", "5000", "sha1,sha256,md5")


def test_create_head_patch_in_parts_then_download(personas, consultation):
    client = personas["member"]
    data = pdf(b"bank records") + b"\n%" + b"padding " * 1000
    response = create(client, len(data), metadata("Extrato bancário.pdf", consultation.slug))
    assert response.status_code == 201
    url = response["Location"]
    upload = Upload.objects.get()
    assert url == f"http://testserver/api/v1/uploads/{upload.pk}/"
    assert (response["Tus-Resumable"], response["Upload-Offset"]) == ("1.0.0", "0")
    first = patch(client, url, 0, data[:5000])
    assert (first.status_code, first["Upload-Offset"]) == (204, "5000")
    state = head(client, url)
    assert (
        state.status_code,
        state["Upload-Offset"],
        state["Upload-Length"],
        state["Cache-Control"],
        state["Tus-Resumable"],
    ) == (200, "5000", str(len(data)), "no-store", "1.0.0")
    assert state["Upload-Metadata"] == metadata("Extrato bancário.pdf", consultation.slug)
    last = patch(client, url, 5000, data[5000:])
    attachment = Attachment.objects.get()
    assert (last.status_code, last["Upload-Offset"], last["Comity-Attachment-Id"]) == (
        204,
        str(len(data)),
        str(attachment.pk),
    )
    assert (attachment.filename, attachment.sha256) == ("Extrato bancário.pdf", hashlib.sha256(data).hexdigest())
    download = client.get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert b"".join(download.streaming_content) == data
    assert head(client, url)["Upload-Offset"] == str(len(data))


def test_multi_chunk_upload_resumed_over_three_requests(personas, consultation):
    client = personas["member"]
    line = b"2025-01-01;BR0012345;1000.00;transfer\n"
    data = (line * (int(3.5 * MIB) // len(line) + 1))[: int(3.5 * MIB)]
    url = create(client, len(data), metadata("statement.csv", consultation.slug))["Location"]
    cuts = [0, 700_001, MIB * 2 + 3, len(data)]
    for start, end in zip(cuts, cuts[1:], strict=False):
        assert patch(client, url, start, data[start:end]).status_code == 204
        assert head(client, url)["Upload-Offset"] == str(end)
    attachment = Attachment.objects.get()
    assert (attachment.size, attachment.sha256, attachment.content_type) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        "text/csv; charset=utf-8",
    )
    assert b"".join(client.get(f"/api/v1/attachments/{attachment.pk}/download/").streaming_content) == data


def test_offset_mismatch_is_409_and_changes_nothing(personas, consultation):
    client = personas["member"]
    url = create(client, 100, metadata("a.txt", consultation.slug))["Location"]
    assert patch(client, url, 0, b"hello ").status_code == 204
    response = patch(client, url, 3, b"world")
    assert (response.status_code, response.json()["error"]["message"]) == (
        409,
        "The upload is at byte 6; send the data from there.",
    )
    assert head(client, url)["Upload-Offset"] == "6"


def test_protocol_errors(personas, consultation):
    client = personas["member"]
    missing = client.post(
        "/api/v1/uploads/", headers={"Upload-Length": "10", "Upload-Metadata": metadata("a.txt", consultation.slug)}
    )
    assert (missing.status_code, missing["Tus-Version"]) == (412, "1.0.0")
    wrong = create(client, 10, metadata("a.txt", consultation.slug), **{"Tus-Resumable": "0.2.2"})
    assert wrong.status_code == 412
    no_length = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Metadata": metadata("a", consultation.slug)})
    assert (no_length.status_code, no_length.json()["error"]["message"]) == (
        400,
        "Send the file size in Upload-Length.",
    )
    bad_meta = create(client, 10, "filename !!notbase64")
    assert (bad_meta.status_code, bad_meta.json()["error"]["message"]) == (
        400,
        "The value of filename in Upload-Metadata is not base64 of UTF-8 text.",
    )
    no_space = create(client, 10, metadata("a.txt"))
    assert no_space.json()["error"]["message"] == "Name the space (space) or the post (post) in Upload-Metadata."
    never = create(client, 10, metadata("a.exe", consultation.slug))
    assert (never.status_code, never.json()["error"]["message"]) == (
        415,
        "Files ending in .exe cannot be shared here. Accepted: PDF, PNG, JPEG, TIFF, Word (DOCX), Excel (XLSX), "
        "PowerPoint (PPTX), OpenDocument text (ODT), OpenDocument spreadsheet (ODS), plain text, CSV.",
    )
    assert Upload.objects.count() == 0
    url = create(client, 10, metadata("a.txt", consultation.slug))["Location"]
    wrong_type = client.patch(
        url, data=b"abc", content_type="application/octet-stream", headers={**TUS, "Upload-Offset": "0"}
    )
    assert (wrong_type.status_code, wrong_type.json()["error"]["message"]) == (
        415,
        "Send the data with Content-Type: application/offset+octet-stream.",
    )
    assert patch(client, url, 0, b"x" * 11).status_code == 413
    assert head(client, url)["Upload-Offset"] == "0"


def test_over_size_is_rejected_at_creation(personas, consultation, settings, file_root):
    settings.COMITY_MAX_UPLOAD_BYTES = 2 * MIB
    response = create(personas["member"], 2 * MIB + 1, metadata("big.pdf", consultation.slug))
    assert (response.status_code, response.json()["error"]["message"]) == (
        413,
        "The file is larger than the limit of 2 MiB.",
    )
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])


def test_disallowed_content_is_rejected_with_its_message_and_nothing_is_kept(personas, consultation, file_root):
    client = personas["member"]
    body = b"MZ\x90\x00" + b"\x00" * 9000
    url = create(client, len(body), metadata("invoice.pdf", consultation.slug))["Location"]
    response = patch(client, url, 0, body)
    assert (response.status_code, response.json()["error"]["message"]) == (
        415,
        "This file looks like a Windows program, which cannot be shared here. Accepted: PDF, PNG, JPEG, TIFF, "
        "Word (DOCX), Excel (XLSX), PowerPoint (PPTX), OpenDocument text (ODT), OpenDocument spreadsheet (ODS), "
        "plain text, CSV.",
    )
    assert (Upload.objects.count(), Attachment.objects.count(), FileEvent.objects.count()) == (0, 0, 0)
    assert stored_files(file_root) == []
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_UPLOADED).exists()
    assert head(client, url).status_code == 404


def test_contradicting_extension_is_rejected_at_completion(personas, consultation, file_root):
    client = personas["member"]
    body = b"just some notes\n" * 10
    url = create(client, len(body), metadata("report.pdf", consultation.slug))["Location"]
    response = patch(client, url, 0, body)
    assert (response.status_code, response.json()["error"]["message"]) == (
        415,
        "The name ends in .pdf but the content is plain text. Rename the file or choose the right one.",
    )
    assert (Upload.objects.count(), Attachment.objects.count(), stored_files(file_root)) == (0, 0, [])


def test_checksum_extension(personas, consultation):
    client = personas["member"]
    data = b"account;amount\nBR1;10\n"
    url = create(client, len(data), metadata("a.csv", consultation.slug))["Location"]
    bad = patch(client, url, 0, data, **{"Upload-Checksum": "sha1 " + base64.b64encode(b"0" * 20).decode()})
    assert bad.status_code == 460
    assert head(client, url)["Upload-Offset"] == "0"
    assert patch(client, url, 0, data, **{"Upload-Checksum": "crc32 AAAA"}).status_code == 400
    digest = base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
    assert patch(client, url, 0, data, **{"Upload-Checksum": f"sha1 {digest}"}).status_code == 204
    assert Attachment.objects.get().size == len(data)


def test_termination(personas, consultation, file_root):
    client = personas["member"]
    url = create(client, 100, metadata("a.txt", consultation.slug))["Location"]
    patch(client, url, 0, b"abc")
    assert client.delete(url, headers=TUS).status_code == 204
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])
    assert head(client, url).status_code == 404


def test_uploads_belong_to_their_creator(personas, consultation):
    url = create(personas["member"], 10, metadata("a.txt", consultation.slug))["Location"]
    for name in ("coordinator", "member_other", "secretariat"):
        assert head(personas[name], url).status_code == 404, name
        assert patch(personas[name], url, 0, b"0123456789").status_code == 404, name
        assert personas[name].delete(url, headers=TUS).status_code == 404, name
    assert head(personas["anonymous"], url).status_code == 401
    assert head(personas["member"], url)["Upload-Offset"] == "0"


def test_creation_permission_matrix(personas, users, consultation, plenary):
    meta = metadata("a.pdf", consultation.slug)
    expected = {
        "anonymous": 401,
        "member": 201,
        "member_other": 404,
        "coordinator": 201,
        "coordinator_other": 404,
        "secretariat": 404,
        "moderator": 404,
    }
    got = {name: create(personas[name], 10, meta).status_code for name in expected}
    assert got == expected
    assert create(personas["member"], 10, metadata("a.pdf", plenary.slug)).status_code == 403
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    post = thread.posts.get()
    assert create(personas["member"], 10, metadata("a.pdf", post=post.pk)).status_code == 201
    assert create(personas["member_other"], 10, metadata("a.pdf", post=post.pk)).status_code == 403
    assert Upload.objects.count() == 3


def test_observer_may_read_but_not_upload(users, consultation):
    forum_services.space_member_add(actor=users["member"], space=consultation, user=users["observer"])
    client = sign_in(Client(), users["observer"])
    assert create(client, 10, metadata("a.pdf", consultation.slug)).status_code == 403


def test_tokens_need_the_write_scope(users, consultation):
    _token, read = account_services.api_token_create(user=users["member"], name="read", scope="read")
    _token, write = account_services.api_token_create(user=users["member"], name="write", scope="write")
    meta = metadata("a.txt", consultation.slug)
    client = Client()
    assert create(client, 5, meta, Authorization=f"Bearer {read}").status_code == 403
    response = create(client, 5, meta, Authorization=f"Bearer {write}")
    assert response.status_code == 201
    assert patch(client, response["Location"], 0, b"hello", Authorization=f"Bearer {write}").status_code == 204
    attachment = Attachment.objects.get()
    download = client.get(f"/api/v1/attachments/{attachment.pk}/download/", headers={"Authorization": f"Bearer {read}"})
    assert b"".join(download.streaming_content) == b"hello"


def test_browser_session_needs_the_csrf_token(users, consultation):
    client = sign_in(Client(enforce_csrf_checks=True), users["member"])
    response = create(client, 5, metadata("a.txt", consultation.slug))
    assert response.status_code == 403
    assert Upload.objects.count() == 0


def _b64_raw(value: bytes) -> str:
    return base64.b64encode(value).decode()


@pytest.mark.parametrize("value", ["²", "\xb2", "٣", "1²", " 5", "5 ", "+5", "-5", "1" * 19, "5\n"])
def test_numbers_in_headers_and_metadata_are_ascii_digits_only(personas, consultation, file_root, value):
    """Security probe F2: values that str.isdigit() accepts but int() does not (or reads as another
    number) are a 400 in the API's JSON error shape, never a 500, and nothing is stored."""
    client = personas["member"]
    bad_length = client.post(
        "/api/v1/uploads/",
        headers={**TUS, "Upload-Length": value, "Upload-Metadata": metadata("a.pdf", consultation.slug)},
    )
    assert (bad_length.status_code, bad_length["Content-Type"], bad_length.json()) == (
        400,
        "application/json",
        {
            "error": {
                "status": 400,
                "code": "bad_header",
                "message": "Upload-Length must be a non-negative integer.",
            }
        },
    )
    for key, message in (
        ("space", "The value of space in Upload-Metadata must be a slug or a number."),
        ("post", "The value of post in Upload-Metadata must be a number."),
    ):
        meta = f"filename {b64('a.pdf')},{key} {_b64_raw(value.encode())}"
        response = create(client, 5, meta)
        if key == "space" and value in ("-5", "1" * 19):  # shaped like a slug: no such space
            assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
            continue
        assert (response.status_code, response.json()) == (
            400,
            {"error": {"status": 400, "code": "bad_metadata", "message": message}},
        ), key
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])
    # The same values on an upload in progress: a 400, and the upload is where it was.
    url = create(client, 10, metadata("a.txt", consultation.slug))["Location"]
    assert patch(client, url, 0, b"hello").status_code == 204
    bad_offset = client.patch(
        url, data=b"world", content_type="application/offset+octet-stream", headers={**TUS, "Upload-Offset": value}
    )
    assert (bad_offset.status_code, bad_offset.json()["error"]) == (
        400,
        {"status": 400, "code": "bad_header", "message": "Upload-Offset must be a non-negative integer."},
    )
    assert head(client, url)["Upload-Offset"] == "5"


def test_a_space_named_by_its_id_or_slug_and_a_malformed_upload_id(personas, consultation):
    client = personas["member"]
    assert create(client, 5, metadata("a.txt", str(consultation.pk))).status_code == 201
    assert create(client, 5, metadata("a.txt", consultation.slug)).status_code == 201
    assert Upload.objects.filter(space=consultation).count() == 2
    missing = head(client, "/api/v1/uploads/not-a-uuid/")
    assert missing.status_code == 404
    as_json = client.get("/api/v1/uploads/not-a-uuid/", headers=TUS)
    assert (as_json.status_code, as_json["Content-Type"], as_json.json()["error"]["status"]) == (
        404,
        "application/json",
        404,
    )
