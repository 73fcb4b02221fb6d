from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page, Site


def search(request):
    """Search the live pages of the current site's tree in the current language."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        site = Site.find_for_request(request)
        pages = Page.objects.live().public()
        if site is not None:
            pages = pages.descendant_of(site.root_page.localized, inclusive=True)
        results = pages.specific().search(query)
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(request, "pages/search.html", {"query": query, "results": page})
