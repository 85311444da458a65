from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Events, agendas, registration, funded participation and iCalendar feeds."""

    name = "comity.meetings"
    label = "meetings"
    verbose_name = "Meetings"
