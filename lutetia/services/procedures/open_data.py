"""What the procedures service publishes: anonymous monthly statistics and dashboard figures."""

import csv
import io
from collections.abc import Iterator

from lutetia.services.procedures import selectors

CSV_COLUMNS = ["month", "procedure", "title", "count", "closed"]


def monthly_demands(format: str) -> Iterator[str]:
    """The ``procedures-demands-monthly`` dataset: counts per procedure, no answer nor identity."""
    if format != "csv":
        raise ValueError(f"Unsupported format {format!r}.")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in selectors.monthly_statistics():
        writer.writerow(row)
    yield buffer.getvalue()


def demands_per_month() -> list[tuple[str, int]]:
    return selectors.demands_per_month()


def median_processing_days() -> list[tuple[str, float]]:
    return selectors.median_processing_days()


def share_within_target() -> float | None:
    return selectors.share_within_target()
