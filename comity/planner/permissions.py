"""Who may plan, and whom they may plan with. Deny by default.

The planner is for signed-in members. It plans with the authorities the directory shows the caller
(`directory.permissions.authorities_visible_to`) and with active members; an id outside these is answered exactly
like an unknown one, so the planner never reveals that a hidden record exists.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from comity.directory import permissions as directory_permissions
from comity.directory.models import Authority


def can_use_planner(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def authorities_for(user) -> QuerySet[Authority]:
    if not can_use_planner(user):
        return Authority.objects.none()
    return directory_permissions.authorities_visible_to(user)


def users_for(user) -> QuerySet:
    User = get_user_model()
    if not can_use_planner(user):
        return User.objects.none()
    return User.objects.filter(is_active=True)
