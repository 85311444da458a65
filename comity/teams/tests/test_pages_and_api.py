"""The permission matrix of every team page and endpoint, bad input on pages and API, removal taking effect at
once, and the agreement's exports."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from comity.teams import selectors, services
from comity.teams.models import ActionItem, Activity, DocumentVersion, Team, TeamMember
from comity.teams.tests.conftest import pdf
from comity.testing import Unchanged, check_matrix


class TeamUnchanged(Unchanged):
    tables = (Team, TeamMember, ActionItem, DocumentVersion, Activity)


# member (Bruno, BR) and both coordinators (the leaders) are in the team; member_other (Dewi, ID), the
# secretariat, the moderator, the liaison and the observer are not.
READERS = {
    "anonymous": 302,
    "member": 200,
    "coordinator": 200,
    "coordinator_other": 200,
    "member_other": 404,
    "secretariat": 404,
    "observer": 404,
}


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "agreement/", "agreement.docx"])
def test_team_pages_are_for_its_members_only(personas, team, suffix):
    check_matrix(personas, "get", f"/en/teams/{team.pk}/{suffix}", READERS)


@pytest.mark.django_db
def test_list_create_and_template_pages_matrix(personas, team):
    check_matrix(
        personas,
        "get",
        "/en/teams/",
        {"anonymous": 302, "member": 200, "member_other": 200, "secretariat": 200},
    )
    check_matrix(personas, "get", "/en/teams/new/", {"anonymous": 302, "member": 200, "observer": 404})
    check_matrix(
        personas,
        "get",
        "/en/teams/agreement-template/",
        {"anonymous": 302, "member": 404, "coordinator": 404, "secretariat": 200},
    )
    check_matrix(
        personas,
        "get",
        f"/en/teams/{team.pk}/agreement/edit/",
        {"anonymous": 302, "member": 404, "coordinator": 200, "coordinator_other": 200, "secretariat": 404},
    )


@pytest.mark.django_db
def test_team_list_shows_only_my_teams(personas, team):
    assert "JIT Amazonas-Java" in personas["member"].get("/en/teams/").content.decode()
    assert "JIT Amazonas-Java" not in personas["member_other"].get("/en/teams/").content.decode()
    secretariat_page = personas["secretariat"].get("/en/teams/").content.decode()
    assert "JIT Amazonas-Java" not in secretariat_page
    assert 'href="/en/teams/agreement-template/"' in secretariat_page
    assert 'href="/en/teams/agreement-template/"' not in personas["member"].get("/en/teams/").content.decode()


@pytest.mark.django_db
def test_api_matrix(personas, team):
    readers = dict(READERS, anonymous=401)
    check_matrix(personas, "get", f"/api/v1/teams/{team.pk}/", readers)
    listing = personas["member_other"].get("/api/v1/teams/")
    assert listing.status_code == 200 and listing.json() == []
    body = personas["member"].get(f"/api/v1/teams/{team.pk}/").json()
    assert body["countries"] == ["BR", "ID"]
    assert [(m["country"], m["is_leader"]) for m in body["members"]] == [("BR", True), ("BR", False), ("ID", True)]


@pytest.mark.django_db
def test_denied_writes_change_nothing(personas, team, users):
    snapshot = TeamUnchanged(team)
    for name in ("member_other", "secretariat", "member"):
        assert personas[name].post(f"/en/teams/{team.pk}/members/", {"user": users["liaison"].pk}).status_code in (
            400,
            404,
        )
        assert personas[name].post(f"/en/teams/{team.pk}/close/").status_code == 404
        assert personas[name].post(f"/en/teams/{team.pk}/members/{users['coordinator'].pk}/remove/").status_code == 404
    assert (
        personas["member_other"]
        .post(f"/en/teams/{team.pk}/actions/", {"title": "x", "assignee": users["member"].pk, "due_on": "2027-01-01"})
        .status_code
        == 404
    )
    assert (
        personas["coordinator_other"].delete(f"/api/v1/teams/{team.pk}/members/{users['member'].pk}/").status_code
        == 404
    )
    assert (
        personas["member_other"]
        .post(f"/api/v1/teams/{team.pk}/members/", {"user": users["member_other"].pk}, content_type="application/json")
        .status_code
        == 404
    )
    snapshot.check()


@pytest.mark.django_db
def test_a_removed_member_is_shut_out_of_pages_api_space_and_files(personas, team, users):
    version = services.document_add(
        actor=users["member"], team=team, title="Report", filename="report.pdf", content=[pdf(b"r")]
    )
    client = personas["member"]
    assert client.get(f"/en/teams/{team.pk}/").status_code == 200
    assert client.get(f"/en/forum/s/{team.space.slug}/").status_code == 200
    assert client.get(f"/en/files/{version.attachment.pk}/download/").status_code == 200
    response = personas["coordinator"].post(f"/en/teams/{team.pk}/members/{users['member'].pk}/remove/")
    assert response.status_code == 302
    assert client.get(f"/en/teams/{team.pk}/").status_code == 404
    assert client.get(f"/api/v1/teams/{team.pk}/").status_code == 404
    assert client.get(f"/en/forum/s/{team.space.slug}/").status_code == 404
    assert client.get(f"/en/files/{version.attachment.pk}/download/").status_code == 404
    assert client.get(f"/en/files/spaces/{team.space.slug}/").status_code == 404


@pytest.mark.django_db
def test_leader_invites_through_the_page_and_the_api(personas, team, users):
    response = personas["coordinator_other"].post(f"/en/teams/{team.pk}/members/", {"user": users["member_other"].pk})
    assert response.status_code == 302
    assert TeamMember.objects.filter(team=team, user=users["member_other"], state="active").exists()
    response = personas["coordinator_other"].delete(f"/api/v1/teams/{team.pk}/members/{users['member_other'].pk}/")
    assert response.status_code == 204
    response = personas["coordinator_other"].post(
        f"/api/v1/teams/{team.pk}/members/", {"user": users["member_other"].pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["country"] == "ID"


@pytest.mark.django_db
def test_bad_input_answers_400_on_the_field_and_keeps_data(personas, team, users):
    snapshot = TeamUnchanged(team)
    response = personas["member"].post(
        f"/en/teams/{team.pk}/actions/", {"title": "", "assignee": users["member"].pk, "due_on": "not a date"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="item_title_errors"' in html and 'id="item_due_on_errors"' in html and 'aria-invalid="true"' in html
    response = personas["coordinator"].post(
        f"/en/teams/{team.pk}/extend/", {"new_end": "2026-12-31", "reason": "earlier"}
    )
    assert response.status_code == 400 and 'id="extend_new_end_errors"' in response.content.decode()
    response = personas["member"].post(
        f"/api/v1/teams/{team.pk}/action-items/",
        {"title": "x", "assignee": users["secretariat"].pk, "due_on": "2027-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["assignee"]
    response = personas["member"].post(
        f"/api/v1/teams/{team.pk}/action-items/", {"title": "x", "due_on": "soon"}, content_type="application/json"
    )
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"assignee", "due_on"}
    response = personas["secretariat"].post(
        "/en/teams/agreement-template/", {"language": "en", "body": "Dear {suspect}"}
    )
    assert response.status_code == 400 and 'id="id_body_errors"' in response.content.decode()
    snapshot.check()


@pytest.mark.django_db
def test_workspace_page_shows_due_dates_in_the_assignees_zone_and_the_timeline(personas, team, users):
    users["coordinator_other"].timezone = "Asia/Jakarta"
    users["coordinator_other"].save(update_fields=["timezone"])
    services.action_item_create(
        actor=users["member"],
        team=team,
        title="Freeze the account",
        assignee=users["coordinator_other"],
        due_on=dt.date(2027, 1, 15),
    )
    html = personas["member"].get(f"/en/teams/{team.pk}/").content.decode()
    assert "end of day in Asia/Jakarta" in html
    assert "added the action “Freeze the account” for Ida Coordinator" in html
    assert "added Bruno Member" in html
    members = "".join(f"users={m.user_id}&amp;" for m in selectors.active_members(team))
    assert f'href="/en/planner/?{members}action=plan"' in html


@pytest.mark.django_db
def test_upload_through_the_page_and_a_new_version(personas, team):
    client = personas["member"]
    response = client.post(
        f"/en/teams/{team.pk}/documents/",
        {"title": "Evidence list", "file": SimpleUploadedFile("list.pdf", pdf(b"1"), "application/pdf"), "note": ""},
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    response = client.post(
        f"/en/teams/{team.pk}/documents/{version.document_id}/versions/",
        {"file": SimpleUploadedFile("list2.pdf", pdf(b"2"), "application/pdf"), "note": "added items"},
    )
    assert response.status_code == 302
    assert list(DocumentVersion.objects.values_list("number", flat=True)) == [2, 1]
    response = client.post(f"/en/teams/{team.pk}/documents/", {"title": "No file"})
    assert response.status_code == 400 and 'id="doc_file_errors"' in response.content.decode()


@pytest.mark.django_db
def test_agreement_docx_and_print_carry_the_parties_and_leaders(personas, team):
    response = personas["member"].get(f"/en/teams/{team.pk}/agreement.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Agreement on the setting up of a joint team" in text
    assert "The following parties have agreed to set up a joint team: Brazil, Indonesia." in text
    assert "For Indonesia:" in text and "Name: Ida Coordinator" in text
    html = personas["member"].get(f"/en/teams/{team.pk}/agreement/").content.decode()
    assert "Clara Coordinator (Brazil); Ida Coordinator (Indonesia)" in html


@pytest.mark.django_db
def test_create_through_the_page(personas, users):
    response = personas["member"].post(
        "/en/teams/new/",
        {
            "name": "JIT Tapajos",
            "purpose": "Gold smuggling",
            "starts_on": "2026-12-10",
            "ends_on": "2027-12-10",
            "leaders": [str(users["member"].pk), str(users["member_other"].pk)],
            "action": "create",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(name="JIT Tapajos")
    assert personas["member_other"].get(f"/en/teams/{team.pk}/").status_code == 200
    response = personas["member"].post(
        "/en/teams/new/",
        {
            "name": "",
            "purpose": "x",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
            "leaders": [str(users["member"].pk)],
            "action": "create",
        },
    )
    assert response.status_code == 400
    assert Team.objects.count() == 1


@pytest.mark.django_db
def test_action_item_status_through_the_api_and_token_scopes(personas, team, users):
    from django.test import Client

    from comity.accounts.services.tokens import api_token_create

    item = services.action_item_create(
        actor=users["coordinator"], team=team, title="Call", assignee=users["member"], due_on=dt.date(2027, 2, 1)
    )
    url = f"/api/v1/teams/{team.pk}/action-items/{item.pk}/"
    _token, read_secret = api_token_create(user=users["member"], name="read")
    _token, write_secret = api_token_create(user=users["member"], name="write", scope="write")
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {read_secret}")
    assert reader.get(f"/api/v1/teams/{team.pk}/").status_code == 200
    assert reader.patch(url, {"status": "done"}, content_type="application/json").status_code == 403
    writer = Client(HTTP_AUTHORIZATION=f"Bearer {write_secret}")
    response = writer.patch(url, {"status": "finished"}, content_type="application/json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["status"]
    response = writer.patch(url, {"status": "done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert response.json()["due_at"] == "2027-02-01T23:59:00+00:00"
    # Dewi is outside the team: 404, and the item is unchanged
    other = personas["member_other"].patch(url, {"status": "open"}, content_type="application/json")
    assert other.status_code == 404
    item.refresh_from_db()
    assert item.status == "done"
