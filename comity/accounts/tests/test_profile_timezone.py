"""The profile's time-zone picker: grouped by country, zones named by city and offset, no legacy aliases."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/en/accounts/profile/"


def test_zones_are_grouped_by_country_and_named_by_city_and_offset(personas):
    page = personas["member"].get(URL).content.decode()
    assert '<optgroup label="Brazil">' in page
    assert '<option value="America/Sao_Paulo">São Paulo, UTC\u221203:00</option>' in page
    assert '<optgroup label="Indonesia">' in page
    assert 'value="Asia/Jakarta">Jakarta, UTC+07:00</option>' in page
    assert '<option value="UTC"' in page
    for alias in ("Etc/GMT+3", "US/Eastern", "Asia/Calcutta", "Brazil/East"):
        assert f'value="{alias}"' not in page


def test_a_legacy_alias_is_refused_as_a_new_choice_but_kept_for_whoever_has_it(personas, users):
    member = users["member"]
    data = {"full_name": member.full_name, "preferred_language": "en", "timezone": "Etc/GMT+3"}
    response = personas["member"].post(URL, data)
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.timezone != "Etc/GMT+3"
    member.timezone = "Etc/GMT+3"
    member.save(update_fields=["timezone"])
    page = personas["member"].get(URL).content.decode()
    assert '<option value="Etc/GMT+3" selected>Etc/GMT+3</option>' in page
