"""Dans ma rue at Paris's scale: 1,000,000 generated reports in PostgreSQL, then the Open311
reads, the map's GeoJSON, the nearby lookup, the triage queue and Open311 submissions.

``prepare`` runs this file as a Django script in the bench's environment. It times the
generator (``actions.generate_reports``, the code behind ``lutetia reports generate``) on
REPORTS reports and the importer (``actions.import_reports``) on a CSV of IMPORT_ROWS rows
in the dans-ma-rue layout, analyses the table, creates an API key with no practical rate
limit (fixed, so the GET cases can name it) and a staff session, times the nearby-duplicates
selector in process and counts the triage queue's queries at every page size. ``drive``
then loads the triage queue with the staff session and has ``--connections`` Open311
applications POST reports for ``--duration`` seconds per round, and checks that every
accepted report is in the database.
"""

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median, quantiles
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Case, Measured
from bench.server import HarnessError

REPORTS = 1_000_000
IMPORT_ROWS = 100_000
BENCH_API_KEY = "lut_bench311_open311-bench-client-with-no-practical-limit"
# About 500 m × 500 m around the Champ-de-Mars: some 1,500 reports of 1,000,000.
VIEWPORT = "2.3000,48.8550,2.3068,48.8595"
NEARBY_LOOKUPS = 300
TRIAGE = "/admin/dans-ma-rue/reports/"
STAFF_CLIENTS = 5  # concurrent staff members on the triage queue
WARM_UP_S = 3
SOCKET_TIMEOUT_S = 10
TARGETS = {
    "generate": 20_000,  # rows/s
    "import": 10_000,  # rows/s
    "nearby_ms": 10,
    "triage_queries": 20,
    "triage_p95_ms": 150,
    "posts": 200,  # requests/s
}
CASES = [
    Case(
        "Open311 GET requests.json: one service, open, 50 results",
        "/open311/v2/requests.json?service_code=proprete-depot-sauvage&status=open"
        f"&page_size=50&api_key={BENCH_API_KEY}",
        max_p95_ms=50,
    ),
    Case(
        "Open311 GET requests.json: last 90 days, 50 results",
        f"/open311/v2/requests.json?page_size=50&api_key={BENCH_API_KEY}",
        max_p95_ms=50,
    ),
    Case(
        "map GeoJSON, a viewport of ≤ 2,000 reports",
        f"/dans-ma-rue/reports.geojson?bbox={VIEWPORT}",
        max_p95_ms=100,
    ),
]

_prepared: dict = {}  # what prepare() measured and created, for drive()


def prepare(env: dict[str, str]) -> None:
    out = Path(env["LUTETIA_VAR_DIR"]) / "reports.json"
    completed = subprocess.run(
        [sys.executable, __file__, "prepare", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise HarnessError(f"reports: prepare failed:\n{completed.stderr[-3000:]}")
    print(completed.stdout.strip(), file=sys.stderr)
    _prepared.update(json.loads(out.read_text()), database_url=env["DATABASE_URL"])


def drive(base_url: str, args) -> list[Measured]:
    """The measurements made in prepare, then the triage queue and Open311 POSTs over HTTP."""
    triage = _triage_page(base_url, args)
    posts = _posts(base_url, args)
    return [*_prepared_figures(), *triage, *posts]


def _prepared_figures() -> list[Measured]:
    p = _prepared
    generate, imported = p["generate_rate"], p["import_rate"]
    queries = max(p["triage_queries"].values())
    return [
        _figure(
            f"generator: {REPORTS:,} reports (lutetia reports generate)",
            generate,
            f"{generate:,.0f} rows/s",
            TARGETS["generate"],
            "rows/s",
        ),
        _figure(
            f"import: {IMPORT_ROWS:,} dans-ma-rue CSV rows ({p['import_errors']} bad)",
            imported,
            f"{imported:,.0f} rows/s",
            TARGETS["import"],
            "rows/s",
        ),
        Measured(
            "reports",
            f"nearby open reports of a category (selector, {NEARBY_LOOKUPS} points)",
            f"p95 {p['nearby_p95_ms']:.1f} ms (median {p['nearby_p50_ms']:.1f} ms)",
            f"≤ {TARGETS['nearby_ms']} ms",
            p["nearby_p95_ms"] <= TARGETS["nearby_ms"],
            f"ratio {p['nearby_p95_ms'] / TARGETS['nearby_ms']:.2f}",
        ),
        Measured(
            "reports",
            "triage queue queries, page sizes "
            + ", ".join(f"{size}: {count}" for size, count in p["triage_queries"].items()),
            f"{queries} queries at most",
            f"≤ {TARGETS['triage_queries']} queries",
            queries <= TARGETS["triage_queries"],
            f"ratio {queries / TARGETS['triage_queries']:.2f}",
        ),
        Measured(
            "reports",
            "reports in the benchmarked map viewport / in the database",
            f"{p['viewport_reports']:,} / {p['reports']:,}",
            "≤ 2,000 in the viewport",
            p["viewport_reports"] <= 2000,
        ),
    ]


def _figure(label: str, value: float, figure: str, target: float, unit: str) -> Measured:
    return Measured(
        "reports",
        label,
        figure,
        f"≥ {target:,} {unit}",
        value >= target,
        f"ratio {value / target:.2f}",
    )


# --- HTTP: the triage queue (staff session) and Open311 POSTs ---------------------------------


def _triage_page(base_url: str, args) -> list[Measured]:
    cookie = f"sessionid={_prepared['staff_session']}"
    request = _request(base_url + TRIAGE, "GET", headers={"Cookie": cookie})
    rounds = [_load(base_url, request, STAFF_CLIENTS, WARM_UP_S, expect=200)]
    rounds += [
        _load(base_url, request, STAFF_CLIENTS, args.duration, 200) for _ in range(args.rounds)
    ]
    p95 = median(r["p95_ms"] for r in rounds[1:])
    errors = sum(r["errors"] for r in rounds)
    return [
        Measured(
            "reports",
            f"triage queue page, staff session, {STAFF_CLIENTS} staff at once",
            f"p95 {p95:,.0f} ms, {median(r['per_s'] for r in rounds[1:]):,.0f} pages/s, "
            f"{errors} errors",
            f"p95 ≤ {TARGETS['triage_p95_ms']} ms",
            p95 <= TARGETS["triage_p95_ms"] and errors == 0,
            f"ratio {p95 / TARGETS['triage_p95_ms']:.2f}",
        )
    ]


def _posts(base_url: str, args) -> list[Measured]:
    rng = random.Random(3)
    bodies = [_post_body(rng, point) for point in _prepared["post_points"]]
    rounds = [_load(base_url, bodies, args.connections, WARM_UP_S, expect=200)]
    rounds += [
        _load(base_url, bodies, args.connections, args.duration, expect=200)
        for _ in range(args.rounds)
    ]
    rate = median(r["per_s"] for r in rounds[1:])
    errors = sum(r["errors"] for r in rounds)
    accepted = {reference for r in rounds for reference in r["references"]}
    stored = _open311_reports_in_database(accepted)
    return [
        Measured(
            "reports",
            f"Open311 POST requests.json, {args.connections} applications, gunicorn "
            f"{args.workers} workers",
            f"{rate:,.0f} requests/s, p95 {median(r['p95_ms'] for r in rounds[1:]):,.0f} ms, "
            f"{errors} errors",
            f"≥ {TARGETS['posts']} requests/s, 0 errors",
            rate >= TARGETS["posts"] and errors == 0,
            f"ratio {rate / TARGETS['posts']:.2f}; statuses "
            + ", ".join(sorted({str(s) for r in rounds for s in r["statuses"]})),
        ),
        Measured(
            "reports",
            "accepted Open311 requests found in the database",
            f"{stored:,} / {len(accepted):,}",
            "every accepted request stored",
            stored == len(accepted) and len(accepted) > 0,
        ),
    ]


def _post_body(rng: random.Random, point: list) -> bytes:
    code, longitude, latitude = point
    return urlencode(
        {
            "api_key": BENCH_API_KEY,
            "service_code": code,
            "long": f"{longitude:.6f}",
            "lat": f"{latitude:.6f}",
            "description": rng.choice(["Dépôt de sacs sur le trottoir.", "Tag sur la façade."]),
            "email": f"appli{rng.randrange(1000)}@bench.example",
        }
    ).encode()


def _request(url: str, method: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise HarnessError(f"refusing to load anything but 127.0.0.1: {url}")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "User-Agent: lutetia-bench"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode() + body


def _load(base_url: str, requests, clients: int, seconds: float, expect: int) -> dict:
    """``clients`` concurrent clients for ``seconds``: a fixed GET (bytes) or POST bodies
    (a list, each sent once per round in turn, cycling)."""
    return asyncio.run(_clients(base_url, requests, clients, seconds, expect))


async def _clients(base_url: str, requests, clients: int, seconds: float, expect: int) -> dict:
    parts = urlsplit(base_url)
    url = base_url + "/open311/v2/requests.json"
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    result = {"latencies": [], "errors": 0, "statuses": set(), "references": [], "sent": 0}

    def next_request() -> bytes:
        if isinstance(requests, bytes):
            return requests
        body = requests[result["sent"] % len(requests)]
        result["sent"] += 1
        return _request(url, "POST", body)

    async def client():
        while time.monotonic() < deadline:
            request = next_request()
            begun = time.monotonic()
            try:
                status, body = await asyncio.wait_for(
                    _send(parts.hostname, parts.port, request), SOCKET_TIMEOUT_S
                )
            except (OSError, TimeoutError, ValueError, IndexError):
                result["errors"] += 1
                continue
            result["statuses"].add(status)
            if status != expect:
                result["errors"] += 1
                continue
            result["latencies"].append(time.monotonic() - begun)
            if not isinstance(requests, bytes):
                result["references"].append(json.loads(body)[0]["service_request_id"])

    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - started
    latencies = sorted(result["latencies"])
    result["per_s"] = len(latencies) / elapsed
    result["p95_ms"] = quantiles(latencies, n=100)[94] * 1000 if len(latencies) > 1 else 0.0
    return result


async def _send(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b"\r\n", 1)[0].split()[1])
    if b"transfer-encoding: chunked" in head.lower():
        body = _unchunk(body)
    return status, body


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def _open311_reports_in_database(references: set[str]) -> int:
    import psycopg

    with psycopg.connect(_prepared["database_url"]) as db:
        row = db.execute(
            "SELECT count(*) FROM reports_report WHERE source = 'open311' AND reference = ANY(%s)",
            [list(references)],
        ).fetchone()
    return row[0]


# --- the data and in-process figures (a Django script, run by prepare) -------------------------


def create_data(out: Path) -> None:
    import django

    django.setup()
    from lutetia.services.reports import actions
    from lutetia.services.reports.models import Report

    # A city imports its history once, into a new install; then a million reports arrive.
    import_rate, import_errors = _timed_import()
    print(f"reports: {IMPORT_ROWS:,} rows imported at {import_rate:,.0f} rows/s")
    started = time.perf_counter()
    actions.generate_reports(count=REPORTS, seed=1)
    generate_rate = REPORTS / (time.perf_counter() - started)
    print(f"reports: {REPORTS:,} generated at {generate_rate:,.0f} rows/s")
    _analyse()
    figures = {
        "generate_rate": generate_rate,
        "import_rate": import_rate,
        "import_errors": import_errors,
        "reports": Report.objects.count(),
        "viewport_reports": _viewport_reports(),
        **_nearby_timings(),
        "triage_queries": _triage_queries(),
        "staff_session": _staff_session(),
        "post_points": _post_points(),
    }
    _bench_api_key()
    out.write_text(json.dumps(figures))


def _timed_import() -> tuple[float, int]:
    """A dans-ma-rue CSV of IMPORT_ROWS rows (types, places and dates drawn by the
    generator, in a transaction rolled back), then imported as ``lutetia reports import``."""
    from django.core.management import call_command
    from django.db import transaction

    from lutetia.services.reports import actions
    from lutetia.services.reports.importing import REQUIRED
    from lutetia.services.reports.models import Report

    header = ["ID DECLARATION", *REQUIRED[:2], "ADRESSE", "ARRONDISSEMENT", *REQUIRED[2:]]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as file:
        file.write(";".join(header) + "\n")
        with transaction.atomic():
            actions.generate_reports(count=IMPORT_ROWS, seed=5, years=5)
            rows = Report.objects.filter(source=Report.Source.GENERATED).values_list(
                "category__parent__name_fr",
                "category__name_fr",
                "district__code",
                "created_at",
                "latitude",
                "longitude",
            )
            written = 0
            for kind, subtype, district, created, lat, lon in rows.iterator():
                date = created.date().isoformat()
                file.write(f"{written};{kind};{subtype};;{district};{date};{lat}, {lon}\n")
                written += 1
            transaction.set_rollback(True)
    started = time.perf_counter()
    call_command("reports", "import", file.name)
    elapsed = time.perf_counter() - started
    imported = Report.objects.filter(source=Report.Source.IMPORT).count()
    os.unlink(file.name)
    return imported / elapsed, written - imported


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_report")


def _viewport_reports() -> int:
    from lutetia.services.reports import selectors

    bbox = [float(value) for value in VIEWPORT.split(",")]
    return selectors.within_box(selectors.filtered_reports(), *bbox).count()


def _nearby_timings() -> dict:
    from lutetia.services.reports import selectors
    from lutetia.services.reports.models import Category, Report

    rng = random.Random(4)
    points = list(Report.objects.values_list("longitude", "latitude").order_by("pk")[:20_000])
    categories = list(Category.objects.filter(parent__isnull=False))
    timings = []
    for _ in range(NEARBY_LOOKUPS):
        longitude, latitude = rng.choice(points)
        started = time.perf_counter()
        selectors.nearby_open_reports(rng.choice(categories), longitude, latitude)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "nearby_p95_ms": quantiles(timings, n=100)[94],
        "nearby_p50_ms": median(timings),
    }


def _administrator():
    from lutetia.accounts.models import User

    return User.objects.filter(is_superuser=True).order_by("pk").first()


def _triage_queries() -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lutetia.services.reports.admin_forms import PAGE_SIZES

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_administrator())
    counts = {}
    for size in PAGE_SIZES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(TRIAGE, {"per_page": size})
        if response.status_code != 200:
            raise RuntimeError(f"the triage queue answers {response.status_code}")
        counts[str(size)] = len(queries)
    return counts


def _staff_session() -> str:
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    user = _administrator()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    store.set_expiry(timezone.now() + timedelta(days=1))
    store.create()
    return store.session_key


def _post_points() -> list:
    """Where the applications report: generated reports' places and types."""
    from lutetia.services.reports.models import Report

    reports = Report.objects.exclude(category__attributes__required=True)
    return [
        list(row)
        for row in reports.values_list("category__code", "longitude", "latitude").order_by("-pk")[
            :5000
        ]
    ]


def _bench_api_key() -> None:
    from lutetia.core.api.keys import hash_key, prefix_of
    from lutetia.core.api.models import ApiKey

    ApiKey.objects.update_or_create(
        prefix=prefix_of(BENCH_API_KEY),
        defaults={
            "name": "Open311 bench client",
            "key_hash": hash_key(BENCH_API_KEY),
            "rate_limit_per_minute": 10**9,
        },
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        os.chdir(Path(__file__).resolve().parent.parent)
        create_data(Path(sys.argv[2]))
