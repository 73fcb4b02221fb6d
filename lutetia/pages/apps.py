from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "lutetia.pages"
    label = "pages"
    verbose_name = "Pages"
