"""Who may change instruments and party rows. Deny by default; everything here is public to read.

The secretariat writes everything. A national coordinator creates and edits bilateral treaties to which one of
their countries is a state, and the party rows of their countries (of any instrument). Everyone else reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from comity.treaties.models import Instrument, Kind


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_secretariat(user) -> bool:
    return is_member(user) and bool(user.is_secretariat)


def coordinated(user) -> set[str]:
    if not is_member(user) or not user.is_coordinator:
        return set()
    return set(user.coordinated_country_codes())


def may_write_at_all(user) -> bool:
    """Only the secretariat and national coordinators write instruments or parties."""
    return is_secretariat(user) or bool(coordinated(user))


def can_create_instrument(user, *, kind: str, states: Iterable[str] = ()) -> bool:
    if is_secretariat(user):
        return True
    return kind == Kind.BILATERAL and bool(coordinated(user) & set(states))


def can_edit_instrument(user, instrument: Instrument, *, states: Iterable[str] | None = None) -> bool:
    """`states`: the instrument's two states (ISO codes) when the caller already has them."""
    if is_secretariat(user):
        return True
    mine = coordinated(user)
    if not mine or instrument.kind != Kind.BILATERAL:
        return False
    codes = set(states) if states is not None else {c.iso2 for c in instrument.states.all()}
    return bool(mine & codes)


def can_edit_party(user, *, country_iso2: str) -> bool:
    return is_secretariat(user) or country_iso2 in coordinated(user)


def can_verify(user) -> bool:
    """Confirming a row against the depositary's table is the secretariat's."""
    return is_secretariat(user)


def can_import(user) -> bool:
    """Importing a depositary status table is the secretariat's."""
    return is_secretariat(user)
