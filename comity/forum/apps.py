from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "comity.forum"
    label = "forum"
    verbose_name = "Secure forum"
