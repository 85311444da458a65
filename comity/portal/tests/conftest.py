import pytest

from comity.reference.services import reference_load


@pytest.fixture
def loaded(db):
    """The real reference data, loaded from comity/reference/data/."""
    return reference_load()
