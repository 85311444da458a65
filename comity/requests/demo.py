"""Demo drafts and requests between demo countries, in several states of the lifecycle, with enough requests
between two pairs of States (Brazil to Indonesia, France to Brazil, mutual legal assistance) for the statistics on
the country profiles to show. Everything is invented and says so.

Idempotent: it creates nothing when demo requests exist. Rows are written directly (no audit event per row; the
orchestrator writes one `demo.seeded` event), after the letter models are loaded.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from comity.accounts.models import User
from comity.directory.demo import refuse_in_production
from comity.directory.models import Authority, Contact
from comity.legalprofiles.models import MeasureFiche
from comity.reference.models import Country
from comity.requests.letters import letters_load
from comity.requests.models import Draft, Request, Side, Status, StatusChange

DEMO_NOTE = "(demo)"

# (from, to, type, measures, final status, days ago sent, days to acknowledge, days to close, urgent)
DEMO_REQUESTS: tuple[tuple, ...] = (
    ("BR", "ID", "mla", ["bank_records"], Status.EXECUTED, 200, 6, 75, False),
    ("BR", "ID", "mla", ["bank_records"], Status.EXECUTED, 170, 9, 64, False),
    ("BR", "ID", "mla", ["witness_hearing"], Status.EXECUTED, 150, 4, 90, True),
    ("BR", "ID", "mla", ["search_seizure"], Status.REFUSED, 120, 12, 40, False),
    ("BR", "ID", "mla", ["bank_records"], Status.IN_EXECUTION, 60, 8, None, False),
    ("BR", "ID", "mla", ["bank_records"], Status.SENT, 25, None, None, False),
    ("FR", "BR", "mla", ["bank_records"], Status.EXECUTED, 240, 5, 58, False),
    ("FR", "BR", "mla", ["service_of_documents"], Status.EXECUTED, 190, 3, 30, False),
    ("FR", "BR", "mla", ["witness_hearing"], Status.PARTIALLY_EXECUTED, 110, 7, None, False),
    ("FR", "BR", "mla", ["bank_records"], Status.ADDITIONAL_INFORMATION_REQUESTED, 80, 10, None, False),
    ("FR", "BR", "mla", ["search_seizure"], Status.WITHDRAWN, 70, None, 20, False),
    ("FR", "BR", "mla", ["bank_records"], Status.ACKNOWLEDGED, 15, 4, None, True),
    ("BR", "SA", "extradition", [], Status.RECEIVED, 12, None, None, False),
)
PATH = {
    Status.SENT: [],
    Status.RECEIVED: [Status.RECEIVED],
    Status.ACKNOWLEDGED: [Status.ACKNOWLEDGED],
    Status.ADDITIONAL_INFORMATION_REQUESTED: [Status.ACKNOWLEDGED, Status.ADDITIONAL_INFORMATION_REQUESTED],
    Status.IN_EXECUTION: [Status.ACKNOWLEDGED, Status.IN_EXECUTION],
    Status.PARTIALLY_EXECUTED: [Status.ACKNOWLEDGED, Status.IN_EXECUTION, Status.PARTIALLY_EXECUTED],
    Status.EXECUTED: [Status.ACKNOWLEDGED, Status.IN_EXECUTION, Status.EXECUTED],
    Status.REFUSED: [Status.ACKNOWLEDGED, Status.REFUSED],
    Status.WITHDRAWN: [Status.WITHDRAWN],
}

CONTENT = {
    "officer": "Demo officer, international cooperation unit, +00 0000 0000 (demo)",
    "subject_matter": "Criminal investigation of money laundering linked to public procurement fraud (demo).",
    "conducting_authority": "Federal prosecution service, organised crime unit, directing the investigation (demo).",
    "facts": "Between 2023 and 2025 a group of companies is suspected of laundering the proceeds of inflated public "
    "contracts through accounts abroad (invented demo facts).",
    "provisions": "Demo: the offences of money laundering and fraud of the requesting State's criminal code.",
    "assistance_sought": "Copies of account opening documents and statements for the accounts named below (demo).",
    "persons": "Demo Person A, national of the requesting State, believed to live in the requested State (demo).",
    "purpose": "To establish the flow of funds and use the records as evidence at trial (demo).",
}
EXTRADITION = {
    "person": "Demo Person B, born 1980, national of the requesting State, thought to be in the requested State.",
    "offences": "Drug trafficking, art. 33 of the demo drugs law (demo).",
    "penalty": "Five to fifteen years of imprisonment (demo).",
    "warrant": "Arrest warrant of the demo federal court, 1 March 2026, no. 0000 (demo).",
    "assurances": "The death penalty does not apply to these offences (demo).",
}


def _mla_authority(code: str) -> Authority | None:
    return (
        Authority.objects.filter(country__iso2=code, competences__code="mla_central", is_active=True)
        .order_by("official_name", "pk")
        .first()
    )


def _author(authority: Authority) -> User | None:
    contact = (
        Contact.objects.filter(authority=authority, end_date__isnull=True, user__isnull=False)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return contact.user if contact else None


def _items(country: Country, measures: list[str]) -> dict:
    fiches = {f.measure: f for f in MeasureFiche.objects.filter(country=country, measure__in=measures)}
    return {m: {item: f"Demo answer: {item}" for item in (fiches[m].contents if m in fiches else [])} for m in measures}


def requests_demo_seed(*, now: dt.datetime | None = None) -> dict:
    """Letter models, two drafts in progress and the demo requests. Returns what it created."""
    refuse_in_production()
    now = now or timezone.now()
    letters = letters_load()
    if Request.objects.filter(is_demo=True).exists():
        return {"letter_models_created": letters.created, "drafts_created": 0, "requests_created": 0}
    codes = {code for row in DEMO_REQUESTS for code in row[:2]}
    authorities = {code: _mla_authority(code) for code in codes}
    if any(a is None for a in authorities.values()):
        return {"letter_models_created": letters.created, "drafts_created": 0, "requests_created": 0}
    created_requests = 0
    with transaction.atomic():
        for index, (src, dst, coop, measures, final, ago, ack, close, urgent) in enumerate(DEMO_REQUESTS):
            requesting, requested = authorities[src], authorities[dst]
            author = _author(requesting)
            if author is None:
                continue
            sent = now - dt.timedelta(days=ago)
            language = "pt" if dst == "BR" else ("ar" if dst == "SA" else "en")
            content = dict(CONTENT)
            if coop == "extradition":
                content.update(EXTRADITION)
            draft = Draft.objects.create(
                author=author,
                requesting_authority=requesting,
                requested_country=requested.country,
                requested_authority=requested,
                coop_type=coop,
                measures=measures,
                urgent=urgent,
                content=content,
                measure_items=_items(requested.country, measures),
                legal_basis="reciprocity",
                language=language,
                channel="direct",
                our_reference=f"DEMO-{src}-{index + 1:03d}",
                created_at=sent,
                updated_at=sent,
                finalised_at=sent,
            )
            request = Request.objects.create(
                draft=draft,
                requesting_authority=requesting,
                requested_authority=requested,
                requesting_country=requesting.country,
                requested_country=requested.country,
                coop_type=coop,
                measures=measures,
                urgent=urgent,
                channel="direct",
                language=language,
                requesting_reference=draft.our_reference,
                status=Status.SENT,
                sent_at=sent,
                created_by=author,
                updated_at=sent,
                is_demo=True,
            )
            history = [
                StatusChange(
                    request=request, to_status=Status.SENT, side=Side.REQUESTING, actor=author, created_at=sent
                )
            ]
            previous = Status.SENT
            steps = PATH[final]
            for number, status in enumerate(steps):
                if status == Status.ACKNOWLEDGED and ack is not None:
                    at = sent + dt.timedelta(days=ack)
                elif number == len(steps) - 1 and close is not None:
                    at = sent + dt.timedelta(days=close)
                else:
                    at = sent + dt.timedelta(days=(ack or 1) + number + 1)
                side = Side.REQUESTING if status == Status.WITHDRAWN else Side.REQUESTED
                note = (
                    "Demo: the offence is not punishable in the requested State (dual criminality)."
                    if status == Status.REFUSED
                    else ""
                )
                history.append(
                    StatusChange(
                        request=request, from_status=previous, to_status=status, side=side, note=note, created_at=at
                    )
                )
                previous = status
                if status in (Status.RECEIVED, Status.ACKNOWLEDGED) and request.received_at is None:
                    request.received_at = at
                if status == Status.ACKNOWLEDGED:
                    request.acknowledged_at = at
                if status in (Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN):
                    request.closed_at = at
                if status == Status.REFUSED:
                    request.refusal_grounds = note
                request.updated_at = at
            request.status = final
            request.save()
            StatusChange.objects.bulk_create(history)
            created_requests += 1
        drafts = 0
        for src, dst, measures in (("BR", "ID", ["bank_records"]), ("FR", "BR", ["witness_hearing"])):
            author = _author(authorities[src])
            if author is None:
                continue
            Draft.objects.create(
                author=author,
                requesting_authority=authorities[src],
                requested_country=authorities[dst].country,
                coop_type="mla",
                measures=measures,
                content={"subject_matter": CONTENT["subject_matter"], "facts": CONTENT["facts"]},
                created_at=now - dt.timedelta(days=2),
                updated_at=now - dt.timedelta(days=1),
            )
            drafts += 1
    return {"letter_models_created": letters.created, "drafts_created": drafts, "requests_created": created_requests}
