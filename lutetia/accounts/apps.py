from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lutetia.accounts"
    label = "accounts"
    verbose_name = "Mon Compte"

    def ready(self):
        from lutetia.accounts import signals  # noqa: F401 (connects the receivers)
