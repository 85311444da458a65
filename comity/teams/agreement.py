"""The model agreement: a template (data the secretariat edits) filled in from the team, exported as DOCX.

The template's body is text with placeholders in braces; the fixed text around it (title, headings, signature
lines) is translatable. The default body follows the structure of the model agreements on joint investigation
teams (parties, purpose, period, leaders, members, evidence, confidentiality, evaluation)."""

from __future__ import annotations

import io
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comity.core.i18n import format_day, territory_name

PLACEHOLDERS = ("name", "purpose", "parties", "authorities", "reference", "start", "end", "leaders")

DEFAULT_BODY = """1. Parties
The following parties have agreed to set up a joint team: {parties}.
The competent authorities taking part are: {authorities}.

2. Purpose
The team is set up to work on: {purpose}

3. Period of operation
The team operates from {start} until {end}. The parties may agree in writing to extend this period.

4. Team leaders
Each party designates a leader who directs the team's activities on its territory: {leaders}.

5. Members
Each leader may invite and remove the members from their own country. The list of members is kept in the team's
workspace on Comity.

6. Evidence and information
Information and evidence obtained by the team are used for the purpose of the team, under the law of the party
where they were obtained, unless the party that provided them agrees otherwise.

7. Confidentiality
The members keep the team's work confidential and exchange documents through the team's encrypted shelf.

8. Evaluation
At the end of the team's work the leaders evaluate its operation.

Reference of this agreement: {reference}"""


def validate_template(body: str) -> str:
    """A template may only use the known placeholders, and its braces must pair up."""
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("The template needs some text.")]})
    try:
        names = {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValidationError(
            {"body": [_("A brace is not closed: write placeholders as {name}, and a literal brace as {{ or }}.")]}
        ) from exc
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            {
                "body": [
                    _("Unknown placeholder %(names)s; use %(known)s.")
                    % {
                        "names": ", ".join(f"{{{n}}}" for n in unknown),
                        "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
                    }
                ]
            }
        )
    return text


def values(team, leaders) -> dict[str, str]:
    countries = sorted(territory_name(c.iso2) for c in team.countries.all())
    return {
        "name": team.name,
        "purpose": team.purpose,
        "parties": ", ".join(countries),
        "authorities": ", ".join(a.localized_name() for a in team.authorities.all()) or "—",
        "reference": team.agreement_reference or "—",
        "start": format_day(team.starts_on),
        "end": format_day(team.ends_on),
        "leaders": "; ".join(f"{m.user.display_name} ({territory_name(m.country.iso2)})" for m in leaders),
    }


def fill(body: str, team, leaders) -> str:
    return validate_template(body).format_map(values(team, leaders))


def docx_bytes(*, team, leaders, text: str) -> bytes:
    """The agreement as a Word document: translatable title and signature block around the drafted text."""
    from docx import Document

    document = Document()
    document.core_properties.title = team.name
    document.add_heading(_("Agreement on the setting up of a joint team"), level=0)
    document.add_heading(team.name, level=1)
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if len(lines) > 1 and len(lines[0]) < 80:
            document.add_heading(lines[0], level=2)
            document.add_paragraph(" ".join(line.strip() for line in lines[1:]))
        else:
            document.add_paragraph(" ".join(line.strip() for line in lines))
    document.add_heading(_("Signatures"), level=2)
    for member in leaders:
        document.add_paragraph(_("For %(country)s:") % {"country": territory_name(member.country.iso2)})
        document.add_paragraph(_("Name: %(name)s") % {"name": member.user.display_name})
        document.add_paragraph(_("Date and signature:") + " ____________________")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
