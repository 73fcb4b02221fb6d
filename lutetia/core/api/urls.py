"""The platform's JSON API at /api/: the core's endpoints plus every service's router."""

from ninja import NinjaAPI

from lutetia.core.registry import services


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Lutetia API",
        version="1",
        description="The city's JSON API. Errors follow RFC 9457 (application/problem+json).",
        urls_namespace="api",
    )
    for manifest in services.all():
        router = manifest.resolve(manifest.api_router)
        if router is not None:
            api.add_router(f"/{manifest.slug}/", router, tags=[manifest.slug])
    return api


api = build_api()
