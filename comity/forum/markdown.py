"""Markdown to safe HTML, rendered once when a post is written (never on every view)."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from comity.core.search import fold

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "span": {"class"},
}
MENTION = re.compile(r"(?<![\w@])@([A-Z]{2}|[a-z0-9][a-z0-9._-]{1,63})(?![\w@])")


def render(body: str) -> str:
    """Markdown (a safe subset) to sanitized HTML; links get rel="noopener noreferrer"."""
    html = _md.render(body or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


def quote(body: str, author_name: str) -> str:
    lines = (body or "").strip().splitlines() or [""]
    return f"> **{author_name}:**\n" + "\n".join(f"> {line}" for line in lines) + "\n\n"


def mentions(body: str) -> tuple[set[str], set[str]]:
    """(@handles of people, @XX country codes) found outside code spans."""
    text = re.sub(r"`[^`]*`", " ", body or "")
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    people, countries = set(), set()
    for token in MENTION.findall(text):
        (countries if re.fullmatch(r"[A-Z]{2}", token) else people).add(token)
    return people, countries


def plain_text(body: str) -> str:
    """Folded text for search: case and accents ignored in every script (`comity.core.search.fold`)."""
    return fold(" ".join((body or "").split()))


_TAG = re.compile(r"(<[^>]+>)")


def link_mentions(html: str, people: dict[str, tuple[int, str]]) -> str:
    """Turn @handle in rendered HTML into a link to the person, shown with their name: {handle: (user id, name)}.
    Text inside code, pre and existing links is left alone. The address has no language prefix: the site sends
    it on to the reader's language."""
    if not people:
        return html
    from django.utils.html import escape

    out, inside = [], 0
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in {"code", "pre", "a"}:
                inside += -1 if part.startswith("</") else 1
            out.append(part)
            continue
        if inside > 0:
            out.append(part)
            continue

        def replace(match):
            found = people.get(match.group(1).lower())
            if found is None:
                return match.group(0)
            return f'<a class="mention" href="/forum/people/{found[0]}/">@{escape(found[1])}</a>'

        out.append(MENTION.sub(replace, part))
    return "".join(out)
