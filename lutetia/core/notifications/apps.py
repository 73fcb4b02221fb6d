from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lutetia.core.notifications"
    label = "notifications"
    verbose_name = "Notifications"
