"""Deny-by-default API permission base: read tokens cannot write; writes need a verified user."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class TokenScopePermission(BasePermission):
    message = "This token's scope does not allow this method; create a token with the write scope."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        token = getattr(request, "auth", None)
        scope = getattr(token, "scope", None)
        return scope is None or scope == "write"


class IsMember(BasePermission):
    """Signed-in (two-factor verified or token) active users."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_active)
