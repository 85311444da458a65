"""The API keeps its published contract: Schemathesis calls every operation of /api/v1/schema/ with generated input,
as the secretariat and as a member, on the demo data, and fails on any server error, undocumented status,
wrong content type or answer that does not match the schema.

Two checks are left out on purpose. `positive_data_acceptance` expects every schema-valid request to succeed, but
filters are validated against live data (a network slug must name a network; a country code must exist), which
no static schema can say, so a generated "BX" is rightly a 400. `negative_data_rejection` would demand a 400 for
extra query parameters, which the API ignores, as HTTP APIs commonly do. Everything an answer contains is checked.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks
from schemathesis.core.failures import Failure, FailureGroup

from comity.accounts.models import ApiToken, User
from comity.accounts.services import api_token_create
from comity.demo.services import demo_seed

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@schemathesis.serializer("application/offset+octet-stream")
def _tus_chunk(ctx, value):
    """A tus PATCH body is raw bytes; generated values are sent as their UTF-8 text."""
    if isinstance(value, bytes):
        return value
    return str(value).encode()


@pytest.fixture
def demo_tokens(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }
    call_command("load_reference", verbosity=0)
    demo_seed()
    tokens = {}
    for email in ("admin@demo.comity.test", "member.br@demo.comity.test"):
        user = User.objects.get(email=email)
        _token, raw = api_token_create(user=user, name="schemathesis", scope=ApiToken.Scope.WRITE)
        tokens[user.role] = raw
    return tokens


def _failures_of(operation, tokens: dict[str, str]) -> list[str]:
    found: list[str] = []

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        for role, token in tokens.items():
            try:
                # Identity coding: over WSGI Schemathesis reads the body as sent, and the API compresses answers
                # for clients that accept gzip (comity/config/compression.py, tested on its own).
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}, checks=CHECKS
                )
            except (Failure, FailureGroup) as exc:
                found.append(f"{operation.method.upper()} {operation.path} as {role}: {str(exc).strip()[:2000]}")

    run()
    return found


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes database connections at the end of each request (Django's test client unhooks
    that); on PostgreSQL it would close the test's own transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_keeps_the_schema(demo_tokens, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:
        failures.extend(_failures_of(operation, demo_tokens))
    assert failures == [], "\n\n".join(dict.fromkeys(failures))
    # The schema lists the API's routes (a schema that lost its paths would pass the loop above vacuously).
    assert len(operations) >= 36
