"""(files) Upload and download throughput and peak memory of the encrypted file store, through the service layer.

    .venv/bin/python -m bench.files_bench [--size-mib 200] [--small-mib 20]

Scenarios: an upload in one request (the form, or one tus PATCH: hashed while streaming), a resumable upload
in four tus PATCHes (hashed by a decrypting pass at completion) and a download (decrypt and verify every
chunk). Throughput is measured without tracemalloc; peak memory is measured in a second run under tracemalloc
(Python allocations only), at two sizes: it must not grow with the file (O(chunk), about 1 MiB chunks).

Runs on a throw-away SQLite database and file root in a temporary directory (COMITY_BENCH_DB overrides the
database), so it needs no preparation and leaves nothing behind."""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench import common

MIB = 1024 * 1024
READ = 256 * 1024


class Source:
    """`size` bytes of a PDF-looking stream (the type check needs a real signature), read in pieces like a
    request body; only one random MiB is ever held."""

    def __init__(self, size: int, block: bytes) -> None:
        self.size = size
        self.block = block
        self.position = 0

    def read(self, count: int = READ) -> bytes:
        if self.position >= self.size:
            return b""
        start = self.position % len(self.block)
        piece = self.block[start : start + min(count, self.size - self.position, len(self.block) - start)]
        self.position += len(piece)
        return piece


class Limited:
    def __init__(self, source: Source, count: int) -> None:
        self.source = source
        self.left = count

    def read(self, count: int = READ) -> bytes:
        piece = self.source.read(min(count, self.left))
        self.left -= len(piece)
        return piece


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=200, help="file size for throughput and memory (200)")
    parser.add_argument("--small-mib", type=int, default=20, help="smaller size, to show memory stays flat (20)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="comity-files-bench-"))
    os.environ.setdefault("COMITY_BENCH_DB", str(workdir / "bench.sqlite3"))
    common.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.COMITY_FILE_ROOT = workdir / "files"
    settings.COMITY_MAX_UPLOAD_BYTES = max(args.size_mib, args.small_mib) * MIB + MIB
    call_command("migrate", verbosity=0, interactive=False)

    from comity.accounts.models import User
    from comity.files import services
    from comity.forum import services as forum_services
    from comity.forum.models import SpaceKind

    user, _created = User.objects.get_or_create(
        email="files-bench@bench.invalid", defaults={"full_name": "Files benchmark"}
    )
    space = forum_services.space_create(actor=user, kind=SpaceKind.PRIVATE, name="files benchmark")
    block = b"%PDF-1.7\n" + os.urandom(MIB - 9)

    def upload_single(size: int):
        return services.attachment_create(actor=user, space=space, filename="bench.pdf", content=Source(size, block))

    def upload_tus(size: int):
        upload = services.upload_create(actor=user, space=space, length=size, filename="bench.pdf")
        source = Source(size, block)
        part = -(-size // 4)
        result = None
        for offset in range(0, size, part):
            upload.refresh_from_db()
            result = services.upload_append(
                actor=user, upload=upload, offset=offset, stream=Limited(source, min(part, size - offset))
            )
        return result.attachment

    def download(attachment):
        digest = hashlib.sha256()
        for chunk in services.attachment_download(actor=user, attachment=attachment):
            digest.update(chunk)
        if digest.hexdigest() != attachment.sha256:
            raise SystemExit("download does not match the upload's SHA-256")
        return attachment

    def timed(call, *arguments):
        started = time.perf_counter()
        result = call(*arguments)
        return result, time.perf_counter() - started

    def peak(call, *arguments):
        tracemalloc.start()
        tracemalloc.reset_peak()
        try:
            result = call(*arguments)
            return result, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    print(f"database: {settings.DATABASES['default']['NAME']}; file root: {settings.COMITY_FILE_ROOT}")
    print(f"python {sys.version.split()[0]}; chunk 1 MiB; AES-256-GCM per chunk; SHA-256 of the plaintext")
    rows = []
    big, small = args.size_mib * MIB, args.small_mib * MIB
    for label, call in (("upload, one request", upload_single), ("upload, 4 tus PATCHes", upload_tus)):
        attachment, seconds = timed(call, big)
        _result, small_peak = peak(call, small)
        _result, big_peak = peak(call, big)
        rows.append(
            (
                label,
                args.size_mib,
                f"{seconds:.2f}",
                f"{args.size_mib / seconds:.0f}",
                f"{small_peak / MIB:.2f}",
                f"{big_peak / MIB:.2f}",
            )
        )
    small_attachment = upload_single(small)
    _result, seconds = timed(download, attachment)
    _result, small_peak = peak(download, small_attachment)
    _result, big_peak = peak(download, attachment)
    rows.append(
        (
            "download (verify every chunk)",
            args.size_mib,
            f"{seconds:.2f}",
            f"{args.size_mib / seconds:.0f}",
            f"{small_peak / MIB:.2f}",
            f"{big_peak / MIB:.2f}",
        )
    )
    print(
        common.table(
            ["scenario", "MiB", "seconds", "MiB/s", f"peak MiB @{args.small_mib}", f"peak MiB @{args.size_mib}"], rows
        )
    )
    print(
        f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"(interpreter, Django and the 1 MiB source block included)"
    )
    if "COMITY_BENCH_DB" not in os.environ or os.environ["COMITY_BENCH_DB"].startswith(str(workdir)):
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
