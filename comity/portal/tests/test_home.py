import pytest


@pytest.mark.django_db
def test_home_renders_in_english(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert b'<html lang="en" dir="ltr">' in response.content
