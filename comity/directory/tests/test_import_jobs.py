"""Web imports as background jobs: the file staged in the database, progress, the kept report, failures shown on
the page (never a 500), a single apply per file, and the audit events of an apply."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comity.audit.models import AuditAction, AuditChainHead, AuditEvent
from comity.directory import services
from comity.directory.importexport.csv_import import Mode, jobs, staging
from comity.directory.models import Authority, ImportJob
from comity.directory.tests.factories import AuthorityFactory
from comity.directory.tests.test_import import (
    NEW_BR,
    form_errors,
    make_csv,
    page_text,
    report_rows,
    run,
    state,
    token_of,
    upload,
)

pytestmark = pytest.mark.django_db


def rows(n: int) -> list[dict]:
    return [{**NEW_BR, "official_name": f"Authority {i}"} for i in range(n)]


def queued(user, content: bytes, *, state=ImportJob.State.QUEUED, **fields) -> ImportJob:
    """A job as the page leaves it when the worker has not run it yet."""
    job = staging.store_upload(user=user, content=content, name="late.csv", rows=content.count(b"\r\n") - 1)
    ImportJob.objects.filter(pk=job.pk).update(state=state, **fields)
    job.refresh_from_db()
    return job


def directory_events() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action__startswith="directory.").order_by("seq").values_list("action", "country_code")
    )


# --- the check writes nothing to the chain ---------------------------------------------------------------------


def test_a_dry_run_never_touches_the_audit_chain(users, brazil):
    existing = AuthorityFactory(country=brazil, official_name="Old name", timezone="America/Sao_Paulo")
    header = ["id", "country", "official_name"]
    update = {"id": str(existing.pk), "country": "BR", "official_name": "New"}
    report = run(users["coordinator"], [NEW_BR], Mode.DRY_RUN)
    assert [r.status for r in report.rows] == ["create"]
    report = run(users["coordinator"], [update], Mode.DRY_RUN, header=header)
    assert [(r.status, r.changed) for r in report.rows] == [("update", ["official_name"])]
    assert not AuditChainHead.objects.exists()  # not even locked: the head row was never created
    assert not AuditEvent.objects.exists()
    existing.refresh_from_db()
    assert existing.official_name == "Old name"


def test_an_import_refuses_to_run_inside_a_longer_transaction(users):
    """Each row commits by itself; inside an outer transaction the chain's lock would be held to its end."""
    with pytest.raises(RuntimeError), transaction.atomic():
        run(users["coordinator"], [NEW_BR], Mode.APPLY)
    assert not Authority.objects.exists()


def test_rows_are_checked_in_batches_and_a_repeated_id_is_found_across_them(users, brazil):
    existing = AuthorityFactory(country=brazil, timezone="America/Sao_Paulo")
    same = {**NEW_BR, "id": str(existing.pk)}
    content = rows(60) + [same] + rows(45) + [same]  # rows 62 and 108: in the second and third batches of 50
    report = run(users["secretariat"], content)
    assert [r.number for r in report.rows if r.status == "error"] == [108]
    assert [(e.column, e.message) for e in report.rows[-1].errors] == [
        ("id", f"Authority {existing.pk} is already on row 62.")
    ]
    assert report.counts == {"rows": 107, "created": 105, "updated": 1, "unchanged": 0, "skipped": 0, "errors": 1}


# --- the page: queued, running, finished --------------------------------------------------------------------------


def test_a_queued_import_shows_a_progress_page_that_reloads_itself(personas, users):
    job = queued(users["coordinator"], make_csv(rows(40)), state=ImportJob.State.RUNNING, phase="checking")
    ImportJob.objects.filter(pk=job.pk).update(rows_done=10)
    response = personas["coordinator"].get(reverse("directory:import_job", args=[job.token]))
    assert response.status_code == 200
    assert response["Refresh"] == "2"
    text = page_text(response)
    assert "Dry run of late.csv" in text
    assert "Checking rows: 10 of 40." in text
    assert '<progress max="100" value="25">25%</progress>' in response.content.decode()
    assert f'<a href="/en/directory/import/{job.token}/">Reload now</a>' in response.content.decode()
    assert "made no progress" not in text

    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.QUEUED, phase="", rows_done=0)
    assert "Waiting for the task worker to start." in page_text(
        personas["coordinator"].get(reverse("directory:import_job", args=[job.token]))
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    assert "This import has made no progress for more than ten minutes: the task worker may be stopped." in page_text(
        personas["coordinator"].get(reverse("directory:import_job", args=[job.token]))
    )


def test_the_job_page_is_its_owners_only(personas, users):
    job = queued(users["coordinator"], make_csv(rows(1)))
    url = reverse("directory:import_job", args=[job.token])
    assert personas["coordinator"].get(url).status_code == 200
    for name in ("secretariat", "coordinator_other"):
        assert personas[name].get(url).status_code == 404
    assert personas["member"].get(url).status_code == 404
    assert personas["coordinator"].get(reverse("directory:import_job", args=["0" * 32])).status_code == 404
    assert personas["coordinator"].get(reverse("directory:import_job", args=["not-a-token"])).status_code == 404


def test_the_report_stays_available_after_the_run(personas, users):
    client = personas["coordinator"]
    response = upload(client, make_csv([NEW_BR]))
    token = token_of(response)
    job = ImportJob.objects.get()
    assert (job.token, job.state, job.mode, job.rows_total, job.rows_done) == (token, "done", "dry_run", 1, 1)
    again = client.get(reverse("directory:import_job", args=[token]))
    assert again.status_code == 200
    assert (
        report_rows(again) == report_rows(response) == [("2", "Departamento de Cooperação (demo)", "would create", "")]
    )
    assert token_of(again) == token  # the apply is still offered from the kept report
    applied = client.post(reverse("directory:import"), {"token": token, "action": "apply"})
    created = Authority.objects.get()
    later = client.get(reverse("directory:import_job", args=[token]))
    assert (
        report_rows(later)
        == report_rows(applied)
        == [("2", f"Departamento de Cooperação (demo) #{created.pk}", "created", "")]
    )
    assert "Import applied: 1 created, 0 updated, 0 unchanged, 0 rows with errors not imported." in page_text(later)
    assert 'name="token"' not in later.content.decode()


@pytest.mark.django_db(transaction=True)  # db_worker closes and reopens connections, as in production
def test_with_the_database_backend_the_page_waits_for_the_worker(personas, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    client = personas["coordinator"]
    response = upload(client, make_csv([NEW_BR]))
    job = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/en/directory/import/{job.token}/")
    page = client.get(response["Location"])
    assert "Waiting for the task worker to start." in page_text(page)
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("comity.directory.tasks.run_import_job", "READY")
    ]
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Refresh" not in page
    assert report_rows(page) == [("2", "Departamento de Cooperação (demo)", "would create", "")]

    response = client.post(reverse("directory:import"), {"token": job.token, "action": "apply"})
    assert (response.status_code, response["Location"]) == (302, f"/en/directory/import/{job.token}/")
    assert "Waiting for the task worker to start." in page_text(client.get(response["Location"]))
    assert not Authority.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    created = Authority.objects.get()
    page = client.get(response["Location"])
    assert report_rows(page) == [("2", f"Departamento de Cooperação (demo) #{created.pk}", "created", "")]
    assert [e[0] for e in directory_events()] == [
        AuditAction.DIRECTORY_IMPORT_QUEUED,
        AuditAction.AUTHORITY_CREATED,
        AuditAction.DIRECTORY_IMPORTED,
    ]


# --- one apply per file -----------------------------------------------------------------------------------------


def test_a_file_is_applied_once_even_when_submitted_twice(personas, users, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    job = queued(users["coordinator"], make_csv([NEW_BR]), state=ImportJob.State.DONE)
    first = jobs.job_queue_apply(actor=users["coordinator"], job=job, mode=Mode.APPLY)
    assert first.state == ImportJob.State.QUEUED
    with pytest.raises(jobs.ApplyRefused) as info:  # the second tab: the file is claimed already
        jobs.job_queue_apply(actor=users["coordinator"], job=job, mode=Mode.APPLY_VALID)
    assert info.value.message == jobs.gone_message()
    assert directory_events() == [(AuditAction.DIRECTORY_IMPORT_QUEUED, "BR")]
    assert jobs.job_run(job.pk) == ImportJob.State.DONE
    assert jobs.job_run(job.pk) == "skipped"  # a task delivered twice runs once
    assert Authority.objects.count() == 1


def test_an_expired_or_foreign_file_cannot_be_applied(personas, users):
    job = queued(users["coordinator"], make_csv([NEW_BR]), state=ImportJob.State.DONE)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=1, seconds=1))
    before = state()
    response = personas["coordinator"].post(reverse("directory:import"), {"token": job.token, "action": "apply"})
    assert response.status_code == 400
    assert form_errors(response) == [jobs.gone_message()]
    assert state() == before


def test_old_files_are_erased_and_old_reports_forgotten(users):
    user = users["coordinator"]
    old = queued(user, make_csv([NEW_BR]), state=ImportJob.State.DONE)
    ancient = queued(user, make_csv([NEW_BR]), state=ImportJob.State.DONE)
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    ImportJob.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    kept = [queued(user, make_csv([NEW_BR]), state=ImportJob.State.DONE) for _ in range(5)]
    assert ImportJob.objects.get(pk=old.pk).content is None
    assert not ImportJob.objects.filter(pk=ancient.pk).exists()
    with_content = ImportJob.objects.filter(user=user, content__isnull=False).order_by("pk")
    assert list(with_content.values_list("pk", flat=True)) == [job.pk for job in kept[-5:]]
    assert ImportJob.objects.filter(pk=kept[0].pk).values_list("report", flat=True).get() == {}


# --- failures: a clear report, never a 500 ------------------------------------------------------------------------


def test_an_error_midway_stops_the_apply_with_a_clear_report(personas, users, monkeypatch):
    client = personas["coordinator"]
    response = upload(client, make_csv(rows(3)))
    token = token_of(response)
    real = services.authority_create
    calls = []

    def third_fails(**kwargs):
        calls.append(kwargs["data"]["official_name"])
        if len(calls) == 6:  # the third row of the apply, after the check of all three
            raise ConnectionError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "authority_create", third_fails)
    response = client.post(reverse("directory:import"), {"token": token, "action": "apply"})
    assert response.status_code == 200
    assert form_errors(response) == [
        "The import stopped because of an unexpected error. 2 rows had been imported before it stopped; the report "
        "below lists the rows it reached."
    ]
    assert "The import stopped" in page_text(response)
    ids = list(Authority.objects.order_by("pk").values_list("pk", flat=True))
    assert report_rows(response) == [
        ("2", f"Authority 0 #{ids[0]}", "created", ""),
        ("3", f"Authority 1 #{ids[1]}", "created", ""),
    ]
    assert 'name="token"' not in response.content.decode()  # a half-applied file cannot be applied again
    assert directory_events() == [
        (AuditAction.DIRECTORY_IMPORT_QUEUED, "BR"),
        (AuditAction.AUTHORITY_CREATED, "BR"),
        (AuditAction.AUTHORITY_CREATED, "BR"),
        (AuditAction.DIRECTORY_IMPORT_FAILED, "BR"),
    ]
    failed = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORT_FAILED)
    assert {k: v for k, v in failed.details.items() if k != "sha256"} == {
        "file": "authorities.csv",
        "valid_rows_only": False,
        "reason": "error",
        "rows_applied": 2,
    }
    assert ImportJob.objects.get().content is None


def test_a_failing_dry_run_is_reported_and_not_audited(personas, monkeypatch):
    def broken(**kwargs):
        raise ConnectionError("database went away")

    monkeypatch.setattr(services, "authority_create", broken)
    response = upload(personas["coordinator"], make_csv([NEW_BR]))
    assert response.status_code == 200
    assert form_errors(response) == [
        "The import stopped because of an unexpected error. Nothing was imported. Upload the file again to retry."
    ]
    assert not AuditEvent.objects.exists()


def test_a_task_backend_that_refuses_the_job_is_reported(personas, monkeypatch):
    from comity.directory import tasks

    def refuse(*args):
        raise OSError("queue is down")

    monkeypatch.setattr(tasks, "run_import_job", SimpleNamespace(enqueue=refuse))
    response = upload(personas["coordinator"], make_csv([NEW_BR]))
    assert response.status_code == 200
    assert form_errors(response) == [
        "The import could not be handed to the task worker. Try again in a few minutes. Nothing was imported. "
        "Upload the file again to retry."
    ]
    assert ImportJob.objects.get().state == ImportJob.State.FAILED


def test_rows_that_broke_after_the_dry_run_refuse_the_apply(personas, users, brazil):
    existing = AuthorityFactory(country=brazil, official_name="Kept", timezone="America/Sao_Paulo")
    client = personas["coordinator"]
    response = upload(client, make_csv([NEW_BR, {**NEW_BR, "id": str(existing.pk), "official_name": "Renamed"}]))
    token = token_of(response)
    gone = existing.pk
    existing.delete()  # someone removed the record in between
    before = state()
    response = client.post(reverse("directory:import"), {"token": token, "action": "apply"})
    assert response.status_code == 400
    assert "Some rows have errors, so no row was imported." in page_text(response)
    assert report_rows(response) == [
        ("2", "Departamento de Cooperação (demo)", "would create", ""),
        ("3", f"Renamed #{gone}", "error", f"id: There is no authority {gone} that you may edit."),
    ]
    assert token_of(response) == token  # the valid rows may still be applied
    assert state()[:2] == before[:2]
    assert directory_events() == [
        (AuditAction.DIRECTORY_IMPORT_QUEUED, "BR"),
        (AuditAction.DIRECTORY_IMPORT_FAILED, "BR"),
    ]
    failed = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORT_FAILED)
    assert (failed.details["reason"], failed.details["errors"], failed.details["created"]) == (
        "rows_with_errors",
        1,
        1,
    )
    response = client.post(reverse("directory:import"), {"token": token, "action": "apply_valid"})
    assert response.status_code == 200
    assert [row[2] for row in report_rows(response)] == ["created", "error, not imported"]


def test_the_worker_events_carry_the_origin_of_the_request(personas):
    client = personas["coordinator"]
    token = token_of(upload(client, make_csv([NEW_BR])))
    client.post(
        reverse("directory:import"),
        {"token": token, "action": "apply"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Import test",
    )
    origins = set(
        AuditEvent.objects.filter(action__startswith="directory.").values_list("ip", "user_agent", "request_id")
    )
    [(ip, agent, request_id)] = origins
    assert (ip, agent, bool(re.fullmatch(r"[0-9a-f-]{8,64}", request_id))) == ("203.0.113.7", "Import test", True)


def test_a_validation_error_is_a_row_error_not_a_failure(users, monkeypatch):
    def invalid(**kwargs):
        raise ValidationError({"official_name": ["Refused by the service."]})

    monkeypatch.setattr(services, "authority_create", invalid)
    report = run(users["coordinator"], [NEW_BR], Mode.APPLY_VALID)
    assert [(r.status, [(e.column, e.message) for e in r.errors]) for r in report.rows] == [
        ("error", [("official_name", "Refused by the service.")])
    ]
