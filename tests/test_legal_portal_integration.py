"""The legal portal's apps working together: the legal-basis finder's fallback reads the requested state's legal
profile (treaties -> legalprofiles)."""

from __future__ import annotations

import pytest

from comity.legalprofiles.models import CooperationRules, CountryProfile, TreatylessBasis


@pytest.mark.django_db
def test_fallback_explains_the_requested_states_domestic_law(client, brazil, indonesia):
    profile = CountryProfile.objects.create(
        country=indonesia,
        laws=[{"title": "Law No. 1 of 2006 on Mutual Assistance in Criminal Matters", "types": ["mla"]}],
    )
    CooperationRules.objects.create(profile=profile, coop_type="mla", treatyless_basis=TreatylessBasis.BOTH)

    response = client.get("/api/v1/legal-basis/", {"from": "BR", "to": "ID", "type": "mla", "on": "2026-11-27"})

    assert response.status_code == 200
    body = response.json()
    assert (body["bases"], body["excluded"]) == ([], [])
    assert "reciprocity" in body["fallback"]
    assert "Reciprocity under domestic law." in body["fallback"]
    assert "Domestic law: Law No. 1 of 2006 on Mutual Assistance in Criminal Matters." in body["fallback"]


@pytest.mark.django_db
def test_fallback_says_when_the_profile_is_silent(client, brazil, indonesia):
    response = client.get("/api/v1/legal-basis/", {"from": "BR", "to": "ID", "type": "extradition"})
    assert response.status_code == 200
    assert response.json()["fallback"].endswith("says nothing yet about cooperating without a treaty.")
