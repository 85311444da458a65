from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "comity.files"
    label = "files"
    verbose_name = "Secure file exchange"
