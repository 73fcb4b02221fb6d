"""Human reference numbers such as ``DMR-2026-000123``: per prefix, numbered from 1 each year.

The counter is bumped with one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on
SQLite and PostgreSQL alike), so concurrent requests on several app servers never get the
same number, and the row lock lasts only until the caller's transaction ends.
"""

from django.db import connection

from lutetia.core.models import ReferenceCounter

_TABLE = ReferenceCounter._meta.db_table
_RESERVE = (
    f"INSERT INTO {_TABLE} (prefix, year, last) VALUES (%s, %s, %s) "  # noqa: S608 (our table name)
    f"ON CONFLICT (prefix, year) DO UPDATE SET last = {_TABLE}.last + %s RETURNING last"
)


def reserve_numbers(prefix: str, year: int, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers for ``prefix`` in ``year``."""
    if count < 1:
        raise ValueError("count must be at least 1")
    with connection.cursor() as cursor:
        cursor.execute(_RESERVE, [prefix, year, count, count])
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def next_reference(prefix: str, year: int) -> str:
    """The next reference for ``prefix`` in ``year``, e.g. ``DMR-2026-000123``."""
    return format_reference(prefix, year, reserve_numbers(prefix, year)[0])
