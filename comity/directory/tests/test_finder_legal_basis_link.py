"""The finder's result links to the legal-basis finder for the same pair and type."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("coop_type", ["mla", "extradition", "cybercrime"])
def test_result_links_to_the_legal_basis_of_the_pair(client, brazil, indonesia, coop_type):
    html = client.get(f"/en/directory/finder/?requesting=BR&requested=ID&type={coop_type}").content.decode()
    assert (
        f'<a id="legal-basis-link" href="/en/legal/basis/?from=BR&amp;to=ID&amp;type={coop_type}">'
        "Legal basis for this pair</a>"
    ) in html


def test_no_link_without_a_result(client, brazil, indonesia):
    assert "legal-basis-link" not in client.get("/en/directory/finder/").content.decode()


def test_the_finder_types_are_the_legal_portal_codes():
    """The link passes the finder's type as is: its codes are the legal portal's CooperationType codes (listed here
    because the directory sits below legalprofiles and does not import it)."""
    from comity.directory.forms import COOPERATION_LABELS

    assert set(COOPERATION_LABELS) == {
        "mla",
        "extradition",
        "sentenced_transfer",
        "proceedings_transfer",
        "asset_recovery",
        "cybercrime",
    }
