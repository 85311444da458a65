from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "comity.directory"
    label = "directory"
    verbose_name = "Directory of competent authorities"

    def ready(self) -> None:
        from comity.core import generations
        from comity.directory import models
        from comity.directory.selectors import GENERATION

        # Every write of the directory saves one of these (a confirmation or a handover that updates rows in bulk
        # still records a RecordVersion), so kept lists and fragments (views/browse.py) see it at once.
        generations.bump_on_change(
            GENERATION,
            models.Authority,
            models.AuthorityCompetence,
            models.OfficeHours,
            models.Closure,
            models.Seat,
            models.Contact,
            models.RecordVersion,
        )
