"""What the directory accepts as input: DRF serializers that the services run on every page, CSV and API payload."""

from comity.directory.inputs.fields import ClosureShape, CompetenceShape, OfficeHoursShape
from comity.directory.inputs.serializers import (
    AuthorityInput,
    ContactInput,
    NewContactInput,
    max_lengths,
    validated,
)

__all__ = [
    "AuthorityInput",
    "ClosureShape",
    "CompetenceShape",
    "ContactInput",
    "NewContactInput",
    "OfficeHoursShape",
    "max_lengths",
    "validated",
]
