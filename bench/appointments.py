"""Appointments: availability for a month, and a booking rush on one slot over HTTP.

``prepare`` runs this file as a Django script in the bench's environment: it creates a
service with 30 days of 50 slots a day, times the availability selector in-process
(median of ROUNDS), adds one slot with PLACES places and RESIDENTS signed-in residents
(a session row and a CSRF token each). ``drive`` has all residents POST the booking form
for that slot at once, each from their own address behind the proxy (as in production),
then counts: exactly PLACES bookings (302 to the booking's page), every other attempt a
409 "no longer available" page listing the next free slots, no 5xx.
"""

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Measured
from bench.server import HarnessError, run_prepare

SLUG = "bench-rendez-vous"
DAYS = 30
SLOTS_PER_DAY = 50
PLACES = 20
RESIDENTS = 500
ROUNDS = 20
AVAILABILITY_TARGET_MS = 50
SOCKET_TIMEOUT_S = 120
CASES: list = []  # no steady-load case: ``drive`` runs the rush once the server is up

_prepared: dict = {}


def prepare(env: dict[str, str]) -> None:
    env["LUTETIA_TRUSTED_PROXIES"] = "127.0.0.1"  # the load generator stands for the proxy
    _prepared.update(run_prepare(__file__, env), database_url=env["DATABASE_URL"])


def drive(base_url: str, args) -> list[Measured]:
    if urlsplit(base_url).hostname != "127.0.0.1":
        raise HarnessError(f"refusing to load anything but 127.0.0.1: {base_url}")
    url = f"{base_url}/rendez-vous/{SLUG}/reserver/{_prepared['slot']}/"
    started = time.monotonic()
    outcomes = asyncio.run(_rush(url, _prepared["residents"]))
    seconds = time.monotonic() - started
    booked = outcomes.count("booked")
    unavailable = outcomes.count("unavailable")
    other = len(outcomes) - booked - unavailable
    in_database = _booked_in_database(_prepared["slot"])
    statuses = sorted({o for o in outcomes if o not in ("booked", "unavailable")})
    return [
        Measured(
            "appointments",
            f"availability, 1 service, {DAYS} days x {SLOTS_PER_DAY} slots (selector, median)",
            f"{_prepared['availability_ms']:.1f} ms",
            f"≤ {AVAILABILITY_TARGET_MS} ms",
            _prepared["availability_ms"] <= AVAILABILITY_TARGET_MS,
            f"{_prepared['availability_rows']} free slots returned",
        ),
        Measured(
            "appointments",
            f"{RESIDENTS} concurrent bookings over HTTP on {PLACES} places",
            f"{booked} booked, {unavailable} 'no longer available', {other} other",
            f"{PLACES} booked, {RESIDENTS - PLACES} unavailable, 0 other",
            booked == PLACES and unavailable == RESIDENTS - PLACES and other == 0,
            f"{seconds:.1f} s in all; slot row says {in_database} booked"
            + (f"; other answers: {statuses}" if statuses else ""),
        ),
    ]


async def _rush(url: str, residents: list) -> list[str]:
    parts = urlsplit(url)
    return await asyncio.gather(*(_attempt(parts, *resident) for resident in residents))


async def _attempt(parts, session: str, csrf: str, address: str) -> str:
    body = urlencode({"csrfmiddlewaretoken": csrf}).encode()
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Cookie: sessionid={session}; csrftoken={csrf}\r\n"
        f"X-Forwarded-For: {address}\r\nReferer: http://{parts.netloc}{parts.path}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nUser-Agent: lutetia-bench\r\nConnection: close\r\n\r\n"
    ).encode() + body
    try:
        status, text = await asyncio.wait_for(
            _send(parts.hostname, parts.port, request), SOCKET_TIMEOUT_S
        )
    except (OSError, TimeoutError, ValueError, IndexError) as error:
        return f"error {type(error).__name__}"
    if status == 302 and "/rendez-vous/gerer/" in text:
        return "booked"
    if status == 409 and f"/rendez-vous/{SLUG}/reserver/" in text:
        return "unavailable"
    return f"HTTP {status}"


async def _send(host: str, port: int, request: bytes) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        response = b""
        while chunk := await reader.read(65536):
            response += chunk
    finally:
        writer.close()
    text = response.decode("utf-8", "replace")
    return int(text.split(" ", 2)[1]), text


def _booked_in_database(slot_id: int) -> int:
    import psycopg

    with psycopg.connect(_prepared["database_url"]) as db:
        return db.execute(
            "SELECT booked FROM appointments_slot WHERE id = %s", [slot_id]
        ).fetchone()[0]


# --- the data (a Django script, run by prepare) -----------------------------------------------


def create_data(out: Path) -> None:
    import django

    django.setup()
    service, location = _service()
    milliseconds, rows = _time_availability(service)
    slot = _hot_slot(location)
    residents = _signed_in_residents()
    print(f"appointments: availability {milliseconds:.1f} ms ({rows} rows)")
    out.write_text(
        json.dumps(
            {
                "slot": slot.pk,
                "residents": residents,
                "availability_ms": milliseconds,
                "availability_rows": rows,
            }
        )
    )


def _service():
    from datetime import timedelta

    from django.utils import timezone

    from lutetia.core.models import Department
    from lutetia.services.appointments.models import AppointmentService, Location, Slot

    department = Department.objects.order_by("pk").first()
    service = AppointmentService.objects.create(
        slug=SLUG, name_fr="Bench", department=department, min_notice_hours=0, horizon_days=60
    )
    location = Location.objects.create(service=service, name="Bench")
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    Slot.objects.bulk_create(
        Slot(
            location=location,
            starts_at=start + timedelta(days=day, minutes=10 * index),
            ends_at=start + timedelta(days=day, minutes=10 * index + 10),
            capacity=2,
        )
        for day in range(DAYS)
        for index in range(SLOTS_PER_DAY)
    )
    return service, location


def _time_availability(service) -> tuple[float, int]:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from lutetia.services.appointments import selectors

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appointments_slot")  # as autovacuum would after the insert
    first = timezone.localdate()
    last = first + timedelta(days=DAYS + 1)
    selectors.availability(service, first, last)  # warm the connection and caches
    times, rows = [], []
    for _ in range(ROUNDS):
        begun = time.perf_counter()
        rows = selectors.availability(service, first, last)
        times.append(time.perf_counter() - begun)
    return statistics.median(times) * 1000, len(rows)


def _hot_slot(location):
    from datetime import timedelta

    from django.utils import timezone

    from lutetia.services.appointments.models import Slot

    starts = timezone.now() + timedelta(hours=6)
    return Slot.objects.create(
        location=location, starts_at=starts, ends_at=starts + timedelta(minutes=10), capacity=PLACES
    )


def _signed_in_residents() -> list:
    """RESIDENTS residents, each [session key, CSRF token, address], as after a login."""
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from lutetia.accounts.models import User, VerificationLevel

    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"rdv{index}@bench.example",
            password=password,
            verification_level=VerificationLevel.EMAIL,
        )
        for index in range(RESIDENTS)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    expire = timezone.now() + timedelta(days=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    sessions, residents = [], []
    for index, user in enumerate(users):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        residents.append([key, _get_new_csrf_string(), f"10.1.{index // 250}.{index % 250 + 1}"])
    Session.objects.bulk_create(sessions)
    return residents


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        create_data(Path(sys.argv[2]))
