"""Log formats: one JSON object per line in production, readable text in development.

Every line carries the request id of the request that wrote it (from `core/context.py`) and, once the user is
known, a stable hash of the user's id (never the id, name or address itself). The access line
(`comity.access`) adds the path, status and duration."""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging

from django.conf import settings

from comity.core import context

_user_hash: contextvars.ContextVar[str] = contextvars.ContextVar("comity_log_user", default="")
_request: contextvars.ContextVar[object | None] = contextvars.ContextVar("comity_log_request", default=None)

# Attributes every LogRecord has; anything else a caller passed in `extra=` is written out as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def user_hash(user_id: object) -> str:
    """A stable pseudonym for a user id: the same on every host (keyed by SECRET_KEY), not reversible."""
    key = hashlib.sha256(b"comity-log-user\x00" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def set_user(user_id: object | None) -> contextvars.Token:
    return _user_hash.set(user_hash(user_id) if user_id is not None else "")


def reset_user(token: contextvars.Token) -> None:
    _user_hash.reset(token)


def set_request(request) -> contextvars.Token:
    return _request.set(request)


def reset_request(token: contextvars.Token) -> None:
    _request.reset(token)


def known_user_id(request) -> object | None:
    """The signed-in user's id if the request has already loaded its user; never loads it (that would read the
    session, and make a public page vary by cookie, only for a log line)."""
    from django.utils.functional import empty

    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


def current_user_hash() -> str:
    explicit = _user_hash.get()
    if explicit:
        return explicit
    request = _request.get()
    user_id = known_user_id(request) if request is not None else None
    return user_hash(user_id) if user_id is not None else ""


class ContextFilter(logging.Filter):
    """Adds `request_id` and `user` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = context.current().request_id
        if not getattr(record, "user", ""):
            record.user = current_user_hash()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger [request] message key=value...` for a developer's terminal."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and key not in {"request_id", "user"} and not key.startswith("_") and value
        )
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC).strftime("%H:%M:%S")
        request = getattr(record, "request_id", "")
        line = f"{moment} {record.levelname:7} {record.name}{f' [{request[:8]}]' if request else ''} "
        line += record.getMessage() + (f" {extras}" if extras else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: `json` or `text` on standard error."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "comity.core.logging.ContextFilter"}},
        "formatters": {
            "json": {"()": "comity.core.logging.JsonFormatter"},
            "text": {"()": "comity.core.logging.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "text",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
