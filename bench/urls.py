"""The product's URLs behind a bare constant view, the fastest answer this stack can give."""

from django.http import HttpResponse
from django.urls import path

from lutetia.urls import urlpatterns as product_urlpatterns


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/constant", constant), *product_urlpatterns]
