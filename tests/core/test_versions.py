"""Version tokens: renewed when data changes, never coming back after the cache is cleared."""

import pytest
from django.core.cache import cache

from lutetia.core import versions

KEY = "lutetia:test:version"


def test_a_token_stays_until_renewed():
    first = versions.current(KEY)
    assert versions.current(KEY) == first
    versions.renew(KEY)
    assert versions.current(KEY) != first


def test_a_cleared_cache_gives_a_new_token():
    first = versions.current(KEY)
    cache.clear()
    assert versions.current(KEY) != first


def test_current_many_keeps_the_order_of_the_keys():
    one, two = versions.current("lutetia:test:one"), versions.current("lutetia:test:two")
    assert versions.current_many(["lutetia:test:two", "lutetia:test:one"]) == [two, one]


@pytest.mark.django_db
def test_renewal_waits_for_the_commit(django_capture_on_commit_callbacks):
    first = versions.current(KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        versions.renew_on_commit(KEY)
    assert versions.current(KEY) == first
    callbacks[0]()
    assert versions.current(KEY) != first
