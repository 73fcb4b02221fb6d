from django.apps import AppConfig


class DistrictsConfig(AppConfig):
    name = "lutetia.core.districts"
    label = "districts"
    verbose_name = "Districts"
