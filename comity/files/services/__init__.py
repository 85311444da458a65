"""Every write of the file exchange, one module per topic; callers import from here (`services.attachment_create`)."""

# Each upload, download and deletion writes a FileEvent and an audit event.
#
# Data flow of an upload: plaintext arrives in pieces -> SealedWriter encrypts whole chunks to a temporary
# .part file with the file's own key (nothing is ever written in clear) -> on the last byte the content is
# classified against the allow-list, the .part file is renamed into the object store and the Attachment row
# is created. The SHA-256 is computed while the bytes stream in; when an upload was resumed across requests,
# it is computed by one decrypting pass over the stored file at completion (which also re-verifies it).

from comity.files.services._common import READ_SIZE
from comity.files.services.deletion import attachment_delete, attachments_purge_for_posts
from comity.files.services.downloads import attachment_download, file_log_export_record
from comity.files.services.errors import (
    ChecksumMismatch,
    DownloadFailed,
    FileError,
    FileTooLarge,
    OffsetMismatch,
    UploadBusy,
    UploadExpired,
)
from comity.files.services.resumable import (
    CHECKSUM_ALGORITHMS,
    AppendResult,
    upload_append,
    upload_create,
    upload_offset,
    upload_terminate,
    uploads_purge,
)
from comity.files.services.rotation import RotationResult, master_key_rotate
from comity.files.services.uploads import SealedTemp, attachment_create, attachment_create_from_sealed

__all__ = [
    "CHECKSUM_ALGORITHMS",
    "READ_SIZE",
    "AppendResult",
    "ChecksumMismatch",
    "DownloadFailed",
    "FileError",
    "FileTooLarge",
    "OffsetMismatch",
    "RotationResult",
    "SealedTemp",
    "UploadBusy",
    "UploadExpired",
    "attachment_create",
    "attachment_create_from_sealed",
    "attachment_delete",
    "attachment_download",
    "attachments_purge_for_posts",
    "file_log_export_record",
    "master_key_rotate",
    "upload_append",
    "upload_create",
    "upload_offset",
    "upload_terminate",
    "uploads_purge",
]
