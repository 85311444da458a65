import datetime as dt

import pytest

from comity.teams import services


@pytest.fixture(autouse=True)
def file_root(tmp_path, settings):
    settings.COMITY_FILE_ROOT = tmp_path / "files"
    return settings.COMITY_FILE_ROOT


def pdf(marker: bytes = b"demo") -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\n" + marker + b"\n%%EOF\n"


@pytest.fixture
def team(users):
    """Brazil-Indonesia: Clara (coordinator, BR) set it up and leads for Brazil, Ida leads for Indonesia, and
    Bruno (member, BR) was invited by Clara. Dewi (ID), the secretariat and the rest are outside it."""
    created = services.team_create(
        actor=users["coordinator"],
        name="JIT Amazonas-Java",
        purpose="Trafficking in timber between the two countries.",
        agreement_reference="JIT/2026/001",
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 6, 30),
        leaders=[users["coordinator"], users["coordinator_other"]],
    )
    services.member_add(actor=users["coordinator"], team=created, user=users["member"])
    return created
