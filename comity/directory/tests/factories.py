import datetime as dt

import factory

from comity.core.search import fold
from comity.directory.models import Authority, AuthorityCompetence, Contact, OfficeHours, Seat
from comity.reference.tests.factories import CountryFactory


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        skip_postgeneration_save = True

    country = factory.SubFactory(CountryFactory)
    official_name = factory.Sequence(lambda n: f"Central Authority {n}")
    timezone = factory.LazyAttribute(lambda o: o.country.primary_timezone)
    languages_accepted = factory.LazyFunction(lambda: ["en"])
    channels = factory.LazyFunction(lambda: ["direct", "electronic"])
    email = factory.Sequence(lambda n: f"authority{n}@gov.example")
    search_text = factory.LazyAttribute(lambda o: fold(o.official_name))

    @factory.post_generation
    def competences(self, create, extracted, **kwargs):
        if create:
            for code in extracted if extracted is not None else ["mla_central"]:
                AuthorityCompetence.objects.create(authority=self, code=code, instrument="untoc_18_13")

    @factory.post_generation
    def weekdays(self, create, extracted, **kwargs):
        """Office hours Monday-Friday 09:00-13:00 and 14:00-18:00 unless weekdays=False."""
        if create and extracted is not False:
            rows = []
            for day in range(5):
                rows.append(OfficeHours(authority=self, weekday=day, opens=dt.time(9), closes=dt.time(13)))
                rows.append(OfficeHours(authority=self, weekday=day, opens=dt.time(14), closes=dt.time(18)))
            OfficeHours.objects.bulk_create(rows)


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    authority = factory.SubFactory(AuthorityFactory)
    title = "Head of unit"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    seat = factory.SubFactory(SeatFactory)
    authority = factory.LazyAttribute(lambda o: o.seat.authority)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "Prosecutor"
    email = factory.Sequence(lambda n: f"contact{n}@gov.example")
    phone = "+55 61 2025 0000"
    mobile = "+55 61 9 9999 0000"
    languages = factory.LazyFunction(lambda: ["en"])
