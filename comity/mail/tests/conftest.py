"""Fixtures for the outbox tests: a real SMTP server on loopback, tasks run in the test process."""

from comity.testing.smtp import smtp_server  # noqa: F401 - fixture
from comity.testing.tasks import _immediate_tasks, _tasks_must_succeed  # noqa: F401 - fixtures
