import base64
import hashlib

import pytest

from comity.audit.models import AuditAction, AuditEvent
from comity.files import services, storage
from comity.files.models import Attachment, FileEvent
from comity.files.tests.conftest import pdf
from comity.forum import services as forum_services

pytestmark = pytest.mark.django_db

MATRIX_READ = {
    "anonymous": 401,
    "member": 200,
    "member_other": 404,
    "coordinator": 200,
    "coordinator_other": 404,
    "secretariat": 404,
}


def statuses(personas, method, url, expected):
    return {name: getattr(personas[name], method)(url).status_code for name in expected}


def test_list_detail_download_matrix(personas, consultation, shared):
    for url in (
        f"/api/v1/attachments/?space={consultation.slug}",
        f"/api/v1/attachments/{shared.pk}/",
        f"/api/v1/attachments/{shared.pk}/download/",
    ):
        assert statuses(personas, "get", url, MATRIX_READ) == MATRIX_READ, url
    # Readers who cannot see the consultation get an empty list without the filter.
    assert personas["member_other"].get("/api/v1/attachments/").json()["count"] == 0
    assert FileEvent.objects.filter(action="download").count() == 2


def test_list_body(personas, consultation, shared):
    body = personas["member"].get(f"/api/v1/attachments/?space={consultation.slug}").json()
    assert body == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": shared.pk,
                "space": consultation.slug,
                "post": None,
                "filename": "draft.pdf",
                "content_type": "application/pdf",
                "size": shared.size,
                "sha256": shared.sha256,
                "uploaded_by": "Clara Coordinator",
                "created_at": shared.created_at.isoformat().replace("+00:00", "Z"),
                "tlp": "green",
                "download_url": f"http://testserver/api/v1/attachments/{shared.pk}/download/",
                "active_content": [],
            }
        ],
    }


def test_bad_filter_is_400(personas, consultation):
    response = personas["member"].get("/api/v1/attachments/?post=abc")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"post": ["A valid integer is required."]},
    )


def test_list_query_count_does_not_grow(personas, users, consultation, django_assert_num_queries, nothing_kept):
    client = personas["member"]
    url = f"/api/v1/attachments/?space={consultation.slug}"
    services.attachment_create(actor=users["member"], space=consultation, filename="1.pdf", content=[pdf()])
    client.get(url)
    with django_assert_num_queries(9):  # the session is not saved again: nothing in it changed
        client.get(url)
    for index in range(4):
        services.attachment_create(actor=users["member"], space=consultation, filename=f"{index}.pdf", content=[pdf()])
    with django_assert_num_queries(9):
        assert client.get(url).json()["count"] == 5


def test_download_headers(personas, users, consultation):
    attachment = services.attachment_create(
        actor=users["member"], space=consultation, filename='Pedido de cooperação "final".pdf', content=[pdf()]
    )
    response = personas["coordinator"].get(f"/api/v1/attachments/{attachment.pk}/download/")
    body = b"".join(response.streaming_content)
    assert body == pdf()
    assert response["Content-Disposition"] == (
        'attachment; filename="Pedido de cooperacao _final_.pdf"; '
        "filename*=UTF-8''Pedido%20de%20coopera%C3%A7%C3%A3o%20_final_.pdf"
    )
    assert (
        response["Content-Type"],
        response["Content-Length"],
        response["X-Content-Type-Options"],
        response["Content-Security-Policy"],
        response["Cache-Control"],
    ) == ("application/pdf", str(len(body)), "nosniff", "sandbox; default-src 'none'", "no-store, private")
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def test_tampered_download_is_500_and_logged(personas, consultation, shared):
    path = storage.object_path(shared.storage_name)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))
    response = personas["member"].get(f"/api/v1/attachments/{shared.pk}/download/")
    assert (response.status_code, response.json()["error"]["message"]) == (
        500,
        "This file failed its integrity check and was not sent; the incident has been logged.",
    )
    assert FileEvent.objects.filter(action="integrity_failed").count() == 1


def test_delete_matrix(personas, consultation, shared, django_capture_on_commit_callbacks):
    url = f"/api/v1/attachments/{shared.pk}/"
    denied = {"anonymous": 401, "member_other": 404, "coordinator_other": 404, "secretariat": 404, "liaison": 403}
    assert statuses(personas, "delete", url, denied) == denied
    shared.refresh_from_db()
    assert (shared.deleted_at, FileEvent.objects.filter(action="delete").count()) == (None, 0)
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_DELETED).exists()
    assert storage.object_path(shared.storage_name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert personas["coordinator"].delete(url).status_code == 204  # the uploader
    assert personas["coordinator"].get(url).status_code == 404
    assert personas["coordinator"].get(url + "download/").status_code == 404
    assert not storage.object_path(shared.storage_name).exists()


def test_delete_under_legal_hold_is_409(personas, users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=thread.posts.get(), filename="a.pdf", content=[pdf()]
    )
    thread.legal_hold = True
    thread.save(update_fields=["legal_hold"])
    response = personas["member"].delete(f"/api/v1/attachments/{attachment.pk}/")
    assert (response.status_code, response.json()["error"]["message"]) == (
        409,
        "This thread is under legal hold; its files cannot be deleted.",
    )
    assert Attachment.objects.get().deleted_at is None


def test_post_attachment_permissions_follow_the_post(personas, users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    post = thread.posts.get()
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=post, filename="a.pdf", content=[pdf()]
    )
    url = f"/api/v1/attachments/{attachment.pk}/download/"
    assert personas["member_other"].get(url).status_code == 200
    assert personas["member_other"].get(f"/api/v1/attachments/?post={post.pk}").json()["count"] == 1
    post.is_hidden = True
    post.save(update_fields=["is_hidden"])
    assert personas["member_other"].get(url).status_code == 404
    assert personas["member_other"].get(f"/api/v1/attachments/?post={post.pk}").status_code == 404
    assert personas["moderator"].get(url).status_code == 200


def test_schema_documents_the_endpoints(personas):
    schema = personas["member"].get("/api/v1/schema/?format=json").json()
    assert {
        "/api/v1/uploads/",
        "/api/v1/uploads/{id}/",
        "/api/v1/attachments/",
        "/api/v1/attachments/{id}/",
        "/api/v1/attachments/{id}/download/",
    } <= set(schema["paths"])


def test_read_token_downloads_but_cannot_delete(users, shared):
    from django.test import Client

    from comity.accounts import services as account_services

    _token, raw = account_services.api_token_create(user=users["coordinator"], name="read", scope="read")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.delete(f"/api/v1/attachments/{shared.pk}/").status_code == 403
    assert client.head(f"/api/v1/attachments/{shared.pk}/download/").status_code == 405
    assert b"".join(client.get(f"/api/v1/attachments/{shared.pk}/download/").streaming_content) == pdf(b"draft request")
    assert list(FileEvent.objects.order_by("pk").values_list("action", flat=True)) == ["upload", "download"]
    shared.refresh_from_db()
    assert shared.deleted_at is None
