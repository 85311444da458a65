"""Placeholder; the audit app's owner replaces it."""

from django.http import Http404


def event_list(request):
    raise Http404
