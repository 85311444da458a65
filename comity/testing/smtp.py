"""A real SMTP server on loopback for tests (aiosmtpd), which can be stopped to simulate an outage."""

from __future__ import annotations

import asyncio
import email
import logging
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

# aiosmtpd logs dropped connections from its own thread, sometimes after pytest has closed its capture
# streams ("I/O operation on closed file"); the tests assert on delivered mail, not on that log.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class Sink:
    """An aiosmtpd handler that keeps every message it accepts.

    `delay` (seconds) makes it a slow relay: each message is accepted only that long after its data arrived,
    while other connections go on being served."""

    def __init__(self, delay: float = 0.0):
        self.envelopes = []
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.delay:
            await asyncio.sleep(self.delay)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped (an outage) and started again on the same port."""

    def __init__(self, delay: float = 0.0):
        self.sink = Sink(delay=delay)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None

    def start(self):
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
