"""The back office's sidebar from the cache (see ``lutetia.core.admin_chrome``)."""

from django import template

from lutetia.core.admin_chrome import cached_sidebar_props

register = template.Library()
register.simple_tag(cached_sidebar_props, takes_context=True, name="cached_sidebar_props")
