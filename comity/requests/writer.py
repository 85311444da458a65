"""What the guided writer asks, what the requested State requires, and what is still missing.

Reads only: the requested State's fiches and rules (legal portal), its authorities and their languages and channels
(directory finder), the legal bases in force between the two States (treaties' legal-basis finder).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comity.directory import selectors as directory_selectors
from comity.directory.models import Authority
from comity.legalprofiles.choices import Measure
from comity.legalprofiles.models import CooperationRules, MeasureFiche, Rule
from comity.requests.letters import normalise_language
from comity.requests.models import LETTER_LANGUAGES, Draft, RequestType
from comity.treaties import selectors as treaty_selectors

RECIPROCITY = "reciprocity"

# The content UNTOC art. 18(15) requires, in the order of the article: (key, label, required).
# "Where possible" (art. 18(15)(e)) makes the persons concerned a recommendation, not a requirement.
CONTENT_FIELDS: tuple[tuple[str, object, bool], ...] = (
    ("officer", _("Officer in charge and contact details (art. 18(15)(a))"), True),
    (
        "subject_matter",
        _("Subject matter and nature of the investigation, prosecution or proceeding (art. 18(15)(b))"),
        True,
    ),
    ("conducting_authority", _("Name and functions of the authority conducting it (art. 18(15)(b))"), True),
    ("facts", _("Summary of the relevant facts (art. 18(15)(c))"), True),
    ("provisions", _("Applicable legal provisions (text of the offences)"), False),
    ("assistance_sought", _("Description of the assistance sought (art. 18(15)(d))"), True),
    ("procedure", _("Any particular procedure to be followed (art. 18(15)(d))"), False),
    (
        "persons",
        _("Identity, location and nationality of the persons concerned, where possible (art. 18(15)(e))"),
        False,
    ),
    ("purpose", _("Purpose for which the evidence, information or action is sought (art. 18(15)(f))"), True),
)
EXTRADITION_FIELDS: tuple[tuple[str, object, bool], ...] = (
    ("person", _("The person sought: identity, description, nationality and likely location"), True),
    ("offences", _("The offences, with the text of the provisions"), True),
    ("penalty", _("The penalty that may be imposed, or that was imposed and remains to be served"), True),
    ("warrant", _("The warrant of arrest or the judgment (authority, date, reference)"), True),
    ("assurances", _("The assurances the requested State requires"), False),
)
# Types whose requests name measures from the catalogue.
TYPES_WITH_MEASURES = (RequestType.MLA, RequestType.ASSET_RECOVERY)


def steps_for(coop_type: str) -> list[tuple[str, object]]:
    steps: list[tuple[str, object]] = [("basics", _("The request")), ("content", _("Content"))]
    if coop_type in TYPES_WITH_MEASURES:
        steps.append(("measures", _("Measures")))
    if coop_type == RequestType.EXTRADITION:
        steps.append(("extradition", _("Extradition")))
    steps += [("addressing", _("Legal basis and addressee")), ("review", _("Review and finalise"))]
    return steps


@dataclass
class Requirements:
    """What the requested State requires for this draft."""

    rules: CooperationRules | None
    fiches: dict[str, MeasureFiche]
    authorities: list[dict]
    languages_accepted: list[str]
    letter_languages: list[str]
    translation_required: bool
    channels: list[str]
    assurances_required: bool
    bases: list
    fallback: str | None
    excluded: list = field(default_factory=list)


def _rules(draft: Draft) -> CooperationRules | None:
    return (
        CooperationRules.objects.filter(profile__country=draft.requested_country, coop_type=draft.coop_type)
        .select_related("profile")
        .first()
    )


def fiches_for(draft: Draft) -> dict[str, MeasureFiche]:
    if not draft.measures:
        return {}
    return {
        fiche.measure: fiche
        for fiche in MeasureFiche.objects.filter(country=draft.requested_country, measure__in=draft.measures)
    }


def letter_languages(accepted: list[str]) -> tuple[list[str], bool]:
    """The letter languages to offer, and whether a translation is required: the languages of the seven that the
    requested authority accepts, in its order; when it accepts none of them, English (and a translation)."""
    offered = []
    for code in accepted:
        code = normalise_language(code)
        if code in LETTER_LANGUAGES and code not in offered:
            offered.append(code)
    if offered:
        return offered, False
    return ["en"], True


def requirements(*, user, draft: Draft, on: dt.date | None = None) -> Requirements:
    rules = _rules(draft)
    result = directory_selectors.finder(
        user=user,
        requesting=draft.requesting_authority.country,
        requested=draft.requested_country,
        cooperation_type=draft.coop_type,
        urgent=draft.urgent,
    )
    authorities = result.authorities
    chosen = next((row for row in authorities if row["authority"].pk == draft.requested_authority_id), None)
    if chosen is not None:
        accepted = list(chosen["authority"].languages_accepted)
        channels = list(chosen["authority"].channels)
    else:
        accepted, channels = [], []
        for row in authorities:
            accepted += [code for code in row["authority"].languages_accepted if code not in accepted]
            channels += [code for code in row["authority"].channels if code not in channels]
    if rules is not None and rules.channels:
        channels = [c for c in channels if c in rules.channels] or list(rules.channels)
    offered, translation = letter_languages(accepted)
    basis = treaty_selectors.legal_basis(
        requesting=draft.requesting_authority.country,
        requested=draft.requested_country,
        coop_type=draft.coop_type,
        on=on or timezone.localdate(),
    )
    assurances = rules is not None and (
        rules.death_penalty_assurance in (Rule.REQUIRED, Rule.DEPENDS)
        or rules.life_sentence_assurance in (Rule.REQUIRED, Rule.DEPENDS)
    )
    return Requirements(
        rules=rules,
        fiches=fiches_for(draft),
        authorities=authorities,
        languages_accepted=accepted,
        letter_languages=offered,
        translation_required=translation,
        channels=channels,
        assurances_required=assurances,
        bases=basis.bases,
        fallback=basis.fallback,
        excluded=basis.excluded,
    )


@dataclass
class Missing:
    step: str
    key: str
    label: str


def fiche_items(fiche: MeasureFiche | None) -> list[str]:
    return [str(item).strip() for item in (fiche.contents if fiche else []) if str(item).strip()]


def missing_items(*, draft: Draft, reqs: Requirements) -> list[Missing]:
    """Every required item that is still empty, step by step. Finalising is refused while this is not empty."""
    out: list[Missing] = []
    if draft.coop_type in TYPES_WITH_MEASURES and not draft.measures:
        out.append(Missing("basics", "measures", str(_("Choose at least one measure."))))
    for key, label, required in CONTENT_FIELDS:
        if required and not (draft.content.get(key) or "").strip():
            out.append(Missing("content", key, str(label)))
    if draft.coop_type in TYPES_WITH_MEASURES:
        for measure in draft.measures:
            answers = draft.measure_items.get(measure, {})
            for item in fiche_items(reqs.fiches.get(measure)):
                if not (answers.get(item) or "").strip():
                    label = _("%(measure)s: %(item)s") % {"measure": Measure(measure).label, "item": item}
                    out.append(Missing("measures", f"{measure}:{item}", str(label)))
    if draft.coop_type == RequestType.EXTRADITION:
        for key, label, required in EXTRADITION_FIELDS:
            needed = required or (key == "assurances" and reqs.assurances_required)
            if needed and not (draft.content.get(key) or "").strip():
                out.append(Missing("extradition", key, str(label)))
    if draft.requested_authority_id is None:
        out.append(Missing("addressing", "requested_authority", str(_("Choose the addressee."))))
    slugs = {basis.instrument.slug for basis in reqs.bases}
    if not draft.legal_basis or (draft.legal_basis != RECIPROCITY and draft.legal_basis not in slugs):
        out.append(Missing("addressing", "legal_basis", str(_("Choose a legal basis in force, or reciprocity."))))
    if draft.language not in reqs.letter_languages:
        out.append(Missing("addressing", "language", str(_("Choose the language of the letter."))))
    return out


def addressee_choices(reqs: Requirements) -> list[Authority]:
    return [row["authority"] for row in reqs.authorities]
