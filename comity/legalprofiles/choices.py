"""The fixed catalogues the legal portal shares: types of cooperation, measures, legal traditions.

`treaties` (instruments cover types of cooperation) and `library` (tags) import these from here, the lowest of the
legal apps. Codes are stable identifiers used in URLs, the API and data files; labels are translatable.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CooperationType(models.TextChoices):
    MLA = "mla", _("Mutual legal assistance")
    EXTRADITION = "extradition", _("Extradition")
    SENTENCED_TRANSFER = "sentenced_transfer", _("Transfer of sentenced persons")
    PROCEEDINGS_TRANSFER = "proceedings_transfer", _("Transfer of criminal proceedings")
    ASSET_RECOVERY = "asset_recovery", _("Asset recovery")
    CYBERCRIME = "cybercrime", _("Cybercrime cooperation")


class Measure(models.TextChoices):
    SEARCH_SEIZURE = "search_seizure", _("Search and seizure")
    BANK_RECORDS = "bank_records", _("Bank records")
    FREEZING = "freezing", _("Freezing of assets")
    CONFISCATION = "confiscation", _("Confiscation")
    WITNESS_HEARING = "witness_hearing", _("Hearing of a witness")
    VIDEOCONFERENCE_HEARING = "videoconference_hearing", _("Hearing by videoconference")
    SERVICE_OF_DOCUMENTS = "service_of_documents", _("Service of documents")
    TEMPORARY_TRANSFER = "temporary_transfer", _("Temporary transfer of a detained person")
    DATA_PRESERVATION = "data_preservation", _("Preservation of stored computer data")
    SUBSCRIBER_DATA = "subscriber_data", _("Subscriber information")
    TRAFFIC_DATA = "traffic_data", _("Traffic data")
    CONTENT_DATA = "content_data", _("Content data")
    INTERCEPTION = "interception", _("Interception of communications")
    CONTROLLED_DELIVERY = "controlled_delivery", _("Controlled delivery")
    COVERT_INVESTIGATION = "covert_investigation", _("Covert investigation")
    JOINT_INVESTIGATION_TEAM = "joint_investigation_team", _("Joint investigation team")
    ASSET_TRACING = "asset_tracing", _("Asset tracing")
    CRIMINAL_RECORDS = "criminal_records", _("Criminal records")


class LegalTradition(models.TextChoices):
    CIVIL_LAW = "civil_law", _("Civil law")
    COMMON_LAW = "common_law", _("Common law")
    ISLAMIC_LAW = "islamic_law", _("Islamic law")
    CUSTOMARY = "customary", _("Customary law")
    MIXED = "mixed", _("Mixed")
