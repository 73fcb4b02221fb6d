from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lutetia.core.api.urls import api
from lutetia.core.health import healthz
from lutetia.core.urls import service_page_urlpatterns, service_standard_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *service_standard_urlpatterns(),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages in French at /… and in English at /en/…; Wagtail's catch-all comes last.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("mon-compte/", include("lutetia.accounts.urls")),
    path("", include("lutetia.pages.urls")),
    *service_page_urlpatterns(),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
