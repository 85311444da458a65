"""Errors of the file exchange that the web layer turns into status codes."""

from __future__ import annotations

from django.utils.translation import gettext as _


class FileError(Exception):
    code = "file_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class FileTooLarge(FileError):
    code = "too_large"


class OffsetMismatch(FileError):
    code = "offset_mismatch"

    def __init__(self, offset: int) -> None:
        super().__init__(_("The upload is at byte %(offset)s; send the data from there.") % {"offset": offset})
        self.offset = offset


class UploadExpired(FileError):
    code = "expired"


class ChecksumMismatch(FileError):
    code = "checksum_mismatch"


class UploadBusy(FileError):
    code = "locked"


class DownloadFailed(FileError):
    """The stored file (or its key) failed an integrity check; the failure is logged."""

    code = "integrity_error"
