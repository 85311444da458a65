import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from comity.audit.models import AuditAction, AuditEvent
from comity.core.decorators import REAUTH_AT
from comity.files import services, storage
from comity.files.models import Attachment, FileEvent
from comity.files.tests.conftest import pdf, stored_files
from comity.forum import services as forum_services
from comity.forum.models import TLP
from comity.testing import sign_in

pytestmark = pytest.mark.django_db

READERS = {
    "anonymous": 302,
    "member": 200,
    "member_other": 404,
    "coordinator": 200,
    "coordinator_other": 404,
    "secretariat": 404,
}


def statuses(personas, method, url, expected, **kwargs):
    return {name: getattr(personas[name], method)(url, **kwargs).status_code for name in expected}


def test_page_permission_matrix(personas, consultation, shared):
    urls = [
        f"/en/files/spaces/{consultation.slug}/",
        f"/en/files/spaces/{consultation.slug}/log/",
        f"/en/files/spaces/{consultation.slug}/upload/",
        f"/en/files/spaces/{consultation.slug}/log.csv",
        f"/en/files/{shared.pk}/download/",
    ]
    for url in urls:
        assert statuses(personas, "get", url, READERS) == READERS, url
    delete_url = f"/en/files/{shared.pk}/delete/"
    expected = {**READERS, "liaison": 403}
    assert statuses(personas, "get", delete_url, expected) == expected
    # Refused first (nothing changes), then the consultation's moderator deletes it, then it is gone.
    posts = {
        "anonymous": 302,
        "member_other": 404,
        "coordinator_other": 404,
        "secretariat": 404,
        "liaison": 403,
        "member": 302,
        "coordinator": 404,
    }
    assert statuses(personas, "post", delete_url, posts) == posts
    assert Attachment.objects.get().deleted_by.email == "member.br@example.test"


def test_hidden_consultation_writes_nothing(personas, consultation, shared, file_root):
    before = (FileEvent.objects.count(), AuditEvent.objects.count(), stored_files(file_root))
    for name in ("member_other", "coordinator_other", "secretariat"):
        client = personas[name]
        assert client.post(f"/en/files/{shared.pk}/delete/").status_code == 404
        upload = client.post(
            f"/en/files/spaces/{consultation.slug}/upload/", {"file": SimpleUploadedFile("x.pdf", pdf())}
        )
        assert upload.status_code == 404
        assert client.get(f"/en/files/{shared.pk}/download/").status_code == 404
        assert client.get(f"/en/files/spaces/{consultation.slug}/log.csv").status_code == 404
    anonymous = personas["anonymous"].post(
        f"/en/files/spaces/{consultation.slug}/upload/", {"file": SimpleUploadedFile("x.pdf", pdf())}
    )
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/en/accounts/login/")
    assert (FileEvent.objects.count(), AuditEvent.objects.count(), stored_files(file_root)) == before
    shared.refresh_from_db()
    assert shared.deleted_at is None


def test_upload_form_round_trip(personas, consultation):
    client = personas["member"]
    page = client.get(f"/en/files/spaces/{consultation.slug}/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        f"/en/files/spaces/{consultation.slug}/upload/",
        {"file": SimpleUploadedFile("Relatório.pdf", pdf(b"relatorio"), "application/pdf")},
    )
    assert (response.status_code, response["Location"]) == (302, f"/en/files/spaces/{consultation.slug}/")
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.uploaded_by.email) == ("Relatório.pdf", "member.br@example.test")
    listed = client.get(response["Location"])
    assert listed.status_code == 200
    listing = listed.content.decode()
    assert f"Relatório.pdf was uploaded and encrypted. SHA-256: {attachment.sha256}" in listing
    assert f'href="/en/files/{attachment.pk}/download/"' in listing
    download = client.get(f"/en/files/{attachment.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf(b"relatorio")
    assert download["Content-Disposition"] == (
        "attachment; filename=\"Relatorio.pdf\"; filename*=UTF-8''Relat%C3%B3rio.pdf"
    )


def test_upload_form_rejects_a_disallowed_type_and_stores_nothing(personas, consultation, file_root):
    response = personas["member"].post(
        f"/en/files/spaces/{consultation.slug}/upload/",
        {"file": SimpleUploadedFile("page.txt", b"<html><script>x</script></html>")},
    )
    assert response.status_code == 415
    assert (
        '<ul class="errors" id="id_file_errors" role="alert"><li>This file looks like a web page or markup (HTML, '
        "SVG or XML), which cannot be shared here."
    ) in response.content.decode()
    assert (Attachment.objects.count(), FileEvent.objects.count(), stored_files(file_root)) == (0, 0, [])


def test_upload_form_other_errors(personas, consultation, settings, file_root):
    client = personas["member"]
    url = f"/en/files/spaces/{consultation.slug}/upload/"
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "<li>Choose a file to upload.</li>" in missing.content.decode()
    mismatch = client.post(url, {"file": SimpleUploadedFile("photo.pdf", b"just words\n")})
    assert (
        mismatch.status_code,
        "<li>The name ends in .pdf but the content is plain text. Rename the file or "
        "choose the right one.</li>" in mismatch.content.decode(),
    ) == (415, True)
    settings.COMITY_MAX_UPLOAD_BYTES = 1000
    too_big = client.post(url, {"file": SimpleUploadedFile("big.txt", b"a" * 2000)})
    assert too_big.status_code == 413
    assert "<li>The file is larger than the limit of 0 MiB.</li>" in too_big.content.decode()
    assert (Attachment.objects.count(), stored_files(file_root)) == (0, [])


def test_upload_form_needs_the_csrf_token(users, consultation, file_root):
    client = sign_in(Client(enforce_csrf_checks=True), users["member"])
    response = client.post(
        f"/en/files/spaces/{consultation.slug}/upload/", {"file": SimpleUploadedFile("a.pdf", pdf())}
    )
    assert response.status_code == 403
    assert (Attachment.objects.count(), stored_files(file_root)) == (0, [])


def test_upload_to_a_post_and_where_direct_files_are_refused(personas, users, plenary):
    thread = forum_services.thread_create(
        actor=users["member"], space=plenary, title="Bank records", body="b", tlp=TLP.AMBER
    )
    post = thread.posts.get()
    url = f"/en/files/spaces/{plenary.slug}/upload/"
    assert personas["member"].get(url).status_code == 403
    page = personas["member"].get(f"{url}?post={post.pk}")
    assert page.status_code == 200
    assert "TLP:AMBER" in page.content.decode()
    response = personas["member"].post(f"{url}?post={post.pk}", {"file": SimpleUploadedFile("a.pdf", pdf())})
    assert response.status_code == 302
    assert Attachment.objects.get().post == post
    assert personas["member_other"].get(f"{url}?post={post.pk}").status_code == 403


def test_tampered_download_page(personas, consultation, shared):
    path = storage.object_path(shared.storage_name)
    blob = bytearray(path.read_bytes())
    blob[40] ^= 0x10
    path.write_bytes(bytes(blob))
    response = personas["member"].get(f"/en/files/{shared.pk}/download/")
    assert response.status_code == 500
    assert (
        "This file failed its integrity check and was not sent; the incident has been logged."
        in response.content.decode()
    )
    assert FileEvent.objects.filter(action="integrity_failed", user__email="member.br@example.test").count() == 1


def test_delete_page_under_legal_hold(personas, users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=thread.posts.get(), filename="a.pdf", content=[pdf()]
    )
    thread.legal_hold = True
    thread.save(update_fields=["legal_hold"])
    response = personas["member"].post(f"/en/files/{attachment.pk}/delete/")
    assert response.status_code == 409
    assert "This thread is under legal hold; its files cannot be deleted." in response.content.decode()
    assert Attachment.objects.get().deleted_at is None


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_file_log_page_and_export(personas, users, consultation, shared, django_capture_on_commit_callbacks):
    b"".join(services.attachment_download(actor=users["liaison"], attachment=shared))
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=users["coordinator"], attachment=shared)
    log = personas["member"].get(f"/en/files/spaces/{consultation.slug}/log/")
    assert log.status_code == 200
    page = log.content.decode()
    assert page.count(f"<code>{shared.sha256}</code>") == 3
    assert "3 events" in page
    response = personas["member"].get(f"/en/files/spaces/{consultation.slug}/log.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="comity-file-log-{consultation.slug}-')
    rows = read_csv(response)
    events = list(FileEvent.objects.order_by("pk"))
    assert rows[0] == [
        "event",
        "time_utc",
        "action",
        "user",
        "file_id",
        "filename",
        "size",
        "sha256",
        "post",
        "tlp",
        "ip",
        "request_id",
        "detail",
    ]
    assert [row[:1] + row[2:10] for row in rows[1:]] == [
        [
            str(events[0].pk),
            "upload",
            "coord.br@example.test",
            str(shared.pk),
            "draft.pdf",
            str(shared.size),
            shared.sha256,
            "",
            "TLP:GREEN",
        ],
        [
            str(events[1].pk),
            "download",
            "liaison@example.test",
            str(shared.pk),
            "draft.pdf",
            str(shared.size),
            shared.sha256,
            "",
            "TLP:GREEN",
        ],
        [
            str(events[2].pk),
            "delete",
            "coord.br@example.test",
            str(shared.pk),
            "draft.pdf",
            str(shared.size),
            shared.sha256,
            "",
            "TLP:GREEN",
        ],
        [str(events[3].pk), "log_export", "member.br@example.test", "", "", "", "", "", "TLP:GREEN"],
    ]
    assert rows[4][10:12] == ["127.0.0.1", events[3].request_id]
    audit = AuditEvent.objects.get(action=AuditAction.FILE_LOG_EXPORTED)
    assert (audit.actor_label, audit.target_id, audit.details) == (
        "member.br@example.test",
        str(consultation.pk),
        # A private consultation is named by its id only (security probe F1).
        {"space": consultation.pk, "format": "csv", "through_event": events[3].pk},
    )


def test_export_hides_names_of_red_files(personas, users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b", tlp=TLP.RED)
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=thread.posts.get(), filename="suspect-list.pdf", content=[pdf()]
    )
    response = personas["member"].get(f"/en/files/spaces/{plenary.slug}/log.csv")
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[1][5:10] == ["[TLP:RED]", str(attachment.size), attachment.sha256, str(attachment.post_id), "TLP:RED"]


def test_export_asks_for_recent_authentication_first(personas, consultation, shared):
    client = personas["member"]
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    response = client.get(f"/en/files/spaces/{consultation.slug}/log.csv")
    assert response["Location"] == reverse("accounts:reauth") + "?" + urlencode(
        {"next": f"/en/files/spaces/{consultation.slug}/log.csv"}
    )
    other = personas["member_other"]
    session = other.session
    session[REAUTH_AT] = 0
    session.save()
    assert other.get(f"/en/files/spaces/{consultation.slug}/log.csv").status_code == 404
    assert FileEvent.objects.filter(action="log_export").count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_LOG_EXPORTED).exists()


# An unchanged session is not saved.
@pytest.mark.parametrize(("page", "expected"), [("", 11), ("log/", 10)])
def test_page_queries_do_not_grow(personas, users, consultation, page, expected, nothing_kept):
    client = personas["member"]
    url = f"/en/files/spaces/{consultation.slug}/{page}"
    services.attachment_create(actor=users["coordinator"], space=consultation, filename="0.pdf", content=[pdf()])
    client.get(url)
    counts = []
    for rows in (1, 5):
        while Attachment.objects.count() < rows:
            services.attachment_create(
                actor=users["coordinator"], space=consultation, filename="n.pdf", content=[pdf()]
            )
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts == [expected, expected]
