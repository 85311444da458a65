"""A 2,000-row web import does not stall the platform: while it runs in another thread (as the task worker runs
it), a sign-in's audit event and a new forum post each complete in under a second, and the chain stays intact."""

from __future__ import annotations

import io
import logging
import statistics
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.audit.services import audit_log
from comity.directory.importexport.csv_import import Mode
from comity.directory.models import Authority, ImportJob
from comity.directory.tests.test_import import NEW_BR, make_csv, report_rows
from comity.forum import services as forum
from comity.forum.models import SpaceKind
from comity.testing import sign_in

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
ROWS = 2000
LIMIT_SECONDS = 1.0


def _in_thread(target, failures: list) -> threading.Thread:
    def body():
        try:
            target()
        except BaseException as exc:  # reported by the test, with the thread's other failures
            failures.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=body)
    worker.start()
    return worker


def _measure_while(worker: threading.Thread, user, thread) -> dict[str, list[float]]:
    """Sign-in audit events and posts, one of each every half second, for as long as the import runs."""
    timings: dict[str, list[float]] = {"sign-in": [], "post": []}
    n = 0
    while worker.is_alive():
        started = time.monotonic()
        with transaction.atomic():  # what accounts.services.signin.sign_in_complete writes
            audit_log(action=AuditAction.LOGIN_SUCCEEDED, actor=user, target=user, country="BR")
        timings["sign-in"].append(time.monotonic() - started)
        started = time.monotonic()
        forum.post_create(actor=user, thread=thread, body=f"during the import {n}")
        timings["post"].append(time.monotonic() - started)
        n += 1
        time.sleep(0.5)
    return timings


def test_a_2000_row_import_does_not_stall_sign_ins_or_posts(users, settings, caplog):
    settings.AUDIT_CHAIN_HOLD_WARNING_SECONDS = LIMIT_SECONDS
    caplog.set_level(logging.WARNING, logger="comity.audit.services")
    coordinator, member = users["coordinator"], users["member"]
    space = forum.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")
    thread = forum.thread_create(actor=member, space=space, title="Busy day", body="opening")
    content = make_csv([{**NEW_BR, "official_name": f"Authority {n}"} for n in range(ROWS)])
    client = Client()
    sign_in(client, coordinator)
    answers: dict = {}
    failures: list[BaseException] = []
    seq_before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile

        answers["dry_run"] = client.post(
            reverse("directory:import"), {"file": SimpleUploadedFile("big.csv", content, "text/csv")}
        )

    worker = _in_thread(upload, failures)
    dry_run = _measure_while(worker, member, thread)
    assert failures == []
    assert answers["dry_run"].status_code == 200
    assert [row[2] for row in report_rows(answers["dry_run"])] == ["would create"] * ROWS
    # The dry run wrote nothing to the chain (only the measurements' own events are new).
    assert not AuditEvent.objects.filter(seq__gt=seq_before, action__startswith="directory.").exists()
    job = ImportJob.objects.get()

    def apply():
        answers["apply"] = client.post(reverse("directory:import"), {"token": job.token, "action": Mode.APPLY})

    worker = _in_thread(apply, failures)
    applying = _measure_while(worker, member, thread)
    assert failures == []
    assert answers["apply"].status_code == 200
    assert [row[2] for row in report_rows(answers["apply"])] == ["created"] * ROWS

    for phase, timings in (("dry run", dry_run), ("apply", applying)):
        for kind, durations in timings.items():
            print(  # noqa: T201 (the measurement the issue asks for, shown with -s)
                f"{phase}: {kind} n={len(durations)} median={statistics.median(durations):.3f}s "
                f"max={max(durations):.3f}s"
            )
            assert len(durations) >= 5, (phase, kind)  # measured while the import ran, not after
            assert max(durations) < LIMIT_SECONDS, (phase, kind, sorted(durations)[-3:])
    assert caplog.records == []  # no transaction held the chain's lock for a second or more

    assert Authority.objects.filter(official_name__startswith="Authority ").count() == ROWS
    counts = {
        action: AuditEvent.objects.filter(action=action).count()
        for action in (
            AuditAction.DIRECTORY_IMPORT_QUEUED,
            AuditAction.AUTHORITY_CREATED,
            AuditAction.DIRECTORY_IMPORTED,
            AuditAction.LOGIN_SUCCEEDED,
        )
    }
    assert counts == {
        AuditAction.DIRECTORY_IMPORT_QUEUED: 1,
        AuditAction.AUTHORITY_CREATED: ROWS,
        AuditAction.DIRECTORY_IMPORTED: 1,
        AuditAction.LOGIN_SUCCEEDED: len(dry_run["sign-in"]) + len(applying["sign-in"]),
    }
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue() == f"Audit chain intact: {AuditEvent.objects.count()} events\n"
