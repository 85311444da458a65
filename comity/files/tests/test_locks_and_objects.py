"""Upload locks in the database (advisory locks on PostgreSQL, a lease row elsewhere) and the S3-compatible object
store, against moto's S3 server started here on a loopback port."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import socket
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from comity.files import locks, storage
from comity.files.models import Lease


@pytest.mark.django_db
def test_lock_is_exclusive_and_released():
    with storage.upload_lock("ab" * 20):
        with pytest.raises(storage.UploadBusy), storage.upload_lock("ab" * 20):
            pass
        with storage.upload_lock("cd" * 20):  # another upload is independent
            pass
    with storage.upload_lock("ab" * 20):
        pass


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the lease row is the lock where there are no advisory locks"
)
@pytest.mark.django_db
def test_expired_lease_is_taken_over_and_renewed():
    Lease.objects.create(name="upload:" + "ef" * 20, holder="dead", expires_at=timezone.now() - dt.timedelta(seconds=1))
    with storage.upload_lock("ef" * 20):
        lease = Lease.objects.get()
        assert lease.holder != "dead"
        Lease.objects.update(expires_at=timezone.now())
        locks._current.get().renewed = 0  # as if RENEW_EVERY had passed
        locks.keep_alive()
        assert Lease.objects.get().expires_at > timezone.now() + dt.timedelta(seconds=60)
    assert Lease.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks between connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_advisory_lock_excludes_another_connection_until_released():
    held, release, results = threading.Event(), threading.Event(), []

    def holder():
        from django.db import connection as own

        try:
            with storage.upload_lock("12" * 20):
                held.set()
                release.wait(10)
        finally:
            own.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        with storage.upload_lock("12" * 20):
            results.append("acquired")
    except storage.UploadBusy:
        results.append("busy")
    release.set()
    thread.join()
    with storage.upload_lock("12" * 20):
        results.append("acquired")
    assert results == ["busy", "acquired"]
    assert Lease.objects.count() == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def s3_store(settings, s3_server):
    import boto3

    bucket = f"comity-{time.monotonic_ns()}"
    boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    ).create_bucket(Bucket=bucket)
    settings.COMITY_FILE_STORE = "s3"
    settings.COMITY_S3_BUCKET = bucket
    settings.COMITY_S3_ENDPOINT_URL = s3_server
    settings.COMITY_S3_ACCESS_KEY_ID = "k"
    settings.COMITY_S3_SECRET_ACCESS_KEY = "s"  # noqa: S105
    settings.COMITY_S3_PREFIX = "t/"
    return storage.objects()


def test_s3_store_streams_both_ways(s3_store, tmp_path):
    assert isinstance(s3_store, storage.S3Objects)
    assert s3_store.check() == (True, "s3")
    source = tmp_path / "sealed"
    payload = bytes(range(256)) * 40_000  # 10 MB: a multipart upload
    source.write_bytes(payload)
    name = storage.new_name()
    storage.install_object(source, name)
    assert not source.exists()
    assert s3_store.exists(name)
    handle = s3_store.open(name)
    buffer = bytearray(1_000_000)
    first = handle.readinto(buffer)
    assert first == 1_000_000 and bytes(buffer) == payload[:1_000_000]
    assert handle.read() == payload[1_000_000:]
    handle.close()
    [[listed]] = list(s3_store.iter_batches())
    assert listed.name == name
    s3_store.delete(name)
    assert not s3_store.exists(name)
    with pytest.raises(FileNotFoundError):
        s3_store.open(name)


@pytest.mark.django_db
def test_attachment_upload_download_and_delete_through_s3(s3_store, users, consultation, file_root):
    from comity.files import services
    from comity.files.tests.conftest import pdf

    data = pdf(b"s3 stored") + b"\n%" + b"x" * 3_000_000
    attachment = services.attachment_create(
        actor=users["coordinator"], space=consultation, filename="big.pdf", content=[data]
    )
    assert s3_store.exists(attachment.storage_name)
    assert not list((file_root / "objects").rglob("*")) if (file_root / "objects").exists() else True
    stream = services.attachment_download(actor=users["member"], attachment=attachment)
    assert b"".join(stream) == data
    with django_capture_on_commit():
        services.attachment_delete(actor=users["coordinator"], attachment=attachment)
    assert not s3_store.exists(attachment.storage_name)


@contextlib.contextmanager
def django_capture_on_commit():
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


@pytest.mark.django_db
def test_resumable_upload_continues_on_other_hosts_through_the_object_store(
    s3_store, users, consultation, settings, tmp_path
):
    """Three hosts with their own disks take turns: A starts, B continues, A (whose copy is stale) finishes."""
    from comity.files import services
    from comity.files.models import Upload
    from comity.files.tests.conftest import pdf

    member = users["member"]
    data = pdf(b"travelling upload") + b"\n%" + bytes(range(256)) * 12_000  # about 3 MiB: several chunks
    cuts = [0, 1_100_000, 2_300_001, len(data)]
    hosts = ["a", "b", "a"]
    settings.COMITY_FILE_ROOT = tmp_path / "a"
    upload = services.upload_create(actor=member, space=consultation, length=len(data), filename="t.pdf")
    result = None
    for host, start, end in zip(hosts, cuts[:-1], cuts[1:], strict=True):
        settings.COMITY_FILE_ROOT = tmp_path / host
        upload = Upload.objects.get(pk=upload.pk)
        assert services.upload_offset(upload) == start
        result = services.upload_append(actor=member, upload=upload, offset=start, stream=io.BytesIO(data[start:end]))
        assert result.received == end - start
    assert result is not None and result.attachment is not None
    assert b"".join(services.attachment_download(actor=member, attachment=result.attachment)) == data
    assert s3_store.segments(upload.temp_name) == []  # the shared copy of the upload is gone once it is a file
    assert s3_store.get_tail(upload.temp_name) is None


@pytest.mark.django_db
def test_a_host_drops_bytes_that_never_reached_the_shared_copy(s3_store, users, consultation, settings, tmp_path):
    from comity.files import services
    from comity.files.models import Upload

    member = users["member"]
    data = b"plain text line\n" * 200_000
    settings.COMITY_FILE_ROOT = tmp_path / "a"
    upload = services.upload_create(actor=member, space=consultation, length=len(data), filename="t.txt")
    services.upload_append(actor=member, upload=upload, offset=0, stream=io.BytesIO(data[:1_500_000]))
    with open(storage.part_path(upload.temp_name), "ab") as handle:
        handle.write(b"\0" * 70_000)  # as if a request died after writing locally
    upload = Upload.objects.get(pk=upload.pk)
    result = services.upload_append(actor=member, upload=upload, offset=1_500_000, stream=io.BytesIO(data[1_500_000:]))
    assert result.attachment is not None
    assert b"".join(services.attachment_download(actor=member, attachment=result.attachment)) == data
