from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "comity.forum"
    label = "forum"
    verbose_name = "Secure forum"

    def ready(self) -> None:
        from comity.forum import logfilters

        logfilters.install()
