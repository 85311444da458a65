"""The main pages of Comity, as a newcomer meets them in the demo: shared by the HTML check (vnu) and the phone
layout check (390 px). Each entry is (who, path without the language prefix); who is a demo account's local part,
or None for a visitor who is not signed in."""

from __future__ import annotations

from comity.accounts.models import User
from comity.directory.models import Authority
from comity.forum.models import Space, Thread

DEMO_DOMAIN = "@demo.comity.test"


def main_pages() -> list[tuple[str | None, str]]:
    """Call after the demo is seeded."""
    member = User.objects.get(email="member.br" + DEMO_DOMAIN)
    authority = Authority.objects.filter(country__iso2="ID").order_by("pk").first()
    consultation = Space.objects.get(slug="br-id-draft-request-bank-records")
    question = Thread.objects.filter(kind="question").order_by("pk").first()
    discussion = Thread.objects.filter(space=consultation).order_by("pk").first()
    assert member and authority and question and discussion
    return [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/countries/"),
        (None, "/countries/ID/"),
        (None, "/networks/"),
        (None, "/networks/iberred/"),
        (None, "/directory/finder/?requesting=BR&requested=ID&type=mla"),
        (None, "/legal/"),
        ("member.br", "/"),
        ("member.br", "/directory/authorities/"),
        ("member.br", f"/directory/authorities/{authority.pk}/"),
        ("member.br", "/directory/finder/?requesting=BR&requested=ID&type=mla"),
        ("member.br", "/forum/"),
        ("member.br", f"/forum/s/{consultation.slug}/"),
        ("member.br", f"/forum/t/{discussion.pk}/"),
        ("member.br", f"/forum/t/{question.pk}/"),
        ("member.br", "/forum/search/?q=bank"),
        ("member.br", f"/files/spaces/{consultation.slug}/"),
        ("member.br", "/notifications/"),
        ("member.br", "/accounts/profile/"),
        ("coordinator.br", "/directory/dashboard/"),
        ("coordinator.br", "/accounts/members/"),
        ("admin", "/audit/"),
        ("moderator", "/forum/moderation/"),
    ]
