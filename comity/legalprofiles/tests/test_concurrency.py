"""Simultaneous first edits of one country (PostgreSQL): one profile, one fiche, every change kept in order."""

import threading

import pytest
from django.db import connection, connections

from comity.legalprofiles import services
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche, ProfileVersion


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_edits(users, brazil):
    types = ["mla", "extradition", "asset_recovery", "cybercrime"]
    start = threading.Barrier(len(types))
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            start.wait()
            services.rules_update(
                actor=users["secretariat"], country=brazil, coop_type=types[index], data={"typical_time": str(index)}
            )
            services.fiche_update(
                actor=users["coordinator"], country=brazil, measure="freezing", data={"remarks": f"writer {index}"}
            )
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(index,)) for index in range(len(types))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    profile = CountryProfile.objects.get(country=brazil)
    assert sorted(CooperationRules.objects.filter(profile=profile).values_list("coop_type", flat=True)) == sorted(types)
    assert MeasureFiche.objects.filter(country=brazil).count() == 1
    actions = list(ProfileVersion.objects.filter(kind="profile").order_by("pk").values_list("action", flat=True))
    assert actions == ["created", "updated", "updated", "updated"]
    fiche_actions = list(ProfileVersion.objects.filter(kind="fiche").order_by("pk").values_list("action", flat=True))
    assert fiche_actions == ["created", "updated", "updated", "updated"]
