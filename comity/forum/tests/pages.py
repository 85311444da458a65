"""Helpers for the forum's page tests."""


def page_of(client, url: str, **params) -> str:
    """A page's HTML, after checking that it answered 200 (so an absence asserted on it is not an error page's)."""
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
