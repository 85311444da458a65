from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "comity.files"
    label = "files"
    verbose_name = "Secure file exchange"

    def ready(self) -> None:
        from comity.core import generations
        from comity.files import forum_hooks
        from comity.files.models import Attachment
        from comity.forum.selectors import GENERATION

        forum_hooks.register()
        generations.bump_on_change(GENERATION, Attachment)  # a thread page shows its posts' files
