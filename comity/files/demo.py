"""Demo data: a small, clearly fictional PDF shared in the Brazil-Indonesia private consultation."""

from __future__ import annotations

import logging

from django.db.models import Q

from comity.files import permissions, services
from comity.files.models import Attachment
from comity.forum.models import Post, Space, SpaceKind, SpaceMember

logger = logging.getLogger("comity.files")

DEMO_FILENAME = "draft-mla-request-BR-ID-FICTIONAL.pdf"
DEMO_LINES = (
    "FICTIONAL DEMO DOCUMENT - NOT A REAL REQUEST",
    "Draft request for mutual legal assistance",
    "From: Central Authority of Brazil (demo)",
    "To: Central Authority of Indonesia (demo)",
    "Subject: bank records of the fictional company Exemplo Ltda.",
    "Requested measure: production of account statements 2024-2025.",
    "Please comment on the draft before it is sent formally.",
)


def demo_pdf(lines=DEMO_LINES) -> bytes:
    """A one-page PDF 1.4 with a few lines of Helvetica, with a correct cross-reference table."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 12 Tf 72 760 Td 16 TL\n" + "".join(f"({escape(line)}) Tj T*\n" for line in lines) + "ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _consultation() -> Space | None:
    names = (Q(name__icontains="Brazil") | Q(name__icontains="Brasil")) & Q(name__icontains="Indonesia")
    slugs = Q(slug__icontains="br-id") | Q(slug__icontains="brazil-indonesia")
    return Space.objects.filter(kind=SpaceKind.PRIVATE).filter(names | slugs).order_by("pk").first()


def _uploader(space: Space):
    candidates = []
    if space.created_by_id:
        candidates.append(space.created_by)
    candidates += [
        m.user
        for m in SpaceMember.objects.filter(space=space, state=SpaceMember.State.MEMBER)
        .select_related("user")
        .order_by("pk")
    ]
    for user in candidates:
        if permissions.can_upload(user, space):
            return user
    return None


def _post_that_mentions_it(space: Space):
    """The consultation's post that says the draft will be attached (its author uploads it), if there is one."""
    return (
        Post.objects.filter(thread__space=space, body__icontains="attach it")
        .select_related("author", "thread__space")
        .order_by("pk")
        .first()
    )


def files_demo_seed() -> dict:
    """Attach the demo PDF to the post of the BR-ID private consultation that mentions it (or to the space when
    no post does). Skips (and says why) when the consultation is missing or already has the file; idempotent."""
    space = _consultation()
    if space is None:
        logger.info("files demo: no Brazil-Indonesia private consultation; skipped")
        return {"attachments": 0, "skipped": "no Brazil-Indonesia private consultation"}
    post = _post_that_mentions_it(space)
    existing = Attachment.objects.filter(space=space, filename=DEMO_FILENAME, deleted_at__isnull=True)
    if existing.exists():
        if post is not None:
            existing.filter(post__isnull=True).update(post=post)  # a demo seeded before files went with posts
        return {"attachments": 0, "skipped": "already there"}
    if post is not None and permissions.can_upload(post.author, space, post):
        services.attachment_create(
            actor=post.author, space=space, post=post, filename=DEMO_FILENAME, content=[demo_pdf()]
        )
        return {"attachments": 1, "skipped": ""}
    user = _uploader(space)
    if user is None:
        return {"attachments": 0, "skipped": "nobody in the consultation may upload"}
    services.attachment_create(actor=user, space=space, filename=DEMO_FILENAME, content=[demo_pdf()])
    return {"attachments": 1, "skipped": ""}
