"""What the appointments service publishes: anonymous monthly statistics and dashboard figures."""

import csv
import io
from collections.abc import Iterator

from lutetia.services.appointments import selectors

CSV_COLUMNS = ["month", "service", "bookings", "cancelled", "attended", "no_shows", "no_show_rate"]


def monthly_bookings(format: str) -> Iterator[str]:
    """The ``appointments-monthly`` dataset: counts per service and month, no identity."""
    if format != "csv":
        raise ValueError(f"Unsupported format {format!r}.")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in selectors.monthly_statistics():
        writer.writerow(row)
    yield buffer.getvalue()


def lead_time_to_next_slot() -> list[tuple[str, float | None]]:
    return selectors.lead_times()


def no_show_rate() -> float | None:
    return selectors.no_show_rate()
