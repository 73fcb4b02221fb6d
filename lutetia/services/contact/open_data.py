"""What the contact service publishes: anonymous monthly statistics and dashboard figures."""

import csv
import io
from collections.abc import Iterator

from lutetia.services.contact import selectors

CSV_COLUMNS = ["month", "topic", "department", "count", "answered_within_5_days"]


def monthly_requests(format: str) -> Iterator[str]:
    """The ``contact-requests-monthly`` dataset: counts only, no request text nor identity."""
    if format != "csv":
        raise ValueError(f"Unsupported format {format!r}.")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    yield _drain(buffer)
    for row in selectors.monthly_statistics():
        writer.writerow(row)
        yield _drain(buffer)


def requests_per_month() -> list[tuple[str, int]]:
    return selectors.requests_per_month()


def median_hours_to_first_answer() -> float | None:
    return selectors.median_hours_to_first_answer()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
