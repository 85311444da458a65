"""File sizes in the reader's language (CLDR number format, binary units)."""

from __future__ import annotations

from babel.numbers import format_decimal

from comity.core.i18n import babel_locale

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def file_size(size: int | None) -> str:
    if size is None:
        return "—"
    value, unit = float(size), 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value /= 1024
        unit += 1
    pattern = "#,##0" if unit == 0 else "#,##0.0"
    return f"{format_decimal(value, format=pattern, locale=babel_locale())}\u00a0{_UNITS[unit]}"
