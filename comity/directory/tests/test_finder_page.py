"""The finder page: where do I send this request, and is anybody in now?"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.directory.models import Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.reference.tests.factories import NetworkFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

URL = "/en/directory/finder/"
MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday: 20:00 in Jakarta
CARD = re.compile(r'<h4><a href="/[a-z-]+/directory/authorities/\d+/">([^<]*)</a>')
CONTACT = re.compile(r"<h6>([^<]*)</h6>")
MLA = {"requesting": "BR", "requested": "ID", "type": "mla"}


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("comity.directory.views.common.now", lambda: MOMENT)
    return MOMENT


@pytest.fixture
def shared(brazil, indonesia):
    network = NetworkFactory(slug="gjn-demo", acronym="GJN", name="Global Judicial Network (demo)")
    network.members.add(brazil, indonesia)
    return network


@pytest.fixture
def indonesian_authorities(indonesia, brazil):
    ministry = AuthorityFactory(
        country=indonesia,
        official_name="Ministry of Law (demo)",
        languages_accepted=["id", "en", "pt"],
        channels=["direct", "diplomatic"],
        urgent_channels=["email"],
        untoc_mla_basis=True,
        phone="+62 21 0000 1000",
        email="mla@law.demo.example",
    )
    ContactFactory(
        seat__authority=ministry,
        seat__position=0,
        name="Dewi Lestari",
        phone="+62 21 5555 0001",
        visibility={"phone": Visibility.MEMBERS},
    )
    ContactFactory(
        seat__authority=ministry,
        seat__position=1,
        name="Hadi Night Desk",
        always_available=True,
        phone="+62 811 0000 2424",
        visibility={"phone": Visibility.PUBLIC},
    )
    desk = AuthorityFactory(
        country=indonesia,
        official_name="Zeta 24/7 Desk (demo)",
        languages_accepted=["en"],
        channels=["interpol", "electronic"],
        always_available=True,
        weekdays=False,
    )
    AuthorityFactory(country=indonesia, official_name="Cyber Directorate (demo)", competences=["cybercrime_24_7"])
    AuthorityFactory(
        country=indonesia,
        official_name="Extradition Office (demo)",
        competences=["extradition"],
        untoc_extradition_basis=True,
    )
    AuthorityFactory(country=brazil, official_name="Brazil MLA (demo)")
    return {"ministry": ministry, "desk": desk}


def test_everyone_may_use_the_finder(personas, indonesian_authorities, fixed_now):
    check_matrix(
        personas,
        "GET",
        URL,
        dict.fromkeys(("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat"), 200),
    )
    check_matrix(
        personas,
        "GET",
        URL + "?requesting=BR&requested=ID&type=mla",
        dict.fromkeys(("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat"), 200),
    )
    assert personas["member"].post(URL, MLA).status_code == 405


def test_members_start_from_their_own_country(personas):
    assert '<option value="BR" selected>Brazil</option>' in personas["member"].get(URL).content.decode()
    assert '<option value="ID" selected>Indonesia</option>' in personas["member_other"].get(URL).content.decode()
    anonymous = personas["anonymous"].get(URL).content.decode()
    assert '<option value="BR">Brazil</option>' in anonymous and '<option value="ID">Indonesia</option>' in anonymous


def test_brazil_to_indonesia_mla(personas, shared, indonesian_authorities, fixed_now):
    response = personas["member"].get(URL, MLA)
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        '<h2 id="result-heading">Mutual legal assistance: from <bdi>Brazil</bdi> to <bdi>Indonesia</bdi></h2>' in body
    )
    assert CARD.findall(body) == ["Ministry of Law (demo)", "Zeta 24/7 Desk (demo)"]
    assert "<h3>2 competent authorities</h3>" in body
    ministry = body[body.index("Ministry of Law (demo)") : body.index("Zeta 24/7 Desk (demo)")]
    assert (
        '<dt>Availability now</dt><dd><span class="status-bad">Closed</span><br>Local time <bdi>8:00\u202fPM'
        "</bdi> (<bdi>Jakarta, UTC+07:00</bdi>)<br>Next opens <bdi>Nov 25, 2026, 2:00\u202fAM (UTC)</bdi>, which is "
        "<bdi>Nov 25, 2026, 9:00\u202fAM (Jakarta, UTC+07:00)</bdi> there.</dd>"
    ) in ministry
    assert "<dt>Designated under</dt><dd>UNTOC art. 18(13)</dd>" in ministry
    assert (
        "<dd>Indonesian, English, Portuguese <strong>(a language of <bdi>Brazil</bdi>)</strong></dd>\n"
        "      <dt>Common language</dt><dd>Portuguese</dd>"
    ) in ministry
    assert (
        "<li>Directly between central authorities</li><li>Diplomatic channels</li>\n        "
        "<li>Through the shared network <bdi>Global Judicial Network (demo) (GJN)</bdi></li>"
    ) in ministry
    assert "<dt>Urgent requests accepted in advance by</dt><dd>E-mail</dd>" in ministry
    assert "<dt>UNTOC as legal basis for mutual legal assistance</dt>\n      <dd>Accepted</dd>" in ministry
    assert '<dt>Official e-mail</dt><dd><a href="mailto:mla@law.demo.example">mla@law.demo.example</a></dd>' in ministry
    assert CONTACT.findall(ministry) == ["Dewi Lestari", "Hadi Night Desk"]  # seat order when not urgent
    assert "+62 21 5555 0001" in ministry  # a members-only phone, for a member
    desk = body[body.index("Zeta 24/7 Desk (demo)") :]
    assert '<span class="tag">24/7</span></h4>' in desk
    assert "<dt>Common language</dt><dd>None: a translation is needed</dd>" in desk
    assert "<dt>UNTOC as legal basis for mutual legal assistance</dt>\n      <dd>Not accepted</dd>" in desk
    assert (
        '<dd><span class="status-ok">Available 24/7</span><br>Local time <bdi>8:00\u202fPM</bdi> (<bdi>Jakarta, '
        "UTC+07:00</bdi>)</dd>"
    ) in desk
    assert ('<li><a href="/en/networks/gjn-demo/">Global Judicial Network (demo)</a> (GJN)</li>') in body
    assert "Cyber Directorate" not in body and "Extradition Office" not in body and "Brazil MLA" not in body


def test_urgent_lists_24_7_options_first(personas, shared, indonesian_authorities, fixed_now):
    body = personas["member"].get(URL, {**MLA, "urgent": "on"}).content.decode()
    assert "Urgent: options available 24/7 and authorities open now are listed first." in body
    assert CARD.findall(body) == ["Zeta 24/7 Desk (demo)", "Ministry of Law (demo)"]
    assert CONTACT.findall(body) == ["Hadi Night Desk", "Dewi Lestari"]
    assert '<span class="tag">24/7 contact point</span></h4>' in body  # the ministry, through its night desk


def test_urgent_puts_authorities_with_a_24_7_contact_before_closed_ones(personas, indonesia, fixed_now):
    AuthorityFactory(country=indonesia, official_name="Alpha Office (demo)")
    night = AuthorityFactory(country=indonesia, official_name="Beta Office (demo)")
    ContactFactory(seat__authority=night, name="Night Duty", always_available=True)
    assert CARD.findall(personas["member"].get(URL, MLA).content.decode()) == [
        "Alpha Office (demo)",
        "Beta Office (demo)",
    ]
    assert CARD.findall(personas["member"].get(URL, {**MLA, "urgent": "on"}).content.decode()) == [
        "Beta Office (demo)",
        "Alpha Office (demo)",
    ]


def test_extradition_shows_the_extradition_basis(personas, indonesian_authorities, fixed_now):
    body = personas["member"].get(URL, {**MLA, "type": "extradition"}).content.decode()
    assert CARD.findall(body) == ["Extradition Office (demo)"]
    assert "<dt>UNTOC as legal basis for extradition</dt>\n      <dd>Accepted</dd>" in body
    assert "<p>The two states share no regional network recorded in Comity.</p>" in body


def test_no_competent_authority_falls_back_to_the_central_authorities(personas, indonesian_authorities, fixed_now):
    body = personas["member"].get(URL, {**MLA, "type": "asset_recovery"}).content.decode()
    assert CARD.findall(body) == ["Ministry of Law (demo)", "Zeta 24/7 Desk (demo)"]
    assert "<h3>2 central authorities for mutual legal assistance</h3>" in body
    assert (
        "No authority of <bdi>Indonesia</bdi> is recorded as competent for Asset recovery. Its central authority for "
        "mutual legal assistance is shown instead"
    ) in body


def test_anonymous_sees_the_same_authorities_with_public_contact_fields_only(
    personas, shared, indonesian_authorities, fixed_now
):
    body = personas["anonymous"].get(URL, MLA).content.decode()
    assert CARD.findall(body) == ["Ministry of Law (demo)", "Zeta 24/7 Desk (demo)"]
    assert "You see public contact details only. Sign in to see the details reserved for members." in body
    assert "+62 21 5555 0001" not in body and "+6221555500001" not in body
    for contact in indonesian_authorities["ministry"].contacts.all():
        assert contact.email not in body and contact.mobile not in body
    assert '<a href="tel:+6281100002424" dir="ltr">+62 811 0000 2424</a>' in body  # made public
    assert "+62 21 0000 1000" in body  # the authority's own phone is public


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({**MLA, "requested": "BR"}, "requested", "Choose a state other than the requesting state."),
        ({**MLA, "type": "piracy"}, "type", "“piracy” is not a type of cooperation."),
        ({**MLA, "requesting": "ZZ"}, "requesting", "“ZZ” is not a country in Comity."),
        ({"requesting": "BR", "type": "mla"}, "requested", "This field is required."),
    ],
)
def test_rejected_input(personas, indonesian_authorities, params, field, message):
    response = personas["member"].get(URL, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert f'<ul class="errors" id="id_{field}_errors"><li>{message}</li></ul>' in body
    assert body.count('aria-invalid="true"') == 1
    assert CARD.findall(body) == []


def _count(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # Shared networks; authorities, competences, office hours, closures, contacts. (The countries come from
        # the process's shared list, loaded by the warm-up request: test_shared_countries_load_once.)
        ("anonymous", 6),
        # + session, user, second factor, tracked session, what the rules read of the viewer (their country's code,
        # its network partners, the states they are a contact point of, in one query: their class,
        # comity.directory.permissions.contact_visibility_class); the session is not saved.
        ("member", 11),
    ],
)
def test_query_count_does_not_grow(
    nothing_kept, personas, shared, indonesia, fixed_now, persona, expected, django_assert_num_queries
):
    for number in range(2):
        ContactFactory(seat__authority=AuthorityFactory(country=indonesia, official_name=f"Office {number}"))
    client = personas[persona]
    _count(client, MLA)  # loads the shared country list (another question: its answer is kept apart)
    first, response = _count(client, {**MLA, "urgent": "on"})
    assert len(CARD.findall(response.content.decode())) == 2
    for number in range(2, 9):
        authority = AuthorityFactory(country=indonesia, official_name=f"Office {number}")
        ContactFactory(seat__authority=authority, always_available=True)
        ContactFactory(seat__authority=authority)
    with django_assert_num_queries(first):
        response = client.get(URL, {**MLA, "urgent": "on"})
    assert len(CARD.findall(response.content.decode())) == 9
    assert first == expected


def test_kept_answers_are_shared_only_within_a_class(personas, shared, indonesia, fixed_now):
    """An answer is kept for viewers who see the same fields: a secretariat-only phone reaches neither a member
    nor the public from a kept answer, and the contact point sees their own."""
    holder = personas["member_other"].get(URL).wsgi_request.user
    ContactFactory(
        seat__authority=AuthorityFactory(country=indonesia, official_name="Kejaksaan Agung"),
        user=holder,
        phone="+62 21 555 0199",
        visibility={"phone": "secretariat"},
    )
    order = ["secretariat", "member_other", "member", "anonymous", "secretariat"]
    seen = {name: "+62 21 555 0199" in personas[name].get(URL, MLA).content.decode() for name in order}
    assert seen == {"secretariat": True, "member_other": True, "member": False, "anonymous": False}


def test_what_is_kept_of_the_viewer_follows_networks_and_contact_points_at_once(personas, indonesia, fixed_now):
    """What the visibility rules read of a member (their country, its network partners, the states they are a
    contact point of) is kept per person; a network joined or a contact point named changes their class at once."""
    from comity.reference.models import NetworkMembership

    member = personas["member"]  # Brazil, sharing no network with Indonesia yet
    authority = AuthorityFactory(country=indonesia, official_name="Kejaksaan Agung")
    ContactFactory(
        seat__authority=authority, seat__position=0, phone="+62 21 555 0177", visibility={"phone": "network"}
    )
    assert "+62 21 555 0177" not in member.get(URL, MLA).content.decode()
    network = NetworkFactory(slug="new-network", acronym="NN", name="New network (demo)")
    NetworkMembership.objects.create(network=network, country=indonesia)
    NetworkMembership.objects.create(network=network, country=member.get(URL).wsgi_request.user.country)
    assert "+62 21 555 0177" in member.get(URL, MLA).content.decode()
    ContactFactory(
        seat__authority=authority,
        seat__position=1,
        user=member.get(URL).wsgi_request.user,
        phone="+62 21 555 0188",
        visibility={"phone": "secretariat"},
    )
    assert "+62 21 555 0188" in member.get(URL, MLA).content.decode()  # their own contact point: all its fields
