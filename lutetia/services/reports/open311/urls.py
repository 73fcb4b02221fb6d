"""Open311 GeoReport v2, mounted at /open311/v2/ by the manifest's ``extra_urls``.

Each resource ends in its format (``services.json``, ``requests/DMR-2026-000123.xml``);
anything else under the prefix answers 404 in Open311's error format.
"""

from django.urls import path, re_path

from lutetia.services.reports.open311 import views

app_name = "open311"
# When Dans ma rue is switched off on a site, the core's service gate answers with this view.
service_unavailable = views.service_unavailable

FORMAT = r"\.(?P<fmt>[^./]+)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+?)" + FORMAT, views.service_request, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FORMAT, views.token, name="token"),
    path("", views.not_found, name="root"),
    re_path(r"^(?P<rest>.+)$", views.not_found),
]
