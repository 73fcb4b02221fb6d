"""Writing many reports at once (import, generator, demo): COPY on PostgreSQL, one
``executemany`` on SQLite, references reserved in ranges.

Rows skip the ORM (no model instance per row), so callers pass finished values: ``cell``
computed, datetimes as ``timestamp`` strings in UTC (see ``timestamps``).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from django.db import connection

from lutetia.core.references import format_reference, reserve_numbers
from lutetia.services.reports.models import Report, ReportUpdate

REFERENCE_PREFIX = "DMR"

# The columns a bulk row gives, in order; the others are left NULL (reporter, assignee,
# API key, duplicate_of…).
REPORT_COLUMNS = (
    "reference",
    "category_id",
    "status",
    "priority",
    "description",
    "address",
    "longitude",
    "latitude",
    "cell",
    "district_id",
    "department_id",
    "attributes",
    "media_url",
    "email",
    "first_name",
    "last_name",
    "phone",
    "reporter_public",
    "source",
    "confirmation_token",
    "published_at",
    "hidden",
    "hidden_reason",
    "created_at",
    "updated_at",
    "closed_at",
    "status_notes",
    "transferred_to",
    "rejection_reason_id",
)
UPDATE_COLUMNS = (
    "report_id",
    "kind",
    "from_status",
    "to_status",
    "public_response",
    "internal_note",
    "created_at",
)


def references_for(years: Sequence[int]) -> list[str]:
    """One new reference per row, for rows in date order: numbers reserved per year in one
    range each, so a year's numbers follow the dates."""
    years = [int(year) for year in years]  # numpy integers are no SQL parameters
    counts: dict[int, int] = {}
    for year in years:
        counts[year] = counts.get(year, 0) + 1
    numbers = {year: iter(reserve_numbers(REFERENCE_PREFIX, year, n)) for year, n in counts.items()}
    return [format_reference(REFERENCE_PREFIX, year, next(numbers[year])) for year in years]


def timestamps(values: np.ndarray) -> list[str | None]:
    """``datetime64`` values (UTC; NaT for none) as strings both databases store: ISO 8601
    for PostgreSQL (Django's connections run in UTC), Django's own layout for SQLite."""
    text = np.datetime_as_string(values, unit="us").tolist()
    if connection.vendor == "postgresql":
        return [None if value == "NaT" else value for value in text]
    return [None if value == "NaT" else value.replace("T", " ") for value in text]


def insert_reports(rows: Iterable[tuple]) -> None:
    """Insert rows of ``REPORT_COLUMNS`` values."""
    _insert(Report._meta.db_table, REPORT_COLUMNS, rows)


def insert_updates(rows: Iterable[tuple]) -> None:
    """Insert timeline rows of ``UPDATE_COLUMNS`` values."""
    _insert(ReportUpdate._meta.db_table, UPDATE_COLUMNS, rows)


def _insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))  # noqa: S608 (our table)


# A load this large (and at least half the table) rebuilds the indexes and checks the foreign
# keys once at the end rather than row by row: on PostgreSQL, sorting a million keys once and
# one join are several times faster than a million scattered B-tree insertions into twenty
# indexes and three million single-row lookups.
REBUILD_INDEXES_FROM = 50_000


@contextmanager
def loading(rows: int) -> Iterator[None]:
    """Wrap a load of about ``rows`` reports (inside the caller's transaction).

    On PostgreSQL a large load drops the table's secondary indexes (not those of the
    primary key and unique constraints) and its foreign keys, and adds them again at the
    end (the keys are then checked in one pass). The table is locked meanwhile, so large
    loads are for installation and benchmarks, not busy hours; a rollback brings
    everything back (DDL is transactional).
    """
    table = Report._meta.db_table
    if connection.vendor != "postgresql" or rows < REBUILD_INDEXES_FROM:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        if rows < cursor.fetchone()[0] / 2:
            yield
            return
        cursor.execute(_SECONDARY_INDEXES, [table])
        indexes = cursor.fetchall()
        cursor.execute(_FOREIGN_KEYS, [table])
        foreign_keys = cursor.fetchall()
        # Checks still pending in this transaction would forbid altering the tables.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


_SECONDARY_INDEXES = """
    SELECT index.relname, pg_get_indexdef(index.oid)
    FROM pg_index
    JOIN pg_class index ON index.oid = pg_index.indexrelid
    WHERE pg_index.indrelid = %s::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = index.oid)
"""
_FOREIGN_KEYS = """
    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype = 'f'
"""
