import factory

from comity.reference import names
from comity.reference.models import Country, Network


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("iso2",)

    iso2 = "BR"
    iso3 = factory.LazyAttribute(
        lambda o: {"BR": "BRA", "ID": "IDN", "FR": "FRA", "JP": "JPN", "ES": "ESP", "PT": "PRT", "US": "USA"}.get(
            o.iso2, o.iso2 + "X"
        )
    )
    name_en = factory.LazyAttribute(lambda o: o.iso2)
    m49 = ""
    # A State unless the code is one of the data file's other areas (HK, PR...): tests build States mostly.
    is_state = factory.LazyAttribute(lambda o: o.iso2 in names.state_codes() or o.iso2 not in names.all_codes())
    timezones = factory.LazyAttribute(
        lambda o: {
            "BR": ["America/Sao_Paulo"],
            "ID": ["Asia/Jakarta"],
            "FR": ["Europe/Paris"],
            "JP": ["Asia/Tokyo"],
        }.get(o.iso2, ["UTC"])
    )


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    slug = "iberred"
    acronym = "IberRed"
    name = "Ibero-American Network for International Legal Cooperation"
    source = "test"
    as_of = factory.Faker("date_object")
