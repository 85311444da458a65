"""Fixtures of the file exchange tests: a private file root per test, a private consultation, sample files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from comity.files import services
from comity.files.demo import demo_pdf
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind


@pytest.fixture(autouse=True)
def file_root(tmp_path, settings):
    settings.COMITY_FILE_ROOT = tmp_path / "files"
    return settings.COMITY_FILE_ROOT


@pytest.fixture
def consultation(users):
    """A private consultation started by the Brazilian member (its moderator), with Brazil's coordinator and
    liaison invited. Indonesians, the secretariat and global moderators cannot read it."""
    return forum_services.space_create(
        actor=users["member"],
        kind=SpaceKind.PRIVATE,
        name="Brazil draft request consultation",
        invite_users=[users["coordinator"], users["liaison"]],
    )


@pytest.fixture
def plenary(users):
    return forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def shared(users, consultation):
    """A PDF shared directly in the consultation by the coordinator."""
    return services.attachment_create(
        actor=users["coordinator"], space=consultation, filename="draft.pdf", content=[pdf(b"draft request")]
    )


def pdf(marker: bytes = b"demo") -> bytes:
    return demo_pdf(lines=(marker.decode(),))


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def zipped(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first), members.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ooxml(main_type: str, part: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    ).encode()
    return zipped({"[Content_Types].xml": types, part: b"<xml/>"})


def odf(mimetype: str) -> bytes:
    return zipped({"mimetype": mimetype.encode(), "content.xml": b"<xml/>"}, first="mimetype")


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
