"""Background work of the accounts app through django-tasks (the database backend; tests use Immediate)."""

from __future__ import annotations

from django_tasks import task

from comity.accounts.services import passwords
from comity.core import context


@task()
def password_reset_send(*, email: str, language: str, request_id: str = "", ip: str | None = None) -> bool:
    """Mail a reset link if an account has the address. Enqueued for every accepted request, known or not,
    so that the request itself takes the same time either way. The audit event keeps the request's id and IP."""
    token = context.set_current(context.RequestContext(request_id=request_id, ip=ip))
    try:
        return passwords.password_reset_send(email=email, language=language)
    finally:
        context.reset(token)
