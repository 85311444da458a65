import pytest

from comity.directory.tests.factories import AuthorityFactory
from comity.reference.tests.factories import CountryFactory


@pytest.fixture
def cities(db, brazil, france, indonesia):
    """Four hand-made authorities, Monday-Friday 09:00-13:00 and 14:00-18:00 local."""
    japan = CountryFactory(iso2="JP", name_en="Japan")
    return {
        "brasilia": AuthorityFactory(country=brazil, official_name="Brasilia CA", timezone="America/Sao_Paulo"),
        "paris": AuthorityFactory(country=france, official_name="Paris CA", timezone="Europe/Paris"),
        "jakarta": AuthorityFactory(country=indonesia, official_name="Jakarta CA", timezone="Asia/Jakarta"),
        "tokyo": AuthorityFactory(country=japan, official_name="Tokyo CA", timezone="Asia/Tokyo"),
    }
