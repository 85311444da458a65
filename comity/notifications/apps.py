from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "comity.notifications"
    label = "notifications"
    verbose_name = "Notifications and e-mail"
