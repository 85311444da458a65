"""The legal-basis finder's query (from, to, type, on): parsed once for the page and the API.

Every rejected value is named by its parameter: a missing or unknown state, an unknown type, a malformed date.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.legalprofiles.choices import CooperationType
from comity.reference.models import Country

ISO2 = re.compile(r"^[A-Za-z]{2}$")
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def parse_basis_query(params) -> tuple[Country, Country, str, dt.date]:
    errors: dict[str, list[str]] = {}
    codes = {}
    for name in ("from", "to"):
        raw = (params.get(name) or "").strip()
        if not raw:
            errors[name] = [_("This parameter is required: an ISO 3166-1 alpha-2 code such as BR.")]
        elif not ISO2.match(raw):
            errors[name] = [_("Use an ISO 3166-1 alpha-2 country code such as BR.")]
        else:
            codes[name] = raw.upper()
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=list(codes.values()))} if codes else {}
    for name, code in codes.items():
        if code not in countries:
            errors[name] = [_("Unknown country code %(code)s.") % {"code": code}]
        elif not countries[code].is_state:
            errors[name] = [_("%(country)s is not a State: choose a State.") % {"country": countries[code].name}]
    if "from" in codes and "to" in codes and codes["from"] == codes["to"] and "to" not in errors:
        errors["to"] = [_("Choose two different states.")]
    coop_type = (params.get("type") or "").strip()
    if coop_type not in CooperationType.values:
        errors["type"] = [
            _("Unknown type of cooperation: use one of %(codes)s.") % {"codes": ", ".join(CooperationType.values)}
        ]
    raw_on = (params.get("on") or "").strip()
    on = timezone.localdate()
    if raw_on:
        try:
            on = dt.date.fromisoformat(raw_on)
        except ValueError:
            errors["on"] = [_("“%(value)s” is not a date: write it YYYY-MM-DD.") % {"value": raw_on}]
        else:
            if not EARLIEST <= on <= LATEST:
                errors["on"] = [_("The date must be between 1900 and 2100.")]
    if errors:
        raise ValidationError(errors)
    return countries[codes["from"]], countries[codes["to"]], coop_type, on
