"""A stand-in service mounted at /essai/ by ``tests.pages.urls``."""

from itertools import count

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import get_language_from_request

from lutetia.pages.cache import cached_for_anonymous

answers = count(1)


@cached_for_anonymous(namespace="essai", language_from_headers=True)
def latest(request):
    """Numbers its answers, so a test sees whether the view ran or the cache answered."""
    return HttpResponse(f"answer {next(answers)} in {get_language_from_request(request)}")


app_name = "essai"
urlpatterns = [
    path("", lambda request: HttpResponse("essai"), name="index"),
    path("latest/", latest, name="latest"),
]
