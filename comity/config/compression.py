"""Compression of pages and API answers, but not of downloads of stored files.

Django's GZipMiddleware compresses a response when the client accepts gzip; it guards against BREACH by padding the
gzip header with random bytes, and Django masks the CSRF token anew in every response, so that secret never repeats
across compressed responses. Downloads are left alone: they are encrypted-at-rest files that are usually compressed
already, they carry a `Content-Length` (progress bars, resumed downloads) and a `Repr-Digest` of their bytes, which
a content coding would contradict.
"""

from django.middleware.gzip import GZipMiddleware


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.has_header("Content-Disposition") or response.has_header("Repr-Digest"):
            return response
        return super().process_response(request, response)
