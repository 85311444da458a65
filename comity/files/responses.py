"""The download response, shared by the page and the API: streamed, never sniffed, never rendered inline."""

from __future__ import annotations

import base64
import unicodedata
from urllib.parse import quote

from django.http import StreamingHttpResponse

from comity.files import services
from comity.files.models import Attachment

# Even if a browser were talked into rendering the file, it would run in an opaque origin with no scripts.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
ACTIVE_CONTENT_HEADER = "Comity-Active-Content"


def _ascii_fallback(filename: str) -> str:
    text = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    text = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in text).strip()
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem.strip("_ "):
        original_ext = filename.rpartition(".")[2] if "." in filename else ""
        return f"file.{original_ext}" if original_ext.isascii() and original_ext.isalnum() else "file"
    return text


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the exact name in RFC 5987/8187 `filename*`."""
    return f"attachment; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(*, actor, attachment: Attachment) -> StreamingHttpResponse:
    """Raises services.DownloadFailed when the stored file or its key fails verification (already logged)."""
    chunks = services.attachment_download(actor=actor, attachment=attachment)
    response = StreamingHttpResponse(chunks, content_type=attachment.content_type)
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    # RFC 9530: lets the recipient check the bytes against the file log's hash.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(attachment.sha256)).decode()}:"
    if attachment.active_content:
        # Flagged to every downloader, API clients included: JavaScript or a launch action in a PDF, or markup
        # that makes the file a web page too. The pages show the same warning next to the file.
        response[ACTIVE_CONTENT_HEADER] = ", ".join(attachment.active_content)
    return response
