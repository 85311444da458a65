"""The guided writer: each step's POST saves (no JavaScript needed), a missing required item blocks finalising
(service, page and API), drafts are visible to their author and those they share them with in their authority."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from comity.audit.models import AuditEvent
from comity.mail.models import OutboxEmail
from comity.requests import services, writer
from comity.requests.models import Draft, Notice, Request, Status
from comity.requests.tests.conftest import Unchanged, complete_draft

pytestmark = pytest.mark.django_db


def test_the_steps_save_as_the_user_goes_without_javascript(people, authorities, clients, world):
    client = clients["br_member"]
    response = client.post(
        "/en/requests/drafts/new/",
        {
            "requesting_authority": authorities["BR"].pk,
            "requested_country": "ID",
            "coop_type": "mla",
            "measures": ["bank_records"],
        },
    )
    draft = Draft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/requests/drafts/{draft.pk}/content/"
    assert AuditEvent.objects.filter(action="requests.draft_created", target_id=str(draft.pk)).count() == 1
    page = client.get(f"/en/requests/drafts/{draft.pk}/content/").content.decode()
    assert "What Indonesia requires" in page
    assert "Name of the requesting authority and of the authority conducting the investigation (demo)" in page
    response = client.post(f"/en/requests/drafts/{draft.pk}/content/", {"facts": "Some facts", "go": "content"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.content["facts"] == "Some facts"
    review = client.get(f"/en/requests/drafts/{draft.pk}/review/").content.decode()
    assert "Summary of the relevant facts" not in review.split("Still missing")[1].split("</ul>")[0]
    assert "Purpose for which the evidence" in review
    items = writer.fiche_items(writer.fiches_for(draft)["bank_records"])
    response = client.post(
        f"/en/requests/drafts/{draft.pk}/measures/", {f"m-bank_records-{i}": f"value {i}" for i in range(len(items))}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.measure_items == {"bank_records": {item: f"value {i}" for i, item in enumerate(items)}}


def test_bad_input_on_a_step_is_a_form_error_and_nothing_is_lost(people, authorities, clients):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    before = Unchanged(draft)
    response = clients["br_member"].post(
        f"/en/requests/drafts/{draft.pk}/addressing/", {"requested_authority": "999999", "language": "xx"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "Select a valid choice" in page
    before.check()
    response = clients["br_member"].post(
        "/en/requests/drafts/new/",
        {"requesting_authority": authorities["ID"].pk, "requested_country": "ID", "coop_type": "mla"},
    )
    assert response.status_code == 400
    assert Draft.objects.count() == 1


def test_a_missing_required_item_blocks_finalising(people, authorities, clients):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    items = dict(draft.measure_items["bank_records"])
    first = next(iter(items))
    draft.measure_items = {"bank_records": {**items, first: ""}}
    draft.content = {**draft.content, "purpose": " "}
    draft.save()
    before = Unchanged(draft)
    with pytest.raises(ValidationError) as caught:
        services.draft_finalise(actor=people["br_member"], draft=draft)
    messages = caught.value.message_dict["draft"]
    assert messages == [
        "Missing: Purpose for which the evidence, information or action is sought (art. 18(15)(f))",
        f"Missing: Bank records: {first}",
    ]
    response = clients["br_member"].post(f"/en/requests/drafts/{draft.pk}/finalise/")
    assert response.status_code == 400
    assert "The request cannot be finalised yet." in response.content.decode()
    response = clients["br_member"].post("/api/v1/requests/", {"draft": draft.pk}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["draft"] == messages
    before.check()
    assert Request.objects.count() == 0


def test_finalising_creates_the_shared_record_and_tells_the_other_side_without_content(people, authorities, clients):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    response = clients["br_member"].post("/api/v1/requests/", {"draft": draft.pk}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    request = Request.objects.get()
    assert body["id"] == request.pk and body["status"] == Status.SENT and body["tlp"] == "red"
    assert (request.requesting_country.iso2, request.requested_country.iso2) == ("BR", "ID")
    assert [h["to_status"] for h in body["history"]] == ["sent"]
    told = set(Notice.objects.values_list("user__email", flat=True))
    assert told == {"id.member@example.test", "id.coord@example.test"}
    mails = list(OutboxEmail.objects.order_by("to"))
    assert [m.to for m in mails] == ["id.coord@example.test", "id.member@example.test"]
    for mail in mails:
        assert f"/en/requests/{request.pk}/" in mail.body_text
        for secret in draft.content.values():
            assert secret not in mail.body_text and secret not in mail.subject
    assert AuditEvent.objects.filter(action="requests.created", target_id=str(request.pk)).count() == 1
    assert (
        clients["br_member"].post("/api/v1/requests/", {"draft": draft.pk}, content_type="application/json").status_code
        == 404
    )


def test_drafts_are_shared_only_within_the_authority(people, authorities, clients):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    url = f"/en/requests/drafts/{draft.pk}/review/"
    assert clients["br_colleague"].get(url).status_code == 404
    response = clients["br_member"].post(f"/en/requests/drafts/{draft.pk}/share/", {"email": "id.member@example.test"})
    assert response.status_code == 400
    assert "colleague of your own authority" in response.content.decode()
    response = clients["br_member"].post(
        f"/en/requests/drafts/{draft.pk}/share/", {"email": "br.colleague@example.test"}
    )
    assert response.status_code == 302
    assert clients["br_colleague"].get(url).status_code == 200
    assert clients["id_member"].get(url).status_code == 404
    assert AuditEvent.objects.filter(action="requests.draft_shared").count() == 1
    # the colleague may edit, not share further
    assert (
        clients["br_colleague"]
        .post(f"/en/requests/drafts/{draft.pk}/share/", {"email": "br.member@example.test"})
        .status_code
        == 404
    )


def test_the_legal_basis_comes_from_the_finder(people, authorities, clients, world):
    import datetime as dt

    from comity.requests import documents
    from comity.treaties.tests.conftest import make_instrument, make_party

    untoc = make_instrument(
        "untoc",
        covers={"mla": "art. 18"},
        in_force_on=dt.date(2003, 9, 29),
        titles={"pt": "Convenção das Nações Unidas contra o Crime Organizado Transnacional"},
    )
    for code in ("BR", "FR"):
        make_party(untoc, world[code], consent_kind="ratification", in_force_on=dt.date(2004, 2, 28))
    bilateral = make_instrument("br-jp", kind="bilateral", covers={"mla": "art. 1"}, in_force_on=dt.date(2010, 1, 1))
    for code in ("BR", "JP"):
        make_party(bilateral, world[code], in_force_on=dt.date(2010, 1, 1))
    draft = complete_draft(author=people["fr_member"], src=authorities["FR"], dst=authorities["BR"], language="pt")
    page = clients["fr_member"].get(f"/en/requests/drafts/{draft.pk}/addressing/").content.decode()
    assert 'value="untoc"' in page and 'value="reciprocity"' in page and 'value="br-jp"' not in page
    before = Unchanged(draft)
    response = clients["fr_member"].post(
        f"/en/requests/drafts/{draft.pk}/addressing/",
        {"requested_authority": authorities["BR"].pk, "legal_basis": "br-jp", "language": "pt"},
    )
    assert response.status_code == 400
    before.check()
    response = clients["fr_member"].post(
        f"/en/requests/drafts/{draft.pk}/addressing/",
        {"requested_authority": authorities["BR"].pk, "legal_basis": "untoc", "language": "pt", "go": "review"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.legal_basis == "untoc"
    _language, blocks = documents.letter_blocks(draft=draft)
    assert "Convenção das Nações Unidas contra o Crime Organizado Transnacional, art. 18" in [b.text for b in blocks]
