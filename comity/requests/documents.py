"""The letter of a draft or a request: its blocks in the chosen language (fixed text from `LetterModel` rows, the
content as the author wrote it), rendered as DOCX (python-docx) or as a printable page. Arabic is right-to-left:
every paragraph carries `w:bidi` and every run `w:rtl`."""

from __future__ import annotations

import io
from dataclasses import dataclass

from babel.dates import format_date
from django.utils import timezone

from comity.requests import writer
from comity.requests.letters import letter_texts
from comity.requests.models import Draft, Request, RequestType
from comity.treaties.models import Coverage, Instrument

BABEL_LOCALES = {"zh-hans": "zh_Hans", "pt": "pt_BR"}


@dataclass
class Block:
    kind: str  # "mark", "title", "meta", "heading", "subheading", "text"
    text: str


def _authority_name(authority, language: str) -> str:
    return authority.names.get(language) or authority.official_name


def letter_blocks(
    *, draft: Draft, request: Request | None = None, language: str | None = None
) -> tuple[str, list[Block]]:
    """The letter as blocks, and its language."""
    language = language or draft.language or "en"
    texts = letter_texts(coop_type=draft.coop_type, language=language)
    requesting = draft.requesting_authority
    requested = draft.requested_authority
    country = requesting.country
    other = draft.requested_country
    day = (request.sent_at if request else timezone.now()).date()
    blocks = [Block("mark", texts.get("tlp"))]
    if draft.urgent:
        blocks.append(Block("mark", texts.get("urgent")))
    blocks.append(Block("title", texts.get("title")))
    reference = (request.requesting_reference if request else draft.our_reference) or ""
    if reference:
        blocks.append(Block("meta", f"{texts.get('our_reference')}: {reference}"))
    if request and request.requested_reference:
        blocks.append(Block("meta", f"{texts.get('your_reference')}: {request.requested_reference}"))
    blocks.append(
        Block(
            "meta",
            f"{texts.get('date')}: {format_date(day, format='long', locale=BABEL_LOCALES.get(language, language))}",
        )
    )
    blocks.append(
        Block("meta", f"{texts.get('from')}: {_authority_name(requesting, language)} ({country.name_in(language)})")
    )
    if requested is not None:
        blocks.append(
            Block("meta", f"{texts.get('to')}: {_authority_name(requested, language)} ({other.name_in(language)})")
        )
    blocks.append(
        Block(
            "text",
            texts.get("intro")
            % {
                "authority": _authority_name(requesting, language),
                "country": country.name_in(language),
                "addressee": _authority_name(requested, language) if requested else "",
                "requested_country": other.name_in(language),
            },
        )
    )
    blocks.append(Block("heading", texts.get("legal_basis")))
    if draft.legal_basis == writer.RECIPROCITY:
        blocks.append(Block("text", texts.get("reciprocity")))
    elif draft.legal_basis:
        instrument = Instrument.objects.filter(slug=draft.legal_basis).first()
        title = instrument.localized_title(language) if instrument else draft.legal_basis
        articles = (
            Coverage.objects.filter(instrument=instrument, coop_type=draft.coop_type)
            .values_list("articles", flat=True)
            .first()
            if instrument
            else ""
        )
        blocks.append(Block("text", f"{title}, {articles}" if articles else title))
    blocks.append(Block("heading", texts.get("requesting_authority")))
    blocks.append(Block("text", f"{_authority_name(requesting, language)} ({country.name_in(language)})"))
    for key, _label, _required in writer.CONTENT_FIELDS:
        value = (draft.content.get(key) or "").strip()
        if value:
            blocks.append(Block("heading", texts.get(key)))
            blocks.append(Block("text", value))
    if draft.coop_type in writer.TYPES_WITH_MEASURES and draft.measures:
        blocks.append(Block("heading", texts.get("measures")))
        for measure in draft.measures:
            blocks.append(Block("subheading", texts.measure_labels.get(measure, measure)))
            for item, answer in (draft.measure_items.get(measure) or {}).items():
                if (answer or "").strip():
                    blocks.append(Block("text", f"{item}: {answer.strip()}"))
    if draft.coop_type == RequestType.EXTRADITION:
        for key, _label, _required in writer.EXTRADITION_FIELDS:
            value = (draft.content.get(key) or "").strip()
            if value:
                blocks.append(Block("heading", texts.get(key)))
                blocks.append(Block("text", value))
    if draft.deadline:
        when = format_date(draft.deadline, format="long", locale=BABEL_LOCALES.get(language, language))
        blocks.append(Block("meta", f"{texts.get('deadline')}: {when}"))
    blocks.append(Block("text", texts.get("confidentiality")))
    blocks.append(Block("text", texts.get("closing")))
    blocks.append(Block("meta", texts.get("signature")))
    return texts.language, blocks


def _rtl(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    bidi = OxmlElement("w:bidi")
    bidi.set(qn("w:val"), "1")
    p_pr.insert(0, bidi)
    for run in paragraph.runs:
        r_pr = run._r.get_or_add_rPr()
        rtl = OxmlElement("w:rtl")
        rtl.set(qn("w:val"), "1")
        r_pr.append(rtl)


def letter_docx(*, draft: Draft, request: Request | None = None, language: str | None = None) -> bytes:
    from docx import Document
    from docx.shared import Pt

    language, blocks = letter_blocks(draft=draft, request=request, language=language)
    rtl = language == "ar"
    document = Document()
    document.core_properties.language = language
    document.core_properties.title = next((b.text for b in blocks if b.kind == "title"), "")
    for block in blocks:
        if block.kind == "title":
            paragraph = document.add_heading(block.text, level=1)
        elif block.kind == "heading":
            paragraph = document.add_heading(block.text, level=2)
        elif block.kind == "subheading":
            paragraph = document.add_heading(block.text, level=3)
        else:
            paragraph = document.add_paragraph()
            lines = block.text.split("\n")
            for number, line in enumerate(lines):
                run = paragraph.add_run(line)
                if block.kind == "mark":
                    run.bold = True
                    run.font.size = Pt(10)
                if number < len(lines) - 1:
                    run.add_break()
        if rtl:
            _rtl(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def annex_checklist(*, draft: Draft, reqs: writer.Requirements) -> list[str]:
    """The annexes to join to the request, from the type and the requested State's rules (in the UI language)."""
    from django.utils.translation import gettext as _

    from comity.legalprofiles.choices import Measure
    from comity.legalprofiles.models import Rule

    items = [_("The signed letter of request")]
    if reqs.translation_required:
        items.append(_("A translation of the request and its annexes into a language the requested State accepts"))
    if draft.content.get("provisions") or draft.coop_type == RequestType.EXTRADITION:
        items.append(_("The text of the legal provisions on the offences and the penalties"))
    if draft.coop_type == RequestType.EXTRADITION:
        items += [
            _("The warrant of arrest or the judgment (certified copy)"),
            _("A description and, if possible, a photograph and fingerprints of the person sought"),
        ]
        if reqs.assurances_required:
            items.append(_("The assurances the requested State requires, signed by the competent authority"))
    if draft.coop_type == RequestType.SENTENCED_TRANSFER:
        items += [
            _("The judgment and the law on which the sentence is based"),
            _("The consent of the sentenced person"),
        ]
    rules = reqs.rules
    if rules is not None:
        if rules.certification == Rule.REQUIRED:
            items.append(_("Certification of the request and its annexes"))
        if rules.apostille == Rule.REQUIRED:
            items.append(_("Apostille or legalisation of the documents"))
        if rules.originals == Rule.REQUIRED:
            items.append(_("The original documents (not copies)"))
    for measure in draft.measures:
        if measure in ("search_seizure", "interception", "bank_records", "freezing", "confiscation"):
            items.append(
                _("The domestic order (court or prosecutor) authorising the measure: %(measure)s")
                % {"measure": Measure(measure).label}
            )
    return items
