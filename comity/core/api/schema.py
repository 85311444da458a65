"""The OpenAPI schema's error answers: every operation documents each error status it can give, in one shape.

drf-spectacular documents what each view declares. Some errors come from layers every view shares: the
authentication classes (401), the scope check and roles (403), the throttles (429), the parsers (413, 415), the
pagination (400 for a bad `page`), the search time limit and the gunicorn worker that sheds reads under load
(503), and the tus protocol check of the upload endpoints (412). A view that declares one of these keeps its own
description; this hook adds the rest, each with the project's one error shape (`core/api/errors.py`), so that a
client or Schemathesis never meets an undocumented status.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ERROR_COMPONENT = "ErrorResponse"

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: one object under `error`.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {"type": "string", "description": "A stable machine-readable code, e.g. `not_found`."},
                "message": {"type": "string", "description": "A human-readable explanation."},
                "fields": {
                    "type": "object",
                    "description": (
                        "For invalid input: each rejected field with its messages (a list of strings, or for a "
                        "list or nested field, an object keyed by position or sub-field)."
                    ),
                    "additionalProperties": True,
                },
                "retry_after_seconds": {"type": "integer", "description": "With 429: when to try again."},
            },
            "required": ["status", "code", "message"],
        }
    },
    "required": ["error"],
}

DESCRIPTIONS = {
    "400": _("Invalid input, query parameter or page; `fields` names each rejected one."),
    "401": _("No valid token or verified session."),
    "403": _("The token's scope or the caller's role does not allow this."),
    "404": _("No such object, or one the caller may not see."),
    "409": _("The request conflicts with the object's current state."),
    "413": _("The request body is too large."),
    "415": _("The request body's media type is not accepted here."),
    "429": _("Too many requests: `retry_after_seconds` says when to try again."),
    "412": _("The tus protocol version is missing or not 1.0.0: send `Tus-Resumable: 1.0.0`."),
    "503": _("Temporarily unavailable (the server is overloaded, or a search took too long): try again later."),
}

COMMON = ("400", "401", "403", "404", "429")
WITH_BODY = ("409", "413", "415")
BY_METHOD = {
    "get": (*COMMON, "503"),
    "head": (*COMMON, "503"),
    "post": (*COMMON, *WITH_BODY),
    "put": (*COMMON, *WITH_BODY),
    "patch": (*COMMON, *WITH_BODY),
    "delete": (*COMMON, "409"),
    "options": COMMON,
}


def error_response(description) -> dict:
    return {
        "description": str(description),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the shared error answers each operation lacks."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            codes = BY_METHOD.get(method)
            if codes is None:
                continue
            responses = operation.setdefault("responses", {})
            headers = {p.get("name", "").lower() for p in operation.get("parameters", []) if p.get("in") == "header"}
            if "tus-resumable" in headers:
                codes = (*codes, "412")
            for code in codes:
                responses.setdefault(code, error_response(DESCRIPTIONS[code]))
    return result
