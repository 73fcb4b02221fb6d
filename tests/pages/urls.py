"""The project's URLs plus the stand-in service of ``conftest.essai_service``."""

from django.urls import include, path

from lutetia.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("essai/", include("tests.pages.service_urls")), *project_urlpatterns]
