"""A stand-in service mounted at /essai/ by ``tests.pages.urls``."""

from django.http import HttpResponse
from django.urls import path

app_name = "essai"
urlpatterns = [path("", lambda request: HttpResponse("essai"), name="index")]
