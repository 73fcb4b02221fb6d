from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lutetia.core.api.urls import api
from lutetia.core.health import healthz
from lutetia.core.urls import service_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("mon-compte/", include("lutetia.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lutetia.pages.urls")),
    *service_urlpatterns(),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
