"""Django's request log lines keep ids but not a space's slug (a private consultation's slug is its name)."""

import logging

import pytest

from comity.forum.logfilters import LOGGERS, SpaceSlugFilter


@pytest.mark.parametrize("name", LOGGERS)
def test_request_loggers_redact_space_slugs(name, caplog):
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger(name)
    logger.warning("%s: %s", "Not Found", "/en/forum/s/br-id-bank-records/members/?page=2")
    logger.warning("Forbidden (CSRF token missing.): /pt/files/spaces/br-id-bank-records/upload/")
    logger.info('"%(method)s %(path)s"', {"method": "GET", "path": "/en/forum/s/br-id-bank-records/"})
    logger.warning("%s: %s", "Not Found", "/en/forum/t/14/reply/")
    assert [record.getMessage() for record in caplog.records] == [
        "Not Found: /en/forum/s/*/members/?page=2",
        "Forbidden (CSRF token missing.): /pt/files/spaces/*/upload/",
        '"GET /en/forum/s/*/"',
        "Not Found: /en/forum/t/14/reply/",
    ]
    assert sum(isinstance(f, SpaceSlugFilter) for f in logger.filters) == 1  # installed once, at start-up


def test_calendar_feed_tokens_are_redacted_too():
    """A personal iCalendar feed's secret token is in its address: logs never carry it."""
    from comity.forum.logfilters import redact

    line = "GET /en/meetings/feed/s3cr3t-T0KEN.ics 404"
    assert redact(line) == "GET /en/meetings/feed/* 404"
    assert "s3cr3t" not in redact(line)
