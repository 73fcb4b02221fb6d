"""URL patterns the core builds from the registry: one include per service mount."""

from django.urls import include, path

from lutetia.core.registry import services


def service_urlpatterns() -> list:
    patterns = []
    for manifest in services.all():
        if manifest.urls:
            patterns.append(
                path(
                    f"{manifest.prefix}/",
                    include((manifest.urls, manifest.slug), namespace=manifest.slug),
                )
            )
        for prefix, urlconf in manifest.extra_urls.items():
            patterns.append(path(f"{prefix.strip('/')}/", include(urlconf)))
    return patterns
