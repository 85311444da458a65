"""Fixtures that run django-tasks in the test process and fail the test when a task fails."""

from __future__ import annotations

import pytest
from django_tasks.signals import task_finished  # also resets the task backends when TASKS is overridden


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tests run django-tasks' ImmediateBackend, whatever the project's default backend is."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _tasks_must_succeed():
    """The ImmediateBackend records a failing task instead of raising: make such a failure fail the test."""
    failures = []

    def record(sender, task_result, **kwargs):
        if task_result.status != "SUCCESSFUL":
            failures.append(f"{task_result.task.name}: {[e.traceback for e in task_result.errors]}")

    task_finished.connect(record)
    yield
    task_finished.disconnect(record)
    assert failures == []
