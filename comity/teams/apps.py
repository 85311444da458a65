from django.apps import AppConfig


class TeamsConfig(AppConfig):
    """Joint-team workspaces: members per country, shelf, action items, agreement."""

    name = "comity.teams"
    label = "teams"
    verbose_name = "Joint teams"
