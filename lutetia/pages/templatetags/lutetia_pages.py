"""Template helpers of the public sites: where each language switch leads."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def language_options(context) -> list[dict]:
    """One entry per language: its name and the URL of this content in that language.

    On a page, that is the page's translation, else the home page of that language;
    elsewhere (services, search), the same path in that language.
    """
    request = context["request"]
    page = context.get("page")
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return [
        {
            "code": code,
            "name": name,
            "current": code == current,
            "url": _url_in(request, page if isinstance(page, Page) else None, code),
        }
        for code, name in settings.LANGUAGES
    ]


def _url_in(request, page: Page | None, language: str) -> str:
    if page is not None:
        site = Site.find_for_request(request)
        for candidate in (page, site.root_page if site else None):
            translation = _live_translation(candidate, language)
            if translation is not None:
                return translation.get_url(request)
    return translate_url(request.get_full_path(), language)


def _live_translation(page: Page | None, language: str) -> Page | None:
    if page is None:
        return None
    return (
        page.get_translations(inclusive=True).live().filter(locale__language_code=language).first()
    )
