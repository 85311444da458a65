"""Workspace pages paths the main page suite leaves out: status changes, closing, evaluation, agreement edit,
the template page, and the 400/404 answers that change nothing."""

import datetime as dt

import pytest

from comity.teams import services
from comity.teams.models import ActionItem, AgreementTemplate, Evaluation, Team


@pytest.mark.django_db
def test_leader_search_narrows_the_candidates_on_the_set_up_page(personas, users):
    response = personas["coordinator"].get("/en/teams/new/", {"leader_search": users["coordinator_other"].full_name})
    html = response.content.decode()
    assert response.status_code == 200
    assert users["coordinator_other"].full_name in html
    assert users["member_other"].full_name not in html


@pytest.mark.django_db
def test_set_up_page_refuses_leaders_without_the_creator(personas, users):
    before = Team.objects.count()
    response = personas["coordinator"].post(
        "/en/teams/new/",
        {
            "name": "JIT",
            "purpose": "Timber",
            "agreement_reference": "",
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-01",
            "leaders": [users["coordinator_other"].pk, users["member"].pk],
        },
    )
    assert response.status_code == 400
    assert Team.objects.count() == before


@pytest.mark.django_db
def test_item_create_and_status_through_the_page(personas, team, users):
    client = personas["member"]
    response = client.post(
        f"/en/teams/{team.pk}/actions/", {"title": "Freeze", "assignee": users["member"].pk, "due_on": "2027-01-10"}
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(team=team, title="Freeze")
    response = client.post(f"/en/teams/{team.pk}/actions/{item.pk}/status/", {"status": "bogus"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN
    assert client.post(f"/en/teams/{team.pk}/actions/{item.pk}/status/", {"status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE


@pytest.mark.django_db
def test_item_status_by_someone_neither_assignee_creator_nor_leader_is_404(personas, team, users):
    item = services.action_item_create(
        actor=users["coordinator"], team=team, title="Seize", assignee=users["coordinator"], due_on=dt.date(2027, 1, 1)
    )
    response = personas["member"].post(f"/en/teams/{team.pk}/actions/{item.pk}/status/", {"status": "done"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


@pytest.mark.django_db
def test_removing_a_non_member_is_404(personas, team, users):
    response = personas["coordinator"].post(f"/en/teams/{team.pk}/members/{users['member_other'].pk}/remove/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_close_then_close_again_and_evaluate(personas, team, users):
    client = personas["coordinator"]
    response = client.post(f"/en/teams/{team.pk}/close/", follow=True)
    assert response.status_code == 200
    assert Team.objects.get(pk=team.pk).status == Team.Status.CLOSED
    assert "read-only" in response.content.decode()
    # A member's page write to a closed team is a permission refusal: 404, nothing added.
    response = personas["member"].post(
        f"/en/teams/{team.pk}/actions/", {"title": "Late", "assignee": users["member"].pk, "due_on": "2027-01-10"}
    )
    assert response.status_code == 404
    assert not ActionItem.objects.filter(team=team, title="Late").exists()
    evaluation = {"objectives_met": 4, "cooperation": 2, "platform": 3, "lessons": "Good", "would_repeat": "on"}
    assert client.post(f"/en/teams/{team.pk}/evaluation/", evaluation).status_code == 302
    assert Evaluation.objects.filter(team=team, country=users["coordinator"].country).count() == 1
    response = client.post(f"/en/teams/{team.pk}/evaluation/", evaluation)
    assert response.status_code == 400
    assert "already evaluated" in response.content.decode()
    assert Evaluation.objects.filter(team=team).count() == 1


@pytest.mark.django_db
def test_agreement_draft_and_edit_pages(personas, team):
    client = personas["coordinator"]
    response = client.post(f"/en/teams/{team.pk}/agreement/edit/", {"action": "draft"})
    assert response.status_code == 302
    drafted = Team.objects.get(pk=team.pk).agreement_text
    assert "JIT/2026/001" in drafted
    response = client.post(f"/en/teams/{team.pk}/agreement/edit/", {"text": ""})
    assert response.status_code == 400
    assert Team.objects.get(pk=team.pk).agreement_text == drafted
    response = client.post(f"/en/teams/{team.pk}/agreement/edit/", {"text": "Our own words."})
    assert response.status_code == 302 and response["Location"] == f"/en/teams/{team.pk}/agreement/"
    assert Team.objects.get(pk=team.pk).agreement_text == "Our own words."


@pytest.mark.django_db
def test_template_page_saves_and_falls_back_to_english(personas):
    client = personas["secretariat"]
    assert client.get("/en/teams/agreement-template/", {"language": "xx"}).status_code == 200
    response = client.post("/en/teams/agreement-template/", {"language": "en", "body": "Between {parties}."})
    assert response.status_code == 302
    assert response["Location"] == "/en/teams/agreement-template/?language=en"
    assert AgreementTemplate.objects.get(language="en").body == "Between {parties}."
