"""From opening rules to concrete slots: pure functions, no database writes.

Opening hours are local wall-clock times (``settings.TIME_ZONE``, Europe/Paris by
default); each slot is cut in wall-clock time and converted to a UTC instant, so a
9:00 opening stays 9:00 on both sides of a daylight-saving change. A local time that
does not exist (the hour skipped in March) yields no slot; an ambiguous one (the hour
repeated in October) is taken at its first occurrence.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass
class PlannedSlot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    capacity: int
    closed: bool = False
    local_start: time | None = None


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time, or None if it does not exist that day."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz, fold=0)
    instant = aware.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return instant


def cut(
    day: date, opens: time, closes: time, minutes: int, capacity: int, tz: ZoneInfo
) -> list[PlannedSlot]:
    """Consecutive slots of ``minutes`` from ``opens``; the last one ends by ``closes``."""
    length = timedelta(minutes=minutes)
    current = datetime.combine(day, opens)
    end = datetime.combine(day, closes)
    slots = []
    while current + length <= end:
        starts = local_instant(day, current.time(), tz)
        ends = local_instant(day, (current + length).time(), tz)
        if starts is not None and ends is not None:
            slots.append(PlannedSlot(starts, ends, capacity, local_start=current.time()))
        current += length
    return slots


def plan_day(
    day: date, *, templates: Iterable, closing: bool, overrides: Iterable, tz: ZoneInfo
) -> dict[datetime, PlannedSlot]:
    """The slots a location should have on ``day``, keyed by their UTC start."""
    if closing:
        return {}
    planned: dict[datetime, PlannedSlot] = {}
    for template in templates:
        if template.weekday != day.weekday() or template.valid_from > day:
            continue
        if template.valid_until is not None and template.valid_until < day:
            continue
        for slot in cut(
            day, template.opens_at, template.closes_at, template.slot_minutes, template.capacity, tz
        ):
            planned.setdefault(slot.starts_at, slot)
    for override in sorted(overrides, key=lambda o: o.kind != "extra"):
        if override.date != day:
            continue
        if override.kind == "extra":
            extra = cut(
                day,
                override.starts_at,
                override.ends_at,
                override.slot_minutes,
                override.capacity,
                tz,
            )
            for slot in extra:
                planned.setdefault(slot.starts_at, slot)
            continue
        for slot in planned.values():
            if override.starts_at <= slot.local_start < override.ends_at:
                if override.kind == "closed":
                    slot.closed = True
                else:
                    slot.capacity = override.capacity
    return planned


def days(start: date, end: date) -> Iterable[date]:
    """Every date from ``start`` to ``end`` included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)
