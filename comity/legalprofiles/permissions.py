"""Who may do what with legal profiles. Deny by default.

Profiles and fiches are public: everyone, signed in or not, may read them. Only the secretariat (every country)
and a national coordinator (the countries they coordinate) may edit or confirm them. Anyone else asking for an
edit page or sending a write gets 404, as if it did not exist.
"""

from __future__ import annotations


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_read(user) -> bool:
    """Profiles, rules and fiches are public."""
    return True


def can_edit_country(user, country_code: str) -> bool:
    if not is_member(user) or getattr(user, "is_observer", False):
        return False
    if user.is_secretariat:
        return True
    return bool(user.is_coordinator and country_code.upper() in user.coordinated_country_codes())


def may_edit_some_country(user) -> bool:
    return is_member(user) and (user.is_secretariat or bool(user.coordinated_country_codes()))


def can_see_overdue(user) -> bool:
    return may_edit_some_country(user)


def can_see_editor_names(user) -> bool:
    """Members see who confirmed a page; the public sees the role ("the national coordinator")."""
    return is_member(user)
