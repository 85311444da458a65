"""Demo data: a fictitious bilateral treaty between Brazil and Indonesia, clearly marked as demo.

Called by the demo orchestrator (comity.demo). Idempotent; refused under production settings.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from comity.reference.models import Country
from comity.treaties import services
from comity.treaties.models import Instrument, Party

DEMO_SLUG = "demo-br-id-mla"
DEMO_INSTRUMENT = {
    "slug": DEMO_SLUG,
    "title": "Treaty between Brazil and Indonesia on Mutual Legal Assistance in Criminal Matters (demo, fictitious)",
    "titles": {
        "pt": (
            "Tratado entre o Brasil e a Indonésia sobre Assistência Jurídica Mútua em Matéria Penal "
            "(demonstração, fictício)"
        ),
        "fr": "Traité d'entraide judiciaire en matière pénale entre le Brésil et l'Indonésie (démonstration, fictif)",
    },
    "kind": "bilateral",
    "states": ["BR", "ID"],
    "covers": [{"type": "mla", "articles": "arts. 1-3"}, {"type": "asset_recovery", "articles": "art. 17"}],
    "adopted_on": dt.date(2024, 3, 1),
    "in_force_on": dt.date(2025, 6, 1),
    "text": "A fictitious treaty for the demonstration of Comity. It does not exist.",
    "source": "Comity demo data (fictitious)",
    "as_of": dt.date(2026, 12, 1),
}
DEMO_PARTIES = {
    "BR": {"signed_on": dt.date(2024, 3, 1), "consent_on": dt.date(2025, 2, 10), "consent_kind": "ratification"},
    "ID": {"signed_on": dt.date(2024, 3, 1), "consent_on": dt.date(2025, 4, 2), "consent_kind": "ratification"},
}


def treaties_demo_seed() -> dict:
    """Create the demo treaty and its two parties if missing. Returns what was created."""
    if settings.COMITY_ENVIRONMENT == "production":
        raise ImproperlyConfigured("Demo data is refused under production settings.")
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=DEMO_INSTRUMENT["states"])}
    missing = sorted(set(DEMO_INSTRUMENT["states"]) - set(countries))
    if missing:
        return {"instruments_created": 0, "parties_created": 0, "countries_missing": missing}
    created = parties_created = 0
    with transaction.atomic():
        instrument = Instrument.objects.filter(slug=DEMO_SLUG).first()
        if instrument is None:
            data = {key: value for key, value in DEMO_INSTRUMENT.items()}
            cleaned = services.clean_instrument_data(data)
            instrument = Instrument(is_demo=True)
            services.apply_instrument(instrument, cleaned)
            created = 1
        for code, values in DEMO_PARTIES.items():
            if Party.objects.filter(instrument=instrument, country=countries[code]).exists():
                continue
            data = {**values, "in_force_on": DEMO_INSTRUMENT["in_force_on"], "source": DEMO_INSTRUMENT["source"]}
            data["as_of"] = DEMO_INSTRUMENT["as_of"]
            cleaned = services.clean_party_data(data, instrument=instrument)
            services.apply_party(Party(instrument=instrument, country=countries[code]), cleaned, actor=None)
            parties_created += 1
    return {"instruments_created": created, "parties_created": parties_created, "countries_missing": []}
