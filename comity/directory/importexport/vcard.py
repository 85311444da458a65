"""vCard 4.0 (RFC 6350) for a contact point or an authority.

Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 sequence); text values escape backslash,
comma, semicolon and line breaks (section 3.4). A contact's card carries only the fields the viewer may see.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from comity.core.i18n import territory_name
from comity.directory.models import Authority, Contact

CRLF = "\r\n"
MAX_OCTETS = 75
_GLOBAL_NUMBER = re.compile(r"^\+[0-9][0-9 .()\-]*[0-9]$")


def escape(value: str) -> str:
    """Escape a TEXT value (or one component of a structured value)."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets; continuation lines start with one space."""
    if len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    chunks: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def tel(number: str, kind: str) -> str:
    """A TEL line: a tel: URI for a global number (RFC 3966), else the number as text."""
    if _GLOBAL_NUMBER.match(number):
        digits = re.sub(r"[ .()\-]+", "-", number).strip("-")
        return f"TEL;TYPE={kind};VALUE=uri:tel:{digits}"
    return f"TEL;TYPE={kind};VALUE=text:{escape(number)}"


def _adr(authority: Authority) -> str | None:
    if not authority.postal_address.strip():
        return None
    # The address is free text: it goes in the street component, the country name in the country component.
    components = [
        "",
        "",
        escape(authority.postal_address.strip()),
        "",
        "",
        "",
        escape(territory_name(authority.country.iso2)),
    ]
    return "ADR;TYPE=work:" + ";".join(components)


def _card(lines: list[str | None]) -> str:
    body = [line for line in lines if line]
    return CRLF.join(fold(line) for line in ["BEGIN:VCARD", "VERSION:4.0", *body, "END:VCARD"]) + CRLF


def _languages(codes) -> list[str]:
    return [f"LANG;PREF={rank}:{code}" for rank, code in enumerate(codes, start=1)]


def contact_card(contact: Contact, visible: set[str]) -> str:
    """The card of one contact point, with only the `visible` restrictable fields."""
    authority = contact.authority
    shown = {name: getattr(contact, name) for name in visible if getattr(contact, name)}
    # FN is mandatory; when the name is hidden the card is named after the title, else the authority.
    full_name = shown.get("name") or shown.get("title") or authority.official_name
    return _card(
        [
            "KIND:individual",
            "FN:" + escape(full_name),
            "ORG:" + escape(authority.official_name),
            "TITLE:" + escape(shown["title"]) if "title" in shown else None,
            "EMAIL;TYPE=work:" + escape(shown["email"]) if "email" in shown else None,
            tel(shown["phone"], "work") if "phone" in shown else None,
            tel(shown["mobile"], "cell") if "mobile" in shown else None,
            *_languages(contact.languages),
            "TZ:" + escape(contact.effective_timezone),
            _adr(authority),
            "URL:" + authority.website if authority.website else None,
            "NOTE:" + escape(_("Secure channel: %(address)s") % {"address": shown["secure_channel"]})
            if "secure_channel" in shown
            else None,
            "NOTE:" + escape(_("Available 24/7.")) if contact.always_available else None,
        ]
    )


def authority_card(authority: Authority) -> str:
    """The card of an authority as an organisation (KIND:org)."""
    return _card(
        [
            "KIND:org",
            "FN:" + escape(authority.official_name),
            "ORG:" + escape(authority.official_name),
            "EMAIL;TYPE=work:" + escape(authority.email) if authority.email else None,
            tel(authority.phone, "work") if authority.phone else None,
            *_languages(authority.languages_accepted),
            "TZ:" + escape(authority.timezone),
            _adr(authority),
            "URL:" + authority.website if authority.website else None,
            "NOTE:" + escape(_("Available 24/7.")) if authority.always_available else None,
        ]
    )
