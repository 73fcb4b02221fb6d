from django.urls import path

from lutetia.pages import views

urlpatterns = [
    path("recherche/", views.search, name="search"),
]
