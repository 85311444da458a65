"""The directory's web pages: browse and search, an authority's page, editing, and the finder."""

from comity.directory.views.browse import authority_detail, authority_list
from comity.directory.views.edit import (
    authority_confirm,
    authority_create,
    authority_edit,
    contact_confirm,
    contact_create,
    contact_edit,
    contact_handover,
)
from comity.directory.views.finder import finder

__all__ = [
    "authority_confirm",
    "authority_create",
    "authority_detail",
    "authority_edit",
    "authority_list",
    "contact_confirm",
    "contact_create",
    "contact_edit",
    "contact_handover",
    "finder",
]
