from django.apps import AppConfig


class PlannerConfig(AppConfig):
    """Meeting planner across time zones, office hours and public holidays."""

    name = "comity.planner"
    label = "planner"
    verbose_name = "Planner"
