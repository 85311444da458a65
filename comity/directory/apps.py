from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "comity.directory"
    label = "directory"
    verbose_name = "Directory of competent authorities"
