"""Keeping an uploaded file between the dry run and the apply, server-side and bound to the session.

The file is stored under DIRECTORY_IMPORT_DIR (default VAR_DIR/imports, never served), named by a random token.
The session keeps the token with the file's SHA-256, the user and the time; the form only sends the token back,
so the client can neither choose a path nor swap the content. Files expire after an hour.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "directory_import_uploads"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_TTL_SECONDS = 60 * 60
MAX_UPLOADS_PER_SESSION = 5


def upload_dir() -> Path:
    return Path(getattr(settings, "DIRECTORY_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))


def store_upload(session, *, user, content: bytes, name: str) -> str:
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(directory)
    token = secrets.token_hex(16)
    path = directory / f"{token}.csv"
    path.write_bytes(content)
    path.chmod(0o600)
    uploads = dict(session.get(SESSION_KEY) or {})
    uploads[token] = {
        "name": name[:200],
        "sha256": hashlib.sha256(content).hexdigest(),
        "user": user.pk,
        "at": time.time(),
    }
    for old in sorted(uploads, key=lambda t: uploads[t]["at"])[:-MAX_UPLOADS_PER_SESSION]:
        _remove(old)
        del uploads[old]
    session[SESSION_KEY] = uploads
    return token


def load_upload(session, *, user, token: str) -> tuple[bytes, str] | None:
    """The stored content and file name, or None when the token is not this session's or has expired."""
    entry = (session.get(SESSION_KEY) or {}).get(token)
    if not entry or not _TOKEN.match(token) or entry["user"] != user.pk:
        return None
    if time.time() - entry["at"] > UPLOAD_TTL_SECONDS:
        discard_upload(session, token=token)
        return None
    try:
        content = (upload_dir() / f"{token}.csv").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return None
    return content, entry["name"]


def discard_upload(session, *, token: str) -> None:
    uploads = dict(session.get(SESSION_KEY) or {})
    if uploads.pop(token, None) is not None:
        session[SESSION_KEY] = uploads
    if _TOKEN.match(token):
        _remove(token)


def _remove(token: str) -> None:
    (upload_dir() / f"{token}.csv").unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
