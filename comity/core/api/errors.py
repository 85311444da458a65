"""One JSON error shape for every API error: {"error": {"status", "code", "message", "fields"?}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    return str(detail)


def _fields(detail) -> dict:
    out = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            out[key] = _fields(value)
        elif isinstance(value, list):
            out[key] = [str(v) if not isinstance(v, dict) else _fields(v) for v in value]
        else:
            out[key] = [str(value)]
    return out


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = getattr(exc, "detail", None)
    code = "error"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
    body: dict = {"status": response.status_code, "code": code}
    if isinstance(detail, dict):
        body["message"] = "Invalid input."
        body["fields"] = _fields(detail)
    else:
        body["message"] = _flatten(detail) if detail is not None else str(exc)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        body["retry_after_seconds"] = int(exc.wait)
    return Response({"error": body}, status=response.status_code, headers=dict(response.headers.items()))
