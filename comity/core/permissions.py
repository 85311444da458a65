"""Permission plumbing shared by the apps: hidden and missing objects look the same (404)."""

from __future__ import annotations

from django.http import Http404


def get_visible_or_404(queryset, **lookup):
    """Fetch one object from an already user-restricted queryset, or 404 (never 403)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
