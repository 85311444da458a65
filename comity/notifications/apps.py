from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "comity.notifications"
    label = "notifications"
    verbose_name = "Notifications and e-mail"

    def ready(self) -> None:
        from comity.forum import hooks
        from comity.notifications import services

        hooks.post_created.register(services.on_post_created_hook)
        hooks.reply_audience.register(services.reply_audience)

        from comity.core import header
        from comity.notifications import selectors

        header.register_unread_count(selectors.notification_unread_badge)
