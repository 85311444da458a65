from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "comity.files"
    label = "files"
    verbose_name = "Secure file exchange"

    def ready(self) -> None:
        from comity.files import forum_hooks

        forum_hooks.register()
