import factory

from comity.core.search import fold
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche
from comity.reference.tests.factories import CountryFactory


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryProfile

    country = factory.SubFactory(CountryFactory)
    legal_tradition = "civil_law"
    summary = "A summary of the legal framework."
    search_text = factory.LazyAttribute(lambda o: fold(o.summary))


class RulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationRules

    profile = factory.SubFactory(ProfileFactory)
    coop_type = "mla"


class FicheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureFiche

    country = factory.SubFactory(CountryFactory)
    measure = "bank_records"
    availability = "available"
    legal_conditions = "A court order is needed."
    search_text = factory.LazyAttribute(lambda o: fold(o.legal_conditions))
