"""A Django upload handler that encrypts a form's file while it streams in.

Django's default handlers keep small files in memory and write large ones in clear to a temporary file;
this one replaces them for the upload form, so the bytes go straight through the same chunked encryption
as resumable uploads and never touch the disk in clear.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopFutureHandlers, StopUpload

from comity.files import services, sniff

FIELD_NAME = "file"


class EncryptingUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request=None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.sealed: services.SealedTemp | None = None
        self.filename = ""
        self.error = ""
        self.error_status = 400

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FIELD_NAME or self.sealed is not None or self.error:
            raise SkipFile
        self.sealed = services.SealedTemp(max_bytes=self.max_bytes)
        self.filename = file_name or ""
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data, start):
        if self.sealed is None:
            return
        try:
            self.sealed.write(raw_data)
        except services.FileTooLarge as exc:
            self._fail(exc.message, 413)
            raise StopUpload(connection_reset=True) from exc
        except sniff.Rejected as exc:
            self._fail(exc.message, 415)
            raise StopUpload(connection_reset=True) from exc
        return

    def file_complete(self, file_size):
        return self.sealed

    def upload_interrupted(self):
        if self.sealed is not None:
            self.sealed.close()
            self.sealed = None

    def _fail(self, message: str, status: int) -> None:
        self.error = message
        self.error_status = status
        if self.sealed is not None:
            self.sealed.close()
            self.sealed = None
