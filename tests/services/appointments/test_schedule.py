"""From opening rules to UTC slots, across daylight-saving changes."""

import io
from datetime import UTC, date, datetime, time
from unittest import mock

import pytest
from django.core.management import call_command

from lutetia.services.appointments import actions, schedule
from lutetia.services.appointments.models import ClosingDay, Slot, SlotOverride, WeeklyTemplate

PARIS = schedule.zone()
SPRING_FORWARD = date(2026, 3, 29)  # last Sunday of March: 02:00 → 03:00
FALL_BACK = date(2026, 10, 25)  # last Sunday of October: 03:00 → 02:00


def template(day, opens, closes, minutes=30, capacity=1):
    return WeeklyTemplate(
        weekday=day.weekday(),
        opens_at=opens,
        closes_at=closes,
        slot_minutes=minutes,
        capacity=capacity,
        valid_from=date(2026, 1, 1),
    )


def starts(day, *templates, overrides=()):
    planned = schedule.plan_day(
        day, templates=templates, closing=False, overrides=overrides, tz=PARIS
    )
    return sorted(planned)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 28), 8),  # winter time, UTC+1
        (SPRING_FORWARD, 7),  # summer time from 03:00, UTC+2
        (date(2026, 10, 24), 7),
        (FALL_BACK, 8),
    ],
)
def test_nine_o_clock_stays_nine_o_clock_across_dst(day, utc_hour):
    first = starts(day, template(day, time(9), time(12)))[0]
    assert first == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)
    assert first.astimezone(PARIS).time() == time(9)


def test_the_skipped_hour_in_march_has_no_slots():
    slots = starts(SPRING_FORWARD, template(SPRING_FORWARD, time(1), time(4)))
    local = [s.astimezone(PARIS).strftime("%H:%M") for s in slots]
    # 02:00-02:30 and 02:30-03:00 do not exist; 01:30-02:00 ends at a time that does not exist.
    assert local == ["01:00", "03:00", "03:30"]


def test_the_repeated_hour_in_october_gives_one_slot_per_wall_clock_time():
    slots = starts(FALL_BACK, template(FALL_BACK, time(1), time(4), minutes=60))
    assert [s.astimezone(PARIS).strftime("%H:%M") for s in slots] == ["01:00", "02:00", "03:00"]
    assert len(set(slots)) == 3
    assert all(s.tzinfo == UTC for s in slots)


def test_overrides_close_change_capacity_and_add_slots():
    day = date(2026, 5, 12)
    overrides = [
        SlotOverride(date=day, starts_at=time(9), ends_at=time(10), kind="closed"),
        SlotOverride(date=day, starts_at=time(10), ends_at=time(11), kind="capacity", capacity=4),
        SlotOverride(
            date=day,
            starts_at=time(14),
            ends_at=time(15),
            kind="extra",
            capacity=2,
            slot_minutes=30,
        ),
    ]
    planned = schedule.plan_day(
        day,
        templates=[template(day, time(9), time(11))],
        closing=False,
        overrides=overrides,
        tz=PARIS,
    )
    by_local = {s.local_start: s for s in planned.values()}
    assert by_local[time(9)].closed and by_local[time(9, 30)].closed
    assert by_local[time(10)].capacity == 4 and not by_local[time(10)].closed
    assert by_local[time(14)].capacity == 2 and time(14, 30) in by_local


def test_template_outside_its_date_range_gives_nothing():
    day = date(2026, 5, 12)
    rule = template(day, time(9), time(10))
    rule.valid_until = date(2026, 5, 1)
    assert starts(day, rule) == []


@pytest.mark.django_db
@mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 25, 6, tzinfo=UTC))
def test_materialise_creates_keeps_and_closes(now, location, resident):
    WeeklyTemplate.objects.create(
        location=location,
        weekday=SPRING_FORWARD.weekday(),
        opens_at=time(9),
        closes_at=time(10),
        slot_minutes=30,
        capacity=2,
        valid_from=date(2026, 1, 1),
    )
    location.service.horizon_days = 10
    location.service.save()
    assert actions.materialise(location) == {"created": 2, "updated": 0, "deleted": 0}
    assert actions.materialise(location) == {"created": 0, "updated": 0, "deleted": 0}
    first = Slot.objects.order_by("starts_at").first()
    assert first.starts_at == datetime(2026, 3, 29, 7, tzinfo=UTC)
    actions.book(slot=first, acting_user=resident)
    ClosingDay.objects.create(service=location.service, date=SPRING_FORWARD)
    assert actions.materialise(location) == {"created": 0, "updated": 1, "deleted": 1}
    first.refresh_from_db()
    assert first.closed and first.booked == 1  # the booking is kept, no new one fits
    assert Slot.objects.count() == 1


@pytest.mark.django_db
def test_the_daily_command_recomputes_every_location(location):
    WeeklyTemplate.objects.create(
        location=location,
        weekday=0,
        opens_at=time(9),
        closes_at=time(10),
        slot_minutes=30,
        capacity=1,
        valid_from=date(2020, 1, 1),
    )
    out = io.StringIO()
    call_command("appointments", "slots", stdout=out)
    assert "1 locations" in out.getvalue()
    assert Slot.objects.filter(location=location).count() >= 2 * 8  # 2 a Monday, 60 days
