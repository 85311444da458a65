import factory

from comity.accounts.models import Role, User
from comity.reference.tests.factories import CountryFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    country = factory.SubFactory(CountryFactory)
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def coordinated(self, create, extracted, **kwargs):
        if create and extracted:
            self.coordinated_countries.set(extracted)
        if create:
            self.save()
