from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lutetia.core.api"
    label = "api"
    verbose_name = "API"
