"""Forms of the directory pages: they parse what a browser sends; the services validate and write."""

from comity.directory.forms.records import (
    AUTHORITY_ERROR_FIELDS,
    AUTHORITY_LIMITS,
    CONTACT_LIMITS,
    AuthorityForm,
    ContactForm,
    HandoverForm,
    LimitedCharField,
)
from comity.directory.forms.search import (
    COOPERATION_LABELS,
    AuthorityFilterForm,
    FinderForm,
    country_choices,
    language_choices,
)
from comity.directory.forms.text import (
    ENGLISH_DAYS,
    format_closures,
    format_office_hours,
    parse_closures,
    parse_office_hours,
    split_codes,
)

__all__ = [
    "AUTHORITY_ERROR_FIELDS",
    "AUTHORITY_LIMITS",
    "CONTACT_LIMITS",
    "COOPERATION_LABELS",
    "ENGLISH_DAYS",
    "AuthorityFilterForm",
    "AuthorityForm",
    "ContactForm",
    "FinderForm",
    "HandoverForm",
    "LimitedCharField",
    "country_choices",
    "format_closures",
    "format_office_hours",
    "language_choices",
    "parse_closures",
    "parse_office_hours",
    "split_codes",
]
