"""URL patterns the core builds from the registry.

A service's pages are mounted at ``/<prefix>/`` (and ``/en/<prefix>/`` in English, inside
``i18n_patterns``); its standard APIs (``extra_urls``) are mounted once, without a language.
"""

from django.urls import include, path

from lutetia.core.registry import services


def service_page_urlpatterns() -> list:
    return [
        path(
            f"{manifest.prefix}/",
            include((manifest.urls, manifest.slug), namespace=manifest.slug),
        )
        for manifest in services.all()
        if manifest.urls
    ]


def service_standard_urlpatterns() -> list:
    return [
        path(f"{prefix.strip('/')}/", include(urlconf))
        for manifest in services.all()
        for prefix, urlconf in manifest.extra_urls.items()
    ]
