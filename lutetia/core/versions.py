"""Version tokens in the shared cache: how every app server learns that what it derived from
some data (a lookup table, cached pages, a back-office sidebar) is stale.

A reader puts ``current(key)`` into its cache keys, or compares it with the token its
process built for; a writer calls ``renew_on_commit(key)`` in the transaction that changes
the data. Tokens are random rather than counters, so that a cleared or evicted cache can
never bring back a token something was already built for.
"""

import uuid
from functools import partial

from django.core.cache import cache
from django.db import transaction


def current(key: str) -> str:
    return current_many([key])[0]


def current_many(keys: list[str]) -> list[str]:
    """The tokens of ``keys``, in one cache round trip; a missing one is created."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def renew(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, None)


def renew_on_commit(key: str) -> None:
    """Renew ``key`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(renew, key))
