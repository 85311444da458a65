"""Demo joint team between Brazil and Indonesia: leaders, members, action items, a document with two versions
and a drafted agreement. Everything is fictional and says so. Written through the services (so the space, the
files and the audit chain are exactly as in real use). Idempotent: an existing demo team is left alone."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.utils import timezone

from comity.accounts.demo import DEMO_DOMAIN
from comity.directory.demo import refuse_in_production
from comity.directory.models import Authority
from comity.files.demo import demo_pdf
from comity.teams import services
from comity.teams.models import Team

logger = logging.getLogger("comity.teams")

DEMO_TEAM = "JIT Timber Route (fictional demo)"
PLAN_LINES = (
    "FICTIONAL DEMO DOCUMENT - NOT A REAL INVESTIGATION",
    "Joint team: operational plan",
    "Phase 1: financial analysis of the fictional company Exemplo Madeiras Ltda.",
    "Phase 2: coordinated searches on an agreed day in both countries.",
)


def _user(local: str):
    return get_user_model().objects.filter(email=f"{local}@{DEMO_DOMAIN}", is_active=True).first()


def teams_demo_seed(*, today: dt.date | None = None) -> dict:
    """One joint team between Brazil and Indonesia. Returns {"teams": 0 or 1, "skipped": reason}."""
    refuse_in_production()
    if Team.objects.filter(name=DEMO_TEAM).exists():
        return {"teams": 0, "skipped": "already there"}
    leader_br, leader_id = _user("coordinator.br"), _user("coordinator.id")
    member_br, member_id = _user("member.br"), _user("member.id")
    if leader_br is None or leader_id is None:
        logger.info("teams demo: the demo coordinators of Brazil and Indonesia are missing; skipped")
        return {"teams": 0, "skipped": "demo coordinators missing"}
    today = today or timezone.localdate()
    authorities = [
        a
        for code in ("BR", "ID")
        if (a := Authority.objects.filter(country__iso2=code, is_active=True).order_by("pk").first()) is not None
    ]
    team = services.team_create(
        actor=leader_br,
        name=DEMO_TEAM,
        purpose="Fictional demo: illegal logging and the laundering of its proceeds between Brazil and Indonesia.",
        agreement_reference="JIT/BR-ID/DEMO/001",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
        leaders=[leader_br, leader_id],
        authorities=authorities,
    )
    for leader, member in ((leader_br, member_br), (leader_id, member_id)):
        if member is not None:
            services.member_add(actor=leader, team=team, user=member)
    services.team_extend(
        actor=leader_id, team=team, new_end=today + dt.timedelta(days=300), reason="New leads in the demo case"
    )
    services.action_item_create(
        actor=leader_br,
        team=team,
        title="Send the bank statements of Exemplo Madeiras (fictional)",
        assignee=member_id or leader_id,
        due_on=today + dt.timedelta(days=14),
    )
    item = services.action_item_create(
        actor=leader_id,
        team=team,
        title="Translate the shipping records into Portuguese",
        assignee=member_br or leader_br,
        due_on=today + dt.timedelta(days=7),
    )
    services.action_item_set_status(actor=leader_id, item=item, status="in_progress")
    first = services.document_add(
        actor=leader_br,
        team=team,
        title="Operational plan (fictional)",
        filename="operational-plan-FICTIONAL.pdf",
        content=[demo_pdf(PLAN_LINES)],
    )
    services.document_version_add(
        actor=leader_id,
        document=first.document,
        filename="operational-plan-v2-FICTIONAL.pdf",
        content=[demo_pdf((*PLAN_LINES, "Version 2: the Indonesian phase added."))],
        note="Indonesian phase added",
    )
    services.agreement_draft(actor=leader_br, team=team)
    return {"teams": 1, "skipped": ""}
