"""Pieces of the public reads (the map's GeoJSON, Open311) shared by their serialisers."""

import functools

from django.utils import translation

from lutetia.services.reports.models import Report

# The anonymous page cache's namespace of these reads: ``actions`` drops it on every change
# the public sees, without dropping the site's other pages.
PAGE_CACHE_NAMESPACE = "reports"


@functools.cache
def status_labels(language: str) -> dict[str, str]:
    """Each status's label in ``language``, translated once per process: a lazy label
    translated per row costs more than the rest of the row."""
    with translation.override(language):
        return {status: str(label) for status, label in Report.Status.choices}


def current_language() -> str:
    """The active language's code without its region ("fr", "en")."""
    return (translation.get_language() or "fr").split("-")[0]
