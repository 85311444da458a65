"""The demo up to the forum and files layers, for tests of those layers' own demo data.

The orchestrator also seeds the apps above them (events with their forum threads, a joint team with its private
space, request records). A test that counts the forum's demo posts or spaces seeds without those, so that its exact
figures stay about the forum's own seeder."""

from __future__ import annotations

import pytest

HIGHER_SEEDERS = {
    "comity.meetings.demo": ("meetings_demo_seed", {"events_created": 0, "skipped": []}),
    "comity.teams.demo": ("teams_demo_seed", {"teams": 0}),
    "comity.requests.demo": (
        "requests_demo_seed",
        {"letter_models_created": 0, "drafts_created": 0, "requests_created": 0},
    ),
}


def without_higher_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the seeders of meetings, teams and requests in the orchestrator with ones that add nothing."""
    import importlib

    for module_name, (function, result) in HIGHER_SEEDERS.items():
        module = importlib.import_module(module_name)
        monkeypatch.setattr(module, function, lambda result=result: dict(result))
