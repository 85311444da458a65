from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The legal library (documents with extracted text), the multilingual glossary and the legal search."""

    name = "comity.library"
    label = "library"
    verbose_name = "Legal library"

    def ready(self) -> None:
        from comity.library import forum_hooks

        forum_hooks.register()
