"""The districts' version token, shared by every process through Django's cache.

Each process keeps derived data (the lookup tree, the GeoJSON) built for one
version; the actions replace the token after each committed change, so every app
server sees the difference on its next read and rebuilds. The token is random
rather than a counter so that a cleared or evicted cache can never bring back a
value some process already built for. (Tests that change districts run the
actions inside ``django_capture_on_commit_callbacks(execute=True)`` so the bump
happens.)
"""

from django.core.cache import cache

from lutetia.core import versions

VERSION_KEY = "lutetia:districts:version"


def current() -> str | None:
    """The token of the districts as last changed (None before any change)."""
    return cache.get(VERSION_KEY)


def bump() -> None:
    """Mark every process's derived district data as stale (call after commit)."""
    versions.renew(VERSION_KEY)
