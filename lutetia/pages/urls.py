from django.urls import path

from lutetia.pages import views
from lutetia.pages.theme import site_theme_css

urlpatterns = [
    path("recherche/", views.search, name="search"),
    path("theme.css", site_theme_css, name="site_theme_css"),
]
