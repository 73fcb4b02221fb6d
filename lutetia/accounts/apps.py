from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lutetia.accounts"
    label = "accounts"
    verbose_name = "Mon Compte"
