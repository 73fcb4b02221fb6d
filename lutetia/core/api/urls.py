"""The platform's JSON API at /api/: the core's endpoints plus every service's router."""

from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI

from lutetia.core.api.core_router import router as core_router
from lutetia.core.api.errors import install_exception_handlers, problem
from lutetia.core.registry import services


class LutetiaAPI(NinjaAPI):
    """A NinjaAPI whose every error, unknown URLs included, is a problem document."""

    def set_default_exception_handlers(self) -> None:
        install_exception_handlers(self)

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return [*patterns, re_path(r"^.*$", not_found)], app_name, namespace


@csrf_exempt
def not_found(request, *args, **kwargs):
    return problem(404, detail=_("There is no API endpoint at this address."))


def build_api() -> NinjaAPI:
    api = LutetiaAPI(
        title="Lutetia API",
        version="1",
        description=(
            "The city's JSON API. Errors follow RFC 9457 (application/problem+json); "
            "invalid input answers 400 with an `errors` list. Send an API key as "
            "`X-API-Key: <key>` or `Authorization: Bearer <key>` for higher rate limits; "
            "over the limit, requests answer 429 with `Retry-After`."
        ),
        urls_namespace="api",
    )
    api.add_router("/core/", core_router)
    for manifest in services.all():
        router = manifest.resolve(manifest.api_router)
        if router is not None:
            api.add_router(f"/{manifest.slug}/", router, tags=[manifest.slug])
    return api


api = build_api()
