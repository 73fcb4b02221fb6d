"""Template context every page needs: the services switched on for this site."""

from wagtail.models import Site

from lutetia.core.activation import enabled_services
from lutetia.core.registry import services


def platform(request):
    site = Site.find_for_request(request)
    enabled = enabled_services(site)
    return {
        "lutetia_site": site,
        "lutetia_services": [m for m in services.all() if m.slug in enabled and m.urls],
    }
