"""The site theme's colours as CSS custom properties, served as a stylesheet (no inline style)."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from wagtail.models import Site

from lutetia.pages.models import SiteTheme


@cache_control(public=True, max_age=300)
def site_theme_css(request):
    site = Site.find_for_request(request)
    theme = SiteTheme.for_site(site) if site else SiteTheme()
    css = (
        ":root{"
        f"--colour-primary:{theme.primary_colour};"
        f"--colour-on-primary:{theme.primary_text_colour};"
        f"--colour-accent:{theme.accent_colour};"
        "}"
    )
    return HttpResponse(css, content_type="text/css")
