"""Placeholder views; the reference app's owner replaces them."""

from django.http import Http404
from django.shortcuts import render

from comity.reference.models import Country, Network


def country_list(request):
    return render(request, "reference/country_list.html", {"countries": Country.objects.all()})


def country_detail(request, iso2):
    raise Http404


def network_list(request):
    return render(request, "reference/network_list.html", {"networks": Network.objects.all()})


def network_detail(request, slug):
    raise Http404
